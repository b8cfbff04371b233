import type { ApiMetric, InstanceStatus, LogLevel, OpenclawState } from '@deepsignal/protocol';

export type {
  AgentFindingView as FindingView,
  AgentProposalView as ProposalView,
  AgentRunView as RunView,
  CommandView,
  SupportRequest,
} from '@deepsignal/protocol';

/** One instance as `GET /instances` lists it. */
export interface Instance {
  id: string;
  clientId: string;
  hostname: string;
  status: InstanceStatus;
  lastSeen: string | null;
  metrics: Partial<Record<ApiMetric, number>>;
  metricsAt: string | null;
  openclaw: OpenclawState | null;
}

/** `GET /instances/:id`: the list view plus versions and capabilities. */
export interface InstanceDetail extends Instance {
  sidecarVersion: string | null;
  openclawVersion: string | null;
  capabilities: string[] | null;
  createdAt: string;
}

/** `GET /instances/:id/metrics`: one series. */
export interface MetricSeries {
  name: ApiMetric;
  step: string;
  resolution: string;
  points: [string, number][];
}

/** One stored log line. */
export interface LogLineView {
  t: string;
  level: LogLevel | string;
  subsystem: string;
  msg: string;
}

/** One stored conversation message. */
export interface ConversationView {
  messageId: string;
  t: string;
  sessionKey: string;
  channel: string;
  role: string;
  text: string;
  tokensIn: number;
  tokensOut: number;
  cost: number;
  model: string | null;
  provider: string | null;
  latencyMs: number | null;
  sentiment: number | null;
}

/** One entry of a ticket's thread (`GET /tickets/:id`). */
export interface TicketEntry {
  id: string;
  kind: 'message' | 'note' | 'system';
  author: 'client' | 'operator' | 'agent' | 'system';
  body: string;
  automatic: boolean;
  meta: unknown;
  createdAt: string;
}

/** A support ticket as operators and agents see it. */
export interface TicketView {
  id: string;
  clientId: string;
  instanceId: string | null;
  subject: string;
  state: string;
  category: string;
  priority: string;
  createdAt: string;
  sla: { state: 'ok' | 'at_risk' | 'breached' };
  draftReply?: string | null;
  proposedResolution?: string | null;
}

export interface TicketWithThread extends TicketView {
  thread: TicketEntry[];
}

/** What the support agent writes back on a ticket (`POST /tickets/:id/triage`). */
export interface TicketTriage {
  note: string;
  category?: string;
  priority?: string;
  draftReply?: string;
  proposeResolution?: string;
  autoReply?: string;
  meta?: Record<string, unknown>;
}

/** A knowledge-base article suggested for a text (`GET /kb/suggest`). */
export interface ArticleSuggestion {
  id: string;
  slug: string;
  title: string;
  rank: number;
}

/** A finding an agent posts (`POST /agent-findings`). */
export interface NewFinding {
  runId?: string;
  instanceId?: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  what: string;
  evidence?: Record<string, unknown>;
}

/** A plan an agent posts (`POST /agent-proposals`). */
export interface NewProposal {
  runId?: string;
  findingId?: string;
  title: string;
  commands: { instanceId: string; type: string; params: Record<string, unknown> }[];
  expectedEffect: string;
  risk: 'low' | 'medium' | 'high';
  reasoning: string;
  idempotencyKey?: string;
}

/** A token the hub minted for an agent (shown once). */
export interface MintedToken {
  agent: string;
  accountId: string;
  tokenId: string;
  token: string;
  scopes: string[];
  expiresAt: string;
}

/** `GET /advisories`: what the hub knows about OpenClaw and sidecar versions. */
export interface AdvisoryList {
  advisories: {
    id: string;
    package: 'openclaw' | '@deepsignal/sidecar';
    title: string;
    severity: 'info' | 'low' | 'moderate' | 'high' | 'critical';
    /** npm range syntax. */
    vulnerableVersions: string;
    url: string | null;
  }[];
  pinned: { openclaw: string; sidecar: string };
  refreshedAt: string | null;
  source: string | null;
  refreshError: string | null;
}

/** `GET /security/key-ages`: when each key was last set (never a key itself). */
export interface KeyAges {
  hubKey: { keyId: string; createdAt: string | null };
  secrets: { clientId: string; name: string; updatedAt: string }[];
  instanceSecrets: { instanceId: string; clientId: string; hostname: string; since: string }[];
  tokens: {
    id: string;
    name: string;
    account: string;
    createdAt: string;
    expiresAt: string | null;
    lastUsedAt: string | null;
  }[];
}

/** `GET /security/console-sessions`. */
export interface ConsoleSession {
  id: number;
  t: string;
  actor: string;
  actorEmail: string | null;
  sessionId: string | null;
  clientId: string | null;
  instanceId: string | null;
  inMaintenanceWindow: boolean;
}

/** `GET /instances/:id/activity`: one UTC hour with any activity. */
export interface ActivityHour {
  hour: string;
  messages: number;
  tokens: number;
  errors: number;
  latencyMs: number | null;
}

/** `GET /audit`: one entry. */
export interface AuditEntry {
  id: number;
  t: string;
  actor: string;
  actorEmail: string | null;
  action: string;
  target: string | null;
  clientId: string | null;
  detail: unknown;
}

/** `GET /instances/:id/server`: where an instance runs (servers the hub deployed). */
export interface InstanceServer {
  instanceId: string;
  provider: string;
  serverId: number | null;
  serverName: string;
  serverType: string;
  location: string;
  monthlyPrice: number | null;
  /** running, resizing, pausing, paused, moving, … */
  state: string;
  deploymentId: string | null;
  operation: { kind: string; status: string; error: string | null } | null;
  /** With `probe`: the server as the provider has it now (`deleted`, `off`, `running`, … or `unknown`). */
  providerStatus?: string;
}

/** `GET /deploy/catalogue`: server types with their monthly gross price (EUR) per location. */
export interface Catalogue {
  locations: { name: string; country: string }[];
  serverTypes: {
    name: string;
    cores: number;
    memoryGb: number;
    diskGb: number;
    cpuType: string;
    architecture: string;
    monthlyPrice: Record<string, number>;
  }[];
}

/** An A/B experiment as `GET /experiments` shows it (the fields the learning agent reads). */
export interface ExperimentView {
  id: string;
  clientId: string;
  instanceId: string;
  name: string;
  status: 'running' | 'decided' | 'stopped';
  variantA: { label: string; instructions: string };
  variantB: { label: string; instructions: string };
  winner: 'A' | 'B' | null;
  stopReason: string | null;
  proposalId: string | null;
  evaluation: {
    a: {
      sessions: number;
      resolutionRate: number;
      sentimentMean: number | null;
      replyLengthMean: number;
      costMean: number;
    };
    b: {
      sessions: number;
      resolutionRate: number;
      sentimentMean: number | null;
      replyLengthMean: number;
      costMean: number;
    };
    resolution: { p: number; diff: number } | null;
    alphaPerLook: number;
  } | null;
}
