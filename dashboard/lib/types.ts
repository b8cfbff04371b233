import type { CommandState } from '@protocol/commands/lifecycle';
import type { InstanceStatus } from '@protocol/live';
import type { ConversationMessage } from '@protocol/messages/conversations';
import type { InstanceEvent, OpenclawState } from '@protocol/messages/events';
import type { LogLine } from '@protocol/messages/logs';
import type { ApiMetric } from '@protocol/metric-names';
import type { Role } from '@protocol/roles';

export type { ApiMetric, CommandState, InstanceEvent, InstanceStatus, LogLine, OpenclawState, Role };

/** The signed-in user, as POST /auth/login returns it. */
export interface User {
  id: string;
  email: string;
  role: Role;
  clientId: string | null;
}

/** Latest metric values of an instance, keyed by API metric name (the hub may add more). */
export type MetricValues = Partial<Record<ApiMetric, number>> & Record<string, number | undefined>;

/** An instance as GET /instances returns it. Fields beyond the documented ones are optional. */
export interface Instance {
  id: string;
  clientId: string;
  hostname: string;
  status: InstanceStatus;
  lastSeen: string | null;
  metrics: MetricValues | null;
  openclaw: Partial<OpenclawState> | null;
  sidecarVersion?: string | null;
  labels?: Record<string, string> | null;
  createdAt?: string;
}

/** A client company as GET /clients returns it. */
export interface Client {
  id: string;
  name: string;
  industry?: string | null;
  plan: string;
  status?: string | null;
  /** Where its servers run (data residency); null until chosen. */
  location?: { name: string; city: string | null; country: string | null } | null;
  /** The partner reselling it under its own brand; null for Deep Signal's own clients. */
  partnerId?: string | null;
  createdAt?: string;
  onboarding?: { step?: string | number; completed?: number; total?: number; done?: boolean } | null;
  limits?: { tokensPerMonth?: number; costPerMonth?: number; messagesPerMonth?: number } | null;
}

/** A conversation message from the API: the protocol shape plus the hub's sentiment score. */
export type Conversation = Omit<ConversationMessage, 't'> & {
  t: number | string;
  id?: string;
  instanceId?: string;
  /** -1 (negative) … 1 (positive), added by the hub. */
  sentiment?: number | null;
};

/** A log line from the API (time may come as ISO text or epoch ms). */
export type ApiLogLine = Omit<LogLine, 't'> & { t: number | string; instanceId?: string };

/** A command as GET /commands/:id returns it. */
export interface Command {
  id: string;
  instanceId: string;
  type: string;
  status: CommandState;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: string; message: string } | null;
  progress?: { pct?: number; message?: string } | null;
  createdAt?: string;
  updatedAt?: string;
  issuedBy?: string | null;
  rolloutId?: string | null;
}

/** Operator broadcast shown on client dashboards. */
export interface Announcement {
  id: string;
  title: string;
  body: string;
  level: 'info' | 'warning' | 'critical';
  createdAt: string;
}
