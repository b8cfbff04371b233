import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  type BundleState,
  bundleDir,
  bundleFileVersion,
  bundleVersionOf,
  readBundleState,
  writeAtomic,
  writeBundleState,
} from '../changes/bundle-state.js';
import { downloadVerified } from '../changes/download.js';
import { snapshotInfoOf, takeSnapshot } from '../changes/snapshot.js';
import { launchedBundle } from '../launch.js';
import { SIDECAR_VERSION } from '../version.js';
import { CommandFailure, type CommandHandler } from './types.js';

/** Bounds of the bundle download (the bundle is about 1 MB). */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
export const DOWNLOAD_TIMEOUT_MS = 120_000;

/**
 * `sidecar.update`: downloads the bundle, checks its sha256 and that it is the version asked for,
 * snapshots (the snapshot records the sidecar version; the running bundle stays where it is as
 * the way back), installs the new one in `<stateDir>/bundle/` on trial and restarts. It never
 * returns: the sidecar that runs next reports the command (changes/bundle-trial.ts).
 */
export const sidecarUpdate: CommandHandler = async (ctx) => {
  const { version, url, sha256 } = ctx.params as { version: string; url?: string; sha256?: string };
  if (!url) throw new CommandFailure('bad_params', 'sidecar.update needs the bundle url (the hub fills its own)');
  if (!sha256) throw new CommandFailure('checksum_required', 'sidecar.update refuses a bundle without its sha256');
  const running = launchedBundle()?.file ?? process.argv[1] ?? '';
  if (!bundleFileVersion(running))
    throw new CommandFailure('unsupported', 'this sidecar does not run from a bundle; it cannot replace itself');
  if (version === SIDECAR_VERSION) throw new CommandFailure('bad_params', `sidecar ${version} is already running`);
  const dir = ctx.config.stateDir;
  if (readBundleState(dir)?.status === 'trial') throw new CommandFailure('busy', 'another sidecar.update is on trial');

  ctx.progress({ message: `downloading sidecar ${version}` });
  const body = await downloadVerified(url, sha256, {
    maxBytes: MAX_BUNDLE_BYTES,
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
    signal: ctx.signal,
  });
  const named = bundleVersionOf(body);
  if (named !== version)
    throw new CommandFailure(
      'version_mismatch',
      named ? `the bundle is sidecar ${named}, not ${version}` : 'the download is not a sidecar bundle',
    );

  const snap = takeSnapshot(ctx, ctx.command.type);
  const snapshot = snapshotInfoOf(snap);
  ctx.emit.event({
    type: 'change.snapshot',
    message: `snapshot ${snap.id} before sidecar.update ${SIDECAR_VERSION} -> ${version}`,
    data: { commandId: ctx.command.id, snapshot, bundle: path.basename(running) },
  });

  const inDir = bundleDir(dir);
  const file = `sidecar-${version}-${sha256.slice(0, 12)}.mjs`;
  writeAtomic(path.join(inDir, file), body, 0o600);
  const mine = launchedBundle();
  const previous = { file: mine ? path.basename(mine.file) : null, version: SIDECAR_VERSION };
  const trial: BundleState = {
    status: 'trial',
    file,
    version,
    previous,
    commandId: ctx.command.id,
    since: ctx.now(),
    starts: 0,
    snapshot,
  };
  writeBundleState(dir, trial);
  prune(inDir, [file, previous.file]);
  ctx.progress({ message: `sidecar ${version} installed on trial; restarting` });
  ctx.log('info', `sidecar.update: ${SIDECAR_VERSION} -> ${version} installed; restarting on it`);
  // SIGTERM runs the CLI's clean stop (the outbox keeps what is not yet sent); the service
  // manager starts the process again and the launch step hands over to the new bundle.
  setImmediate(() => process.kill(process.pid, 'SIGTERM'));
  return new Promise<never>(() => {});
};

/** Removes bundles neither running nor the way back. */
function prune(dir: string, keep: (string | null)[]): void {
  for (const f of readdirSync(dir))
    if (f.endsWith('.mjs') && !keep.includes(f)) rmSync(path.join(dir, f), { force: true });
}
