import type { AgentFindingView, AgentProposalView, AgentRunView } from '@deepsignal/protocol';
import type { Fleet } from '../fleet/fleet.js';
import type { AgentName } from './agents.js';
import type { AgentState, PlannedCommand } from './policy.js';

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

export type FindingView = AgentFindingView;
export type ProposalView = AgentProposalView;
export type Outcome = AgentProposalView['outcomes'][number];
export type TargetNow = AgentProposalView['targets'][number];
export type RunView = AgentRunView;

export const toFinding = (r: Row): FindingView => ({
  id: String(r.id),
  agent: String(r.agent),
  runId: (r.run_id as string | null) ?? null,
  instanceId: (r.instance_id as string | null) ?? null,
  clientId: (r.client_id as string | null) ?? null,
  kind: String(r.kind),
  severity: r.severity as FindingView['severity'],
  what: String(r.what),
  evidence: (r.evidence as Record<string, unknown>) ?? {},
  createdAt: iso(r.created_at) as string,
});

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
    risk: r.risk as ProposalView['risk'],
    reasoning: String(r.reasoning),
    status: r.status as ProposalView['status'],
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
