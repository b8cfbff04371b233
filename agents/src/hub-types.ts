import type { ApiMetric, InstanceStatus, LogLevel, OpenclawState } from '@deepsignal/protocol';

export type { CommandView, SupportRequest } from '@deepsignal/protocol';

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
