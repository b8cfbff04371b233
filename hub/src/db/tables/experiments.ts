import { jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * An A/B experiment on one instance: persona variant A (what the agent runs now) against B, the
 * decision rule it was started with, and its outcome. At most one runs per instance.
 */
export const experiments = pgTable('experiments', {
  id: text('id').primaryKey(),
  clientId: text('client_id').notNull(),
  instanceId: text('instance_id').notNull(),
  name: text('name').notNull(),
  /** running | decided (a winner, waiting for or past approval) | stopped (no winner, or by hand). */
  status: text('status').notNull().default('running'),
  /** `{label, instructions}` of each variant: the custom instructions of the client's persona. */
  variantA: jsonb('variant_a').notNull(),
  variantB: jsonb('variant_b').notNull(),
  /** DecisionRule: alpha, minPerVariant, maxPerVariant, maxDays. */
  rule: jsonb('rule').notNull(),
  winner: text('winner'),
  stopReason: text('stop_reason'),
  /** The latest evaluation (metrics per variant, tests, decision), kept for lists and the report. */
  evaluation: jsonb('evaluation'),
  /** The proposal that applies the winning persona, once decided. */
  proposalId: text('proposal_id'),
  /** The config.apply that last pushed the variant's routing, so only one is in flight. */
  routingCommandId: text('routing_command_id'),
  createdBy: text('created_by').notNull(),
  startedAt: ts('started_at').notNull().defaultNow(),
  stoppedAt: ts('stopped_at'),
});

/** A person (channel + peer) assigned to a variant; sessions they start after `assigned_at` count for it. */
export const experimentPeers = pgTable(
  'experiment_peers',
  {
    experimentId: text('experiment_id').notNull(),
    /** `<channel>:<kind>:<id>` as in OpenClaw's session keys. */
    peer: text('peer').notNull(),
    variant: text('variant').notNull(),
    assignedAt: ts('assigned_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.peer] })],
);

/** Weekly reports already sent: one per client and ISO week, so a restart or a second hub never mails twice. */
export const weeklyReports = pgTable(
  'weekly_reports',
  {
    clientId: text('client_id').notNull(),
    /** ISO week, e.g. `2026-W49`. */
    week: text('week').notNull(),
    report: jsonb('report').notNull(),
    mailedTo: text('mailed_to'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.week] })],
);
