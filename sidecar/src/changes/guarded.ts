import { type ChangeCheck, type ChangeReport, ROLLED_BACK } from '@deepsignal/protocol';
import { type CommandContext, CommandFailure } from '../commands/types.js';
import { errorMessage } from '../errors.js';
import { getConfig, modelOf } from '../openclaw/ops.js';
import { runOpenclawUpdate } from './cli-update.js';
import { drain } from './drain.js';
import { checkHealth, readyNow } from './health.js';
import { restartGateway } from './restart.js';
import { markSnapshot, restoreFiles, type Snapshot, snapshotInfoOf, takeSnapshot } from './snapshot.js';

/** The `error.code` when even the rollback did not make the agent healthy. */
export const ROLLBACK_FAILED = 'rollback_failed';

/**
 * Restores a snapshot: the files that differ, the OpenClaw version when it changed, then a
 * gateway restart when anything was restored, so the gateway runs on what was put back.
 */
export async function restoreSnapshot(ctx: CommandContext, s: Snapshot): Promise<string[]> {
  const restored = restoreFiles(ctx, s);
  const now = ctx.gateway?.hello?.version ?? null;
  if (s.openclawVersion && now && now !== s.openclawVersion) {
    ctx.progress({ message: `rollback: OpenClaw ${now} -> ${s.openclawVersion}` });
    await runOpenclawUpdate(ctx, s.openclawVersion);
    restored.push(`openclaw@${s.openclawVersion}`);
  }
  if (restored.length > 0 && !(await reloadedLive(ctx, s, restored))) {
    ctx.progress({ message: `rollback: restored ${restored.join(', ')}; restarting the gateway` });
    try {
      await restartGateway(ctx);
    } catch (e) {
      // The gateway may be restarting by itself (it follows its config file); the check decides.
      ctx.progress({ message: `rollback: restart: ${errorMessage(e)}` });
    }
  }
  return restored;
}

/**
 * Whether the gateway took the restored config up by itself (OpenClaw follows its config file
 * and applies a model change live): only the config file restored, and within 15 s the model in
 * effect is the snapshot's. Spares a restart, which takes long on a busy machine.
 */
async function reloadedLive(ctx: CommandContext, s: Snapshot, restored: string[]): Promise<boolean> {
  const gw = ctx.gateway;
  if (!gw?.connected || !s.model || restored.some((f) => f !== 'openclaw.json')) return false;
  ctx.progress({ message: 'rollback: config restored; waiting for the gateway to apply it live' });
  for (const end = ctx.now() + 15_000; ctx.now() < end; await new Promise((r) => setTimeout(r, 1000))) {
    try {
      if (modelOf((await getConfig(gw)).config) === s.model) return true;
    } catch {
      return false;
    }
  }
  return false;
}

const failing = (checks: ChangeCheck[]) => checks.find((c) => !c.ok);

/**
 * Runs a change with a way back. Unless `guard: false`: drain (unless `drain: false`), snapshot
 * what the change touches (reported to the hub as a `change.snapshot` event), apply, check
 * health; on any failing check restore the snapshot, check again, and fail with `rolled_back`
 * (or `rollback_failed`) carrying the whole story as the result. [SPEC 6.8]
 */
export async function guardedChange<R extends Record<string, unknown>>(
  ctx: CommandContext,
  apply: () => Promise<R>,
): Promise<R & { change?: ChangeReport }> {
  const p = ctx.params as { guard?: boolean };
  const drained = await drain(ctx, 90_000);
  if (p.guard === false) return apply();
  const type = ctx.command.type;
  const snap = takeSnapshot(ctx, type, type === 'config.apply');
  const snapshot = snapshotInfoOf(snap);
  ctx.emit.event({
    type: 'change.snapshot',
    message: `snapshot ${snap.id} before ${type}`,
    data: { commandId: ctx.command.id, snapshot },
  });
  ctx.progress({ message: `snapshot ${snap.id} taken (${snap.files.join(', ') || 'no files'})` });
  const base0 = () => ({ snapshot, ...(drained ? { drain: drained } : {}) });
  // A gateway that is not up before the change gives the check nothing to compare with: the
  // change runs (it may be the fix), reported `unguarded`, and nothing is rolled back.
  const baseline = !!ctx.gateway?.connected && (await readyNow(ctx.config.openclawUrl));
  if (!baseline) {
    const r = await apply();
    markSnapshot(snap, 'unguarded');
    const check = { name: 'baseline', ok: false, ms: 0, detail: 'the gateway was not up before the change' };
    return { ...r, change: { ...base0(), outcome: 'unguarded', failedCheck: null, checks: [check] } };
  }
  let result: R | undefined;
  let checks: ChangeCheck[];
  const t0 = ctx.now();
  try {
    result = await apply();
    checks = await checkHealth(ctx);
  } catch (e) {
    checks = [{ name: 'apply', ok: false, ms: ctx.now() - t0, detail: errorMessage(e).slice(0, 500) }];
  }
  const bad = failing(checks);
  const base = { ...base0(), checks };
  if (!bad && result) {
    markSnapshot(snap, 'applied');
    ctx.emit.event({
      type: 'change.applied',
      message: `${type} passed its health check`,
      data: { commandId: ctx.command.id, snapshotId: snap.id, checks },
    });
    return { ...result, change: { ...base, outcome: 'applied', failedCheck: null } };
  }
  const failedCheck = bad?.name ?? 'apply';
  ctx.progress({ message: `check ${failedCheck} failed (${bad?.detail ?? ''}); rolling back to ${snap.id}` });
  let rollbackChecks: ChangeCheck[];
  let restored: string[] = [];
  const r0 = ctx.now();
  try {
    restored = await restoreSnapshot(ctx, snap);
    rollbackChecks = await checkHealth(ctx);
    if (failing(rollbackChecks) && restored.length > 0) {
      // The gateway can report the restored config before its running agent has taken it up (a
      // live reload in flight): a restart puts it on what was restored, then the check runs again.
      ctx.progress({ message: 'rollback: still unhealthy after the restore; restarting the gateway, checking again' });
      await restartGateway(ctx).catch((e) => ctx.progress({ message: `rollback: restart: ${errorMessage(e)}` }));
      rollbackChecks = await checkHealth(ctx);
    }
  } catch (e) {
    rollbackChecks = [{ name: 'restore', ok: false, ms: ctx.now() - r0, detail: errorMessage(e).slice(0, 500) }];
  }
  const healthy = !failing(rollbackChecks);
  const outcome = healthy ? 'rolled_back' : 'rollback_failed';
  markSnapshot(snap, outcome);
  const change: ChangeReport = { ...base, outcome, failedCheck, rollbackChecks };
  const message = healthy
    ? `${type} rolled back: check ${failedCheck} failed (${bad?.detail ?? ''}); restored ${restored.join(', ') || 'nothing that differed'}; healthy again`
    : `${type} failed its ${failedCheck} check and the rollback to ${snap.id} did not make the agent healthy (${failing(rollbackChecks)?.name}: ${failing(rollbackChecks)?.detail ?? ''})`;
  ctx.emit.event({
    type: healthy ? 'change.rolled_back' : 'change.rollback_failed',
    severity: healthy ? 'warn' : 'error',
    message: message.slice(0, 1000),
    data: { commandId: ctx.command.id, snapshotId: snap.id, failedCheck, restored },
  });
  throw new CommandFailure(healthy ? ROLLED_BACK : ROLLBACK_FAILED, message, { change, restored });
}
