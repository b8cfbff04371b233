import type { ApiMetric, CommandState, InstanceStatus, LogLevel, OpenclawState } from '@deepsignal/protocol';

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

/** A command as the hub reports it (`GET /commands/:id`, `GET /instances/:id/commands`). */
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
  progress: unknown;
  result: unknown;
  error: { code: string; message: string } | null;
}

/** A client's "Get help" request. */
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
