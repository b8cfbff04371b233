import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { extractArchive, openclawStateDir } from '../transfer/archive.js';
import { CommandFailure, type CommandHandler } from './types.js';

/**
 * `backup.restore {transferId, size, sha256}`: receives the archive on `transfer/<id>/in`, checks
 * size and checksum, unpacks it next to OpenClaw's state directory and swaps it in (the old state
 * is kept as `<dir>.pre-restore-<time>`), then asks a running gateway to restart. [SPEC 7.2]
 */
export const backupRestore: CommandHandler = async (ctx) => {
  const remote = ctx.remote;
  if (!remote) throw new CommandFailure('UNAVAILABLE', 'transfers are not available on this sidecar');
  const p = ctx.params as { transferId: string; size: number; sha256: string };
  const tmp = path.join(ctx.config.stateDir, 'transfers');
  mkdirSync(tmp, { recursive: true });
  const file = path.join(tmp, `${p.transferId}.tar.gz`);
  const target = openclawStateDir(ctx.config);
  const staging = `${target}.restore-${p.transferId}`;
  try {
    ctx.progress({ pct: 0, message: `receiving ${p.size} bytes` });
    await remote.transfer.receive(p.transferId, file, { size: p.size, sha256: p.sha256 }, ctx.signal);
    ctx.progress({ pct: 80, message: 'unpacking' });
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const files = await extractArchive(file, staging, ctx.signal);
    if (existsSync(target)) renameSync(target, `${target}.pre-restore-${ctx.now()}`);
    renameSync(staging, target);
    ctx.progress({ pct: 95, message: 'restored; restarting the gateway' });
    if (ctx.gateway?.connected) await ctx.gateway.request('gateway.restart.request', {}).catch(() => {});
    return { restored: true as const, files };
  } finally {
    rmSync(file, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
};
