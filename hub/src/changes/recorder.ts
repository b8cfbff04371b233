import { type ChangeReport, changeReport, snapshotInfo, TERMINAL_STATES } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { CommandService, CommandView } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';

/** The `change` part of a finished command's result, when it is a well-formed one. */
export function changeOf(v: Pick<CommandView, 'result'>): ChangeReport | null {
  const c = (v.result as { change?: unknown } | null)?.change;
  const r = changeReport.safeParse(c);
  return r.success ? r.data : null;
}

/**
 * Records in `change_snapshots` the snapshot every guarded change reports when it finishes
 * (succeeded or rolled back), and marks a snapshot `restored` when a `change.rollback` brought
 * the instance back to it.
 */
export function recordChanges(db: Db, fleet: Fleet, commands: CommandService, log: Logger): void {
  commands.onChange((v) => {
    if (!TERMINAL_STATES.has(v.status)) return;
    void record(db, fleet, v).catch((e) =>
      log.warn({ err: (e as Error).message, id: v.id }, 'recording the change snapshot failed'),
    );
  });
}

async function record(db: Db, fleet: Fleet, v: CommandView): Promise<void> {
  if (v.type === 'change.rollback' && v.status === 'succeeded') {
    const snap = snapshotInfo.safeParse((v.result as { snapshot?: unknown } | null)?.snapshot);
    if (!snap.success) return;
    await db.query(
      `UPDATE change_snapshots SET outcome = 'restored', restored_by = $3, updated_at = now()
       WHERE id = $1 AND instance_id = $2`,
      [snap.data.id, v.instanceId, v.id],
    );
    return;
  }
  const change = changeOf(v);
  if (!change) return;
  await db.query(
    `INSERT INTO change_snapshots (id, instance_id, client_id, command_id, command_type, taken_at, info, outcome, failed_check, checks)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
     ON CONFLICT (id) DO UPDATE SET outcome = EXCLUDED.outcome, failed_check = EXCLUDED.failed_check,
       checks = EXCLUDED.checks, updated_at = now()`,
    [
      change.snapshot.id,
      v.instanceId,
      fleet.get(v.instanceId)?.clientId ?? null,
      v.id,
      v.type,
      new Date(change.snapshot.t),
      JSON.stringify(change.snapshot),
      change.outcome,
      change.failedCheck,
      JSON.stringify({
        checks: change.checks,
        rollbackChecks: change.rollbackChecks ?? null,
        drain: change.drain ?? null,
      }),
    ],
  );
}
