import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The ops agents the hub knows (orchestrator, security, support, billing, onboarding, learning):
 * each is a service account, and the policy the hub enforces on what it proposes. Null limits
 * mean the hub's settings (DS_AGENT_MAX_INSTANCES_PER_HOUR, DS_AGENT_FAILURE_LIMIT).
 */
export const opsAgents = pgTable('ops_agents', {
  name: text('name').primaryKey(),
  /** Its service account (`users.id`), made when its first token is minted. */
  accountId: text('account_id'),
  paused: boolean('paused').notNull().default(false),
  dryRun: boolean('dry_run').notNull().default(false),
  /** Per command type: `auto` | `approve` | `never`; `*` is every other type. */
  actions: jsonb('actions').$type<Record<string, string>>().notNull(),
  maxInstancesPerHour: integer('max_instances_per_hour'),
  failureLimit: integer('failure_limit'),
  /** Failed actions since the last success or reset; the breaker opens at the limit. */
  failures: integer('failures').notNull().default(0),
  breakerOpenedAt: ts('breaker_opened_at'),
  breakerReason: text('breaker_reason'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Something an agent observed about an instance (or the fleet), with the evidence it saw. */
export const agentFindings = pgTable(
  'agent_findings',
  {
    id: text('id').primaryKey(),
    agent: text('agent').notNull(),
    runId: text('run_id'),
    instanceId: text('instance_id'),
    clientId: text('client_id'),
    kind: text('kind').notNull(),
    severity: text('severity').notNull(),
    what: text('what').notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('agent_findings_agent_idx').on(t.agent, t.createdAt)],
);

/**
 * A plan an agent proposes: commands per instance with what it expects, the risk and why.
 * status: `pending` (waits for an admin) | `approved` | `rejected` | `refused` (the policy said
 * no; `refusal` has the code) | `dry_run` (recorded, never executed) | `executing` |
 * `succeeded` | `failed`. `outcomes` holds each command's id and final state.
 */
export const agentProposals = pgTable(
  'agent_proposals',
  {
    id: text('id').primaryKey(),
    agent: text('agent').notNull(),
    runId: text('run_id'),
    findingId: text('finding_id'),
    title: text('title').notNull(),
    commands: jsonb('commands')
      .$type<{ instanceId: string; type: string; params: Record<string, unknown> }[]>()
      .notNull(),
    expectedEffect: text('expected_effect').notNull(),
    risk: text('risk').notNull(),
    reasoning: text('reasoning').notNull(),
    status: text('status').notNull(),
    /** `auto` (the policy approved it) or the admin's user id. */
    decidedBy: text('decided_by'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
    refusal: jsonb('refusal').$type<{ code: string; message: string }>(),
    outcomes: jsonb('outcomes').$type<Record<string, unknown>[]>(),
    idempotencyKey: text('idempotency_key'),
    createdAt: ts('created_at').notNull().defaultNow(),
    executedAt: ts('executed_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    index('agent_proposals_status_idx').on(t.status, t.createdAt),
    uniqueIndex('agent_proposals_idem_idx').on(t.agent, t.idempotencyKey),
  ],
);

/** One run (pass) of an agent: when, what it produced, what its model cost. */
export const agentRuns = pgTable(
  'agent_runs',
  {
    id: text('id').primaryKey(),
    agent: text('agent').notNull(),
    startedAt: ts('started_at').notNull().defaultNow(),
    endedAt: ts('ended_at'),
    findings: integer('findings').notNull().default(0),
    proposals: integer('proposals').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    tokensIn: integer('tokens_in').notNull().default(0),
    tokensOut: integer('tokens_out').notNull().default(0),
    error: text('error'),
  },
  (t) => [index('agent_runs_agent_idx').on(t.agent, t.startedAt)],
);
