import { drain } from '../changes/drain.js';
import { restoreSnapshot } from '../changes/guarded.js';
import { checkHealth } from '../changes/health.js';
import { lastGoodSnapshot, listSnapshots, markSnapshot, snapshotInfoOf } from '../changes/snapshot.js';
import { CommandFailure, type CommandHandler } from './types.js';

/**
 * `change.rollback`: restores the last good snapshot (the state before the newest change that
 * went through) or the one named, then runs the same health check as after a change.
 */
export const changeRollback: CommandHandler = async (ctx) => {
  const { snapshotId } = ctx.params as { snapshotId?: string };
  const snap = snapshotId ? listSnapshots(ctx).find((s) => s.id === snapshotId) : lastGoodSnapshot(ctx);
  if (!snap)
    throw new CommandFailure(
      'no_snapshot',
      snapshotId
        ? `no snapshot ${snapshotId} on this instance`
        : 'no change has gone through yet: nothing to roll back to',
    );
  const drained = await drain(ctx, 120_000);
  ctx.progress({ message: `rolling back to ${snap.id} (taken before ${snap.reason})` });
  const restored = await restoreSnapshot(ctx, snap);
  const checks = await checkHealth(ctx);
  const healthy = checks.every((c) => c.ok);
  markSnapshot(snap, healthy ? 'restored' : 'restore_failed');
  ctx.emit.event({
    type: healthy ? 'change.rolled_back' : 'change.rollback_failed',
    severity: healthy ? 'warn' : 'error',
    message: `rolled back by hand to ${snap.id}: ${healthy ? 'healthy' : 'not healthy'}`,
    data: { commandId: ctx.command.id, snapshotId: snap.id, restored, manual: true },
  });
  return { snapshot: snapshotInfoOf(snap), restored, checks, healthy, ...(drained ? { drain: drained } : {}) };
};
