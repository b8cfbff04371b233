import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keepLog, LogRing } from '../../../scripts/test/diagnostics.js';
import { DEADLINE, REPO_ROOT, sidecarArgv } from '../../../scripts/test/processes.js';

/** A real sidecar process (the run's bundle of sidecar/src/cli.ts) with a temp state dir and no OpenClaw. */
export interface SidecarProc {
  id: string;
  stateDir: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** Stops (if running) and removes the state dir. */
  dispose(): Promise<void>;
}

/** Starts the sidecar CLI for an instance; `env` adds or overrides settings. Its stderr is kept for diagnostics. */
export function spawnSidecar(
  o: { mqttUrl: string; id: string; secret: string; hubKey: string; stateDir?: string },
  env: Record<string, string> = {},
): SidecarProc {
  const stateDir = o.stateDir ?? mkdtempSync(path.join(tmpdir(), `ds-sc-${o.id}-`));
  const child = spawn(process.execPath, sidecarArgv(), {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DS_HUB: o.mqttUrl,
      DS_INSTANCE_ID: o.id,
      DS_INSTANCE_SECRET: o.secret,
      DS_HUB_PUBLIC_KEY: o.hubKey,
      DS_STATE_DIR: stateDir,
      DS_OPENCLAW_URL: 'ws://127.0.0.1:9',
      DS_OPENCLAW_CONFIG: path.join(stateDir, 'no-openclaw.json'),
      DS_OPENCLAW_LOG_DIR: path.join(stateDir, 'no-logs'),
      DS_BATCH_INTERVAL_MS: '200',
      DS_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const err = new LogRing();
  child.stderr?.on('data', (d) => err.push(d));
  const forget = keepLog(`sidecar ${o.id}`, () => err.toString());
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, DEADLINE.stop))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return {
    id: o.id,
    stateDir,
    child,
    stderr: () => err.toString(),
    stop,
    async dispose() {
      await stop();
      forget();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function until<T>(
  fn: () => Promise<T> | T,
  ms = DEADLINE.ack,
  what = 'condition',
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
