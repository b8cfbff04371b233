import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type BundleState,
  bundleDir,
  readBundleState,
  rollBackBundle,
  writeBundleState,
} from './changes/bundle-state.js';
import type { SidecarConfig } from './config.js';
import { errorMessage } from './errors.js';

/** What the launch step handed over to: set before the newer bundle is imported. */
export interface LaunchedBundle {
  file: string;
  version: string;
  trial: boolean;
}

const LAUNCHED = Symbol.for('deepsignal.sidecar.launched');
type WithLaunched = typeof globalThis & { [LAUNCHED]?: LaunchedBundle };

/** The bundle this process was handed over to, if any (read by the bundle that was handed over to). */
export function launchedBundle(): LaunchedBundle | undefined {
  return (globalThis as WithLaunched)[LAUNCHED];
}

/**
 * The launch step, first thing the CLI does. The systemd unit runs the bundle in PREFIX, which
 * ProtectSystem=strict keeps read-only; a self-update therefore installs into the state dir and
 * this step hands over to it (an import in this same process: no second Node). A bundle on trial
 * is started at most `updateTrialStarts` times and for at most `updateTrialSec`; past either, or
 * when it cannot even be loaded, the switch goes back to the previous bundle and the process
 * exits, so the service manager starts the previous one. Returns true when it handed over.
 */
export async function handOver(config: SidecarConfig, now = Date.now): Promise<boolean> {
  if (launchedBundle()) return false; // this is the bundle handed over to
  const dir = config.stateDir;
  const s = readBundleState(dir);
  if (!s?.file) return false;
  const file = path.join(bundleDir(dir), s.file);
  const fail = (reason: string): never => {
    rollBackBundle(dir, s, reason);
    process.stderr.write(`deepsignal-sidecar: sidecar ${s.version} rolled back: ${reason}\n`);
    process.exit(1);
  };
  if (!existsSync(file)) {
    if (s.status === 'trial') fail(`its bundle ${s.file} is missing`);
    return false; // a good bundle gone: the unit's own runs
  }
  if (s.status === 'trial') {
    try {
      armTrial(config, s, fail, now);
    } catch (e) {
      // A trial start that cannot be counted is not run: the unit's own bundle is the safe one.
      process.stderr.write(`deepsignal-sidecar: cannot start sidecar ${s.version} on trial: ${errorMessage(e)}
`);
      return false;
    }
  }
  (globalThis as WithLaunched)[LAUNCHED] = { file, version: s.version, trial: s.status === 'trial' };
  try {
    await import(pathToFileURL(file).href);
  } catch (e) {
    if (s.status === 'trial') fail(`it does not load: ${errorMessage(e)}`);
    throw e;
  }
  return true;
}

/** Counts the start, and bounds the trial in starts and in time (the timer is this bundle's). */
function armTrial(config: SidecarConfig, s: BundleState, fail: (reason: string) => never, now: () => number): void {
  const dir = config.stateDir;
  const starts = (s.starts ?? 0) + 1;
  const since = s.since ?? now();
  const died = s.lastExit ? ` (last: ${s.lastExit})` : '';
  if (starts > config.updateTrialStarts)
    fail(`it stopped ${starts - 1} times without getting healthy${died}`.slice(0, 900));
  const left = since + config.updateTrialSec * 1000 - now();
  if (left <= 0) fail(`not healthy within ${config.updateTrialSec} s${died}`.slice(0, 900));
  writeBundleState(dir, { ...s, starts, since });
  const stillOnTrial = () => {
    const cur = readBundleState(dir);
    return cur?.status === 'trial' && cur.commandId === s.commandId ? cur : null;
  };
  const timer = setTimeout(() => {
    if (stillOnTrial()) fail(`not healthy within ${config.updateTrialSec} s`);
  }, left);
  timer.unref();
  // What the trial died of, for the rollback's reason; the monitor does not change how it dies.
  let lastError = '';
  process.on('uncaughtExceptionMonitor', (e) => {
    lastError = errorMessage(e);
  });
  process.on('exit', (code) => {
    const cur = stillOnTrial();
    if (!cur) return;
    try {
      writeBundleState(dir, { ...cur, lastExit: `exit ${code}${lastError ? `: ${lastError}` : ''}`.slice(0, 500) });
    } catch {}
  });
}
