import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createArchive, fileDigest, openclawStateDir } from '../transfer/archive.js';
import { CommandFailure, type CommandHandler } from './types.js';

/**
 * `backup.create {transferId}`: a gzipped tar of OpenClaw's state (config, workspace, agent
 * databases; no caches or logs), written to a temp file, then streamed to the hub on
 * `transfer/<transferId>/out`. [SPEC 7.2]
 */
export const backupCreate: CommandHandler = async (ctx) => {
  const remote = ctx.remote;
  if (!remote) throw new CommandFailure('UNAVAILABLE', 'transfers are not available on this sidecar');
  const { transferId } = ctx.params as { transferId: string };
  const dir = path.join(ctx.config.stateDir, 'transfers');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${transferId}.tar.gz`);
  try {
    ctx.progress({ pct: 0, message: 'archiving' });
    const files = await createArchive(openclawStateDir(ctx.config), file, ctx.signal);
    const info = await fileDigest(file);
    ctx.progress({ pct: 5, message: `sending ${info.size} bytes` });
    let last = 0;
    await remote.transfer.send(transferId, file, info, {
      signal: ctx.signal,
      progress: (pct) => {
        if (pct - last < 10 && pct < 100) return;
        last = pct;
        ctx.progress({ pct: 5 + Math.round(pct * 0.95), message: 'sending' });
      },
    });
    return { size: info.size, sha256: info.sha256, files };
  } finally {
    rmSync(file, { force: true });
  }
};
