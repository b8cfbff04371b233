import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { extractArchive, openclawStateDir } from '../transfer/archive.js';
import { CommandFailure, type CommandHandler } from './types.js';

/**
 * `backup.restore {transferId, size, sha256}`: receives the archive on `transfer/<id>/in`, checks
 * size and checksum, unpacks it into `<state dir>/.restore-<id>` (refusing links that leave the
 * tree), then swaps the contents: what was there moves to `<state dir>/.pre-restore-<time>/`, the
 * restored files take its place; finally it asks a running gateway to restart. [SPEC 7.2]
 * Everything happens inside OpenClaw's state directory, so the installer's hardening (home
 * read-only except that directory) allows it; the two dot folders are left out of backups.
 */
export const backupRestore: CommandHandler = async (ctx) => {
  const remote = ctx.remote;
  if (!remote) throw new CommandFailure('UNAVAILABLE', 'transfers are not available on this sidecar');
  const p = ctx.params as { transferId: string; size: number; sha256: string };
  const tmp = path.join(ctx.config.stateDir, 'transfers');
  mkdirSync(tmp, { recursive: true });
  const file = path.join(tmp, `${p.transferId}.tar.gz`);
  const target = openclawStateDir(ctx.config);
  const staging = path.join(target, `.restore-${p.transferId}`);
  try {
    ctx.progress({ pct: 0, message: `receiving ${p.size} bytes` });
    await remote.transfer.receive(p.transferId, file, { size: p.size, sha256: p.sha256 }, ctx.signal);
    ctx.progress({ pct: 80, message: 'unpacking' });
    mkdirSync(target, { recursive: true, mode: 0o700 });
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const files = await extractArchive(file, staging, ctx.signal);
    swapIn(target, staging, ctx.now());
    ctx.progress({ pct: 95, message: 'restored; restarting the gateway' });
    if (ctx.gateway?.connected) await ctx.gateway.request('gateway.restart.request', {}).catch(() => {});
    return { restored: true as const, files };
  } finally {
    rmSync(file, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
};

const isOurs = (name: string) => name.startsWith('.restore-') || name.startsWith('.pre-restore-');

/** Moves the state directory's files to `.pre-restore-<stamp>/` and the staged ones in their place. */
export function swapIn(target: string, staging: string, stamp: number): void {
  const kept = path.join(target, `.pre-restore-${stamp}`);
  mkdirSync(kept, { mode: 0o700 });
  for (const name of readdirSync(target)) if (!isOurs(name)) renameSync(path.join(target, name), path.join(kept, name));
  for (const name of readdirSync(staging))
    if (!isOurs(name)) renameSync(path.join(staging, name), path.join(target, name));
}
