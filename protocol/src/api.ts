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
  /**
   * Sidecar commands and hub actions (`instance.replace`, `instance.resize`: run by the hub
   * itself). A hub action carries the hub's `preview` of what will change, made when proposed.
   */
  commands: { instanceId: string; type: string; params: Record<string, unknown>; preview?: HubActionPreview }[];
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
    /** A hub action's deployment (replace), backup restored, and where it is in words. */
    deploymentId?: string;
    backupId?: string;
    detail?: string;
    /** A change the hub held for the client's maintenance window (status `scheduled` until then). */
    scheduledChangeId?: string;
    runAfter?: string | null;
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

/** What a hub action in a proposal will change, as the hub worked it out when it was proposed. */
export interface HubActionPreview {
  /** Server type and location now, and after. */
  fromServerType: string;
  toServerType: string;
  fromLocation: string;
  toLocation: string;
  /** Monthly gross prices (EUR) in the target location; null when the provider lists none. */
  monthlyFrom: number | null;
  monthlyTo: number | null;
  monthlyDelta: number | null;
  currency: 'EUR';
  /** replace: the backup restored onto the new server, and when it was made. */
  backupId?: string;
  backupAt?: string | null;
  /** replace: the dead server released once the new one is live. */
  oldServerId?: number | null;
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

/**
 * A message of a client's onboarding help chat (`GET /onboarding/help`): the client's question
 * (`pending` until the onboarding agent answers it, then `answered`) or the agent's answer (`sent`,
 * `replyTo` the question, `facts` what it was made from).
 */
export interface OnboardingHelpMessageView {
  id: string;
  clientId: string;
  author: 'client' | 'agent';
  text: string;
  status: 'pending' | 'answered' | 'sent';
  replyTo: string | null;
  facts: Record<string, unknown> | null;
  createdAt: string;
  answeredAt: string | null;
}
