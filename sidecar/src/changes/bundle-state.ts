import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { type SnapshotInfo, sidecarBundleVersion } from '@deepsignal/protocol';

/**
 * Where a self-updated sidecar lives and how it is switched: `<stateDir>/bundle/` (the one
 * directory the hardened unit may write) holds the downloaded bundles and `state.json`, the single
 * atomic switch the launch step (sidecar/src/launch.ts) reads at every start. The file format is a
 * contract between versions: the unit's own bundle, however old, decides what runs next.
 */
export interface BundleState {
  /** `trial`: installed, not yet proved healthy; `good`: proved (or the way back after a rollback). */
  status: 'trial' | 'good';
  /** Bundle file under `<stateDir>/bundle/` to run; null: the unit's own bundle (no hand-over). */
  file: string | null;
  version: string;
  /** What a failed trial goes back to (file null: the unit's own bundle). */
  previous: { file: string | null; version: string } | null;
  /** The `sidecar.update` command the trial answers. */
  commandId?: string;
  /** When the trial began (ms) and how often the launch step started it. */
  since?: number;
  starts?: number;
  /** The snapshot taken before the update (reported with its outcome). */
  snapshot?: SnapshotInfo;
  /** What the last trial start died of (exit code, uncaught error), for the rollback's reason. */
  lastExit?: string;
  /** An update that ended, still to be reported to the hub by the sidecar now running. */
  report?: UpdateReport;
}

/** How a `sidecar.update` ended, reported once the sidecar that runs afterwards is online. */
export interface UpdateReport {
  commandId: string;
  outcome: 'succeeded' | 'rolled_back';
  from: string;
  to: string;
  reason?: string;
  snapshot?: SnapshotInfo;
}

export const bundleDir = (stateDir: string) => path.join(stateDir, 'bundle');
const stateFile = (stateDir: string) => path.join(bundleDir(stateDir), 'state.json');

/** The version a bundle names in its first line; null when it is not a sidecar bundle. */
export function bundleVersionOf(body: Buffer): string | null {
  return sidecarBundleVersion(body.subarray(0, 256).toString('latin1'));
}

/** The version in a bundle file's first line (null: not a bundle, or unreadable). */
export function bundleFileVersion(file: string): string | null {
  try {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(256);
      const n = readSync(fd, head, 0, head.length, 0);
      return bundleVersionOf(head.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** The switch; null when there is none or it cannot be read (then the unit's own bundle runs). */
export function readBundleState(stateDir: string): BundleState | null {
  try {
    const s = JSON.parse(readFileSync(stateFile(stateDir), 'utf8')) as BundleState;
    if ((s.status !== 'trial' && s.status !== 'good') || typeof s.version !== 'string') return null;
    if (s.file !== null && (typeof s.file !== 'string' || path.basename(s.file) !== s.file)) return null;
    return s;
  } catch {
    return null;
  }
}

/** Writes a file whole or not at all (temp, fsync, rename). */
export function writeAtomic(file: string, data: Buffer | string, mode = 0o600): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.ds-tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function writeBundleState(stateDir: string, s: BundleState): void {
  writeAtomic(stateFile(stateDir), JSON.stringify(s));
}

/**
 * Switches back to the previous bundle after a failed trial, keeping what to report. The failed
 * file stays until the next update replaces it (it is evidence, and small).
 */
export function rollBackBundle(stateDir: string, s: BundleState, reason: string): BundleState {
  const back: BundleState = {
    status: 'good',
    file: s.previous?.file ?? null,
    version: s.previous?.version ?? 'unknown',
    previous: null,
    ...(s.commandId
      ? {
          report: {
            commandId: s.commandId,
            outcome: 'rolled_back',
            from: s.previous?.version ?? 'unknown',
            to: s.version,
            reason,
            ...(s.snapshot ? { snapshot: s.snapshot } : {}),
          },
        }
      : {}),
  };
  writeBundleState(stateDir, back);
  return back;
}
