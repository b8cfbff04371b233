import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Snapshots a sidecar took before a guarded change (openclaw.update, config.apply, model.set),
 * as its command reported them, with how the change ended: `applied`, `rolled_back` (a check
 * failed; the snapshot was restored and the agent was healthy again), `rollback_failed`, or
 * `restored` once rolled back to by hand. The files stay on the instance.
 */
export const changeSnapshots = pgTable(
  'change_snapshots',
  {
    id: text('id').notNull().primaryKey(),
    instanceId: text('instance_id').notNull(),
    clientId: text('client_id'),
    /** The command that took it, and its type. */
    commandId: text('command_id').notNull(),
    commandType: text('command_type').notNull(),
    takenAt: ts('taken_at').notNull(),
    /** What it holds: versions, config hash, model, file names (protocol snapshotInfo). */
    info: jsonb('info').$type<Record<string, unknown>>().notNull(),
    outcome: text('outcome').notNull(),
    failedCheck: text('failed_check'),
    /** Checks after the change and after the rollback. */
    checks: jsonb('checks').$type<Record<string, unknown>>(),
    /** The `change.rollback` command that restored it by hand, if any. */
    restoredBy: text('restored_by'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('change_snapshots_instance_idx').on(t.instanceId, t.takenAt)],
);
