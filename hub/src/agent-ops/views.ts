import type { Fleet } from '../fleet/fleet.js';
import type { AgentName } from './agents.js';
import type { AgentState, PlannedCommand, Risk } from './policy.js';

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export const toAgentState = (r: Row): AgentState => ({
  name: r.name as AgentName,
  accountId: (r.account_id as string | null) ?? null,
  paused: !!r.paused,
  dryRun: !!r.dry_run,
  actions: (r.actions as Record<string, string>) ?? {},
  maxInstancesPerHour: (r.max_instances_per_hour as number | null) ?? null,
  failureLimit: (r.failure_limit as number | null) ?? null,
  failures: Number(r.failures ?? 0),
  breakerOpenedAt: iso(r.breaker_opened_at),
  breakerReason: (r.breaker_reason as string | null) ?? null,
});

/** A finding as the API shows it. */
export interface FindingView {
  id: string;
  agent: string;
  runId: string | null;
  instanceId: string | null;
  clientId: string | null;
  kind: string;
  severity: string;
  what: string;
  evidence: Record<string, unknown>;
  createdAt: string;
}

export const toFinding = (r: Row): FindingView => ({
  id: String(r.id),
  agent: String(r.agent),
  runId: (r.run_id as string | null) ?? null,
  instanceId: (r.instance_id as string | null) ?? null,
  clientId: (r.client_id as string | null) ?? null,
  kind: String(r.kind),
  severity: String(r.severity),
  what: String(r.what),
  evidence: (r.evidence as Record<string, unknown>) ?? {},
  createdAt: iso(r.created_at) as string,
});

/** What one command of a proposal did (filled in as it runs). */
export interface Outcome {
  instanceId: string;
  type: string;
  commandId: string;
  status: string;
  error: { code: string; message: string } | null;
}

/** The instance a command targets, as it is now: the "before" of the proposal's diff. */
export interface TargetNow {
  instanceId: string;
  hostname: string | null;
  clientId: string | null;
  status: string | null;
  openclaw: { up?: boolean; ready?: boolean; error?: string } | null;
}

/** A proposal as the API shows it. */
export interface ProposalView {
  id: string;
  agent: string;
  runId: string | null;
  findingId: string | null;
  title: string;
  commands: PlannedCommand[];
  expectedEffect: string;
  risk: Risk;
  reasoning: string;
  status: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  refusal: { code: string; message: string } | null;
  outcomes: Outcome[];
  targets: TargetNow[];
  createdAt: string;
  executedAt: string | null;
  finishedAt: string | null;
}

export function toProposal(r: Row, fleet: Fleet): ProposalView {
  const commands = (r.commands as PlannedCommand[]) ?? [];
  const targets = [...new Set(commands.map((c) => c.instanceId))].map((id): TargetNow => {
    const s = fleet.get(id);
    return {
      instanceId: id,
      hostname: s?.hostname ?? null,
      clientId: s?.clientId ?? null,
      status: s?.status ?? null,
      openclaw: s?.openclaw
        ? { up: s.openclaw.up, ready: s.openclaw.ready, error: s.openclaw.error ?? undefined }
        : null,
    };
  });
  return {
    id: String(r.id),
    agent: String(r.agent),
    runId: (r.run_id as string | null) ?? null,
    findingId: (r.finding_id as string | null) ?? null,
    title: String(r.title),
    commands,
    expectedEffect: String(r.expected_effect),
    risk: r.risk as Risk,
    reasoning: String(r.reasoning),
    status: String(r.status),
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: iso(r.decided_at),
    decisionNote: (r.decision_note as string | null) ?? null,
    refusal: (r.refusal as ProposalView['refusal']) ?? null,
    outcomes: (r.outcomes as Outcome[]) ?? [],
    targets,
    createdAt: iso(r.created_at) as string,
    executedAt: iso(r.executed_at),
    finishedAt: iso(r.finished_at),
  };
}

/** One agent run. */
export interface RunView {
  id: string;
  agent: string;
  startedAt: string;
  endedAt: string | null;
  findings: number;
  proposals: number;
  costUsd: number;
  tokensIn: number;
  tokensOut: number;
  error: string | null;
}

export const toRun = (r: Row): RunView => ({
  id: String(r.id),
  agent: String(r.agent),
  startedAt: iso(r.started_at) as string,
  endedAt: iso(r.ended_at),
  findings: Number(r.findings ?? 0),
  proposals: Number(r.proposals ?? 0),
  costUsd: Number(r.cost_usd ?? 0),
  tokensIn: Number(r.tokens_in ?? 0),
  tokensOut: Number(r.tokens_out ?? 0),
  error: (r.error as string | null) ?? null,
});
