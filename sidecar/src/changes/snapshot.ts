import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { SnapshotInfo } from '@deepsignal/protocol';
import type { CommandContext } from '../commands/types.js';
import { openclawConfigPath, openclawWorkspace, readOpenclawConfig } from '../openclaw/config-file.js';
import { modelOf } from '../openclaw/ops.js';
import { SIDECAR_VERSION } from '../version.js';

/** Snapshots kept per instance (oldest removed first). */
export const KEEP_SNAPSHOTS = 10;
/** Persona files a config change may write, snapshotted with the config. */
export const PERSONA_FILES = ['SOUL.md', 'AGENTS.md', 'IDENTITY.md', 'USER.md'] as const;

/** A snapshot on disk: its info, and how the change it guarded ended. */
export interface Snapshot extends SnapshotInfo {
  dir: string;
  /** Persona files that did not exist when it was taken (kept as they are on restore). */
  absent: string[];
  /** `applied`, `rolled_back`, … once the change it guarded finished; null while it runs. */
  outcome: string | null;
}

export function snapshotsDir(ctx: Pick<CommandContext, 'config'>): string {
  return path.join(ctx.config.stateDir, 'snapshots');
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function writeAtomic(file: string, data: Buffer | string, mode = 0o600): void {
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

/**
 * Copies what a change touches into `<stateDir>/snapshots/<id>/`: OpenClaw's config file (raw
 * bytes, secrets included: the directory is the sidecar's, mode 0700), the persona files when the
 * change writes them (`config.apply`), and the versions of OpenClaw and the sidecar.
 */
export function takeSnapshot(ctx: CommandContext, reason: string, withPersona = false): Snapshot {
  const cfgPath = openclawConfigPath(ctx.config.openclawConfig);
  const id = `snap-${ctx.now()}-${ctx.command.id.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40)}`;
  const dir = path.join(snapshotsDir(ctx), id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let configSha256: string | null = null;
  const files: string[] = [];
  if (existsSync(cfgPath)) {
    const raw = readFileSync(cfgPath);
    writeAtomic(path.join(dir, 'openclaw.json'), raw);
    configSha256 = sha256(raw);
    files.push('openclaw.json');
  }
  const ws = openclawWorkspace(cfgPath);
  const absent: string[] = [];
  for (const f of withPersona ? PERSONA_FILES : []) {
    const src = path.join(ws, f);
    if (existsSync(src)) {
      writeAtomic(path.join(dir, f), readFileSync(src));
      files.push(f);
    } else absent.push(f);
  }
  const snap: Snapshot = {
    id,
    t: ctx.now(),
    reason,
    openclawVersion: ctx.gateway?.hello?.version ?? null,
    sidecarVersion: SIDECAR_VERSION,
    configSha256,
    model: modelOf(readOpenclawConfig(cfgPath) ?? {}),
    files,
    dir,
    absent,
    outcome: null,
  };
  saveMeta(snap);
  prune(ctx);
  return snap;
}

function saveMeta(s: Snapshot): void {
  const { dir: _dir, ...meta } = s;
  writeAtomic(path.join(s.dir, 'meta.json'), JSON.stringify(meta));
}

/** Records how the guarded change ended. */
export function markSnapshot(s: Snapshot, outcome: string): void {
  s.outcome = outcome;
  saveMeta(s);
}

/** The public part (what the hub records). */
export function snapshotInfoOf(s: Snapshot): SnapshotInfo {
  const { dir: _d, absent: _a, outcome: _o, ...info } = s;
  return info;
}

/** Every snapshot, newest first. */
export function listSnapshots(ctx: Pick<CommandContext, 'config'>): Snapshot[] {
  const root = snapshotsDir(ctx);
  if (!existsSync(root)) return [];
  const out: Snapshot[] = [];
  for (const name of readdirSync(root)) {
    try {
      const meta = JSON.parse(readFileSync(path.join(root, name, 'meta.json'), 'utf8')) as Omit<Snapshot, 'dir'>;
      out.push({ ...meta, dir: path.join(root, name) });
    } catch {
      // a snapshot cut short (crash while taking it): not usable
    }
  }
  return out.sort((a, b) => b.t - a.t);
}

/**
 * The last good snapshot: the newest one taken before a change that went through. (A change
 * that was rolled back left the instance as its snapshot was, so its snapshot is no way back.)
 */
export function lastGoodSnapshot(ctx: Pick<CommandContext, 'config'>): Snapshot | undefined {
  return listSnapshots(ctx).find((s) => s.outcome === 'applied');
}

function prune(ctx: Pick<CommandContext, 'config'>): void {
  for (const s of listSnapshots(ctx).slice(KEEP_SNAPSHOTS)) rmSync(s.dir, { recursive: true, force: true });
}

/**
 * Puts the snapshot's files back where they were, touching only what differs. Returns what it
 * restored (`openclaw.json`, persona file names); the caller restarts the gateway if needed.
 */
export function restoreFiles(ctx: CommandContext, s: Snapshot): string[] {
  const cfgPath = openclawConfigPath(ctx.config.openclawConfig);
  const ws = openclawWorkspace(cfgPath);
  const restored: string[] = [];
  for (const f of s.files) {
    const target = f === 'openclaw.json' ? cfgPath : path.join(ws, f);
    const want = readFileSync(path.join(s.dir, f));
    const have = existsSync(target) ? readFileSync(target) : null;
    if (have?.equals(want)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeAtomic(target, want);
    restored.push(f);
  }
  // A persona file that was absent is left as it is now: OpenClaw writes its own defaults into
  // the workspace, and removing them leaves the agent without one.
  return restored;
}
