import type { CommandState } from './commands/lifecycle.js';

/**
 * Views the hub's HTTP API returns, shared by the hub (which builds them) and its API clients
 * (the agents and the dashboard).
 */

/** A command as the API returns it (`GET /commands/:id`, `GET /instances/:id/commands`). */
export interface CommandView {
  id: string;
  instanceId: string;
  type: string;
  params: Record<string, unknown>;
  status: CommandState;
  issuedBy: string;
  idempotencyKey: string | null;
  issuedAt: string;
  expiresAt: string;
  deliveredAt: string | null;
  updatedAt: string;
  progress: { pct?: number; message?: string; image?: string } | null;
  result: unknown;
  error: { code: string; message: string } | null;
  rolloutId: string | null;
}

/** A client's "Get help" request (`GET /support-requests`). */
export interface SupportRequest {
  id: string;
  clientId: string;
  instanceId: string | null;
  userId: string | null;
  subject: string;
  body: string;
  status: 'open' | 'resolved';
  createdAt: string;
}

/** Something an ops agent observed (`GET/POST /agent-findings`). */
export interface AgentFindingView {
  id: string;
  agent: string;
  runId: string | null;
  instanceId: string | null;
  clientId: string | null;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  what: string;
  evidence: Record<string, unknown>;
  createdAt: string;
}

/** Where an agent proposal is: see hub/README.md (Agent Ops). */
export type AgentProposalStatus =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'refused'
  | 'dry_run'
  | 'executing'
  | 'succeeded'
  | 'failed';

/** A plan an ops agent proposed, its decision and outcome (`GET /agent-proposals`). */
export interface AgentProposalView {
  id: string;
  agent: string;
  runId: string | null;
  findingId: string | null;
  title: string;
  commands: { instanceId: string; type: string; params: Record<string, unknown> }[];
  expectedEffect: string;
  risk: 'low' | 'medium' | 'high';
  reasoning: string;
  status: AgentProposalStatus;
  /** `auto` (the policy approved it) or the admin's user id. */
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  refusal: { code: string; message: string } | null;
  /** Each executed command and its last known state. */
  outcomes: {
    instanceId: string;
    type: string;
    commandId: string;
    status: string;
    error: { code: string; message: string } | null;
  }[];
  /** Each instance the plan touches, as it is now: the "before" of the proposal's diff. */
  targets: {
    instanceId: string;
    hostname: string | null;
    clientId: string | null;
    status: string | null;
    openclaw: { up?: boolean; ready?: boolean; error?: string } | null;
  }[];
  createdAt: string;
  executedAt: string | null;
  finishedAt: string | null;
}

/** One recorded run of an ops agent (`GET /agent-runs`). */
export interface AgentRunView {
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
