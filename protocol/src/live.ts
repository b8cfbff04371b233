import type { OnboardingHelpMessageView } from './api.js';
import type { CommandState } from './commands/lifecycle.js';
import type { ConversationMessage } from './messages/conversations.js';
import type { InstanceEvent, OpenclawState } from './messages/events.js';
import type { LogLine } from './messages/logs.js';
import type { ApiMetric } from './metric-names.js';

/**
 * The hub's live stream to browsers and agents (Socket.IO on the hub's HTTP port, path
 * `/socket.io`). Authenticated at the handshake with `auth: { token }` or the session cookie.
 *
 * Rooms: admins and support join `fleet` (every instance's status and metrics);
 * client users join `client:<clientId>`; anyone may `subscribe` to an instance they can see,
 * which joins `instance:<id>` (logs, conversations, events, commands, console).
 */
export type InstanceStatus = 'online' | 'offline' | 'provisioning' | 'error' | 'paused';

export interface LiveServerEvents {
  /** Status change of an instance. */
  'instance.status': (e: {
    instanceId: string;
    clientId: string;
    status: InstanceStatus;
    lastSeen: string | null;
  }) => void;
  /**
   * At most one per second per instance: the newest sample's API metric values, sent when its
   * message arrives (before the database commit); a replayed or duplicate sample is not sent.
   * May be left out for a browser that has fallen far behind.
   */
  metrics: (e: { instanceId: string; t: string; values: Partial<Record<ApiMetric, number>> }) => void;
  /** OpenClaw state as the sidecar last reported it. */
  'instance.openclaw': (e: { instanceId: string; openclaw: OpenclawState }) => void;
  logs: (e: { instanceId: string; lines: LogLine[] }) => void;
  conversations: (e: { instanceId: string; messages: (ConversationMessage & { sentiment?: number | null })[] }) => void;
  events: (e: { instanceId: string; events: InstanceEvent[] }) => void;
  /** Every command state change. */
  command: (e: {
    id: string;
    instanceId: string;
    type: string;
    status: CommandState;
    progress?: { pct?: number; message?: string; image?: string } | null;
    result?: unknown;
    error?: { code: string; message: string } | null;
    rolloutId?: string | null;
  }) => void;
  /** A deployment's progress: its status, each step and the server it made (as GET /deployments/:id). */
  deployment: (e: {
    id: string;
    clientId: string;
    instanceId: string;
    status: string;
    steps: { name: string; status: string; startedAt: string | null; endedAt: string | null; error: string | null }[];
    error: { step: string; code: string; message: string } | null;
  }) => void;
  /** A question or an answer in a client's onboarding help chat (rooms `client:<id>` and `fleet`). */
  'onboarding.help': (e: { clientId: string; message: OnboardingHelpMessageView }) => void;
  /** Rollout progress. */
  rollout: (e: { id: string; status: string; counts: Record<string, number> }) => void;
  /** Operator broadcast shown on client dashboards. */
  announcement: (e: {
    id: string;
    title: string;
    body: string;
    level: 'info' | 'warning' | 'critical';
    createdAt: string;
  }) => void;
  /** An alert changed state (inactive, pending, firing, resolved, nodata). */
  alert: (e: { id: string; ruleId: string; from: string; to: string; instanceId: string | null }) => void;
  /** Console output for a session the socket opened. */
  'console.output': (e: { sessionId: string; data: string }) => void;
  'console.exit': (e: { sessionId: string; code: number | null; reason?: string }) => void;
}

export interface LiveClientEvents {
  subscribe: (e: { instanceId: string }, ack?: (r: { ok: boolean; error?: string }) => void) => void;
  unsubscribe: (e: { instanceId: string }) => void;
  'console.input': (e: { sessionId: string; data: string }) => void;
  'console.resize': (e: { sessionId: string; cols: number; rows: number }) => void;
  /** Flow control: bytes of output the terminal has rendered. */
  'console.ack': (e: { sessionId: string; bytes: number }) => void;
}
