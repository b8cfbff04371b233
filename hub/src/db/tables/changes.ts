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

/**
 * A change held for the client's next maintenance window: the command it becomes, when it may run
 * at the earliest, and what became of it. `scheduled` until the window opens, then `dispatched`
 * (with its command) or `failed` (the command could not be issued); `canceled` by a person;
 * `missed` when the instance was gone when the window opened.
 */
export const scheduledChanges = pgTable(
  'scheduled_changes',
  {
    id: text('id').notNull().primaryKey(),
    instanceId: text('instance_id').notNull(),
    clientId: text('client_id').notNull(),
    type: text('type').notNull(),
    /** Validated command params (types with secret params are never scheduled). */
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull(),
    /** The start of the window occurrence it was planned into (informational; any open window runs it). */
    runAfter: ts('run_after').notNull(),
    windowId: text('window_id'),
    commandId: text('command_id'),
    error: text('error'),
    createdBy: text('created_by').notNull(),
    /** Who created it, as the command's issuer (user id and email). */
    issuerId: text('issuer_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('scheduled_changes_status_idx').on(t.status, t.runAfter),
    index('scheduled_changes_instance_idx').on(t.instanceId, t.createdAt),
  ],
);
