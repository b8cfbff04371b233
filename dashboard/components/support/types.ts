/** Tickets and articles as the hub's /tickets and /kb routes return them. */
export type SlaState = 'ok' | 'at_risk' | 'breached';
export interface SlaClock {
  state: SlaState;
  elapsedMs: number;
  targetMs: number;
  stopped: boolean;
}
export interface Ticket {
  id: string;
  clientId: string;
  instanceId: string | null;
  subject: string;
  state: 'open' | 'waiting_on_client' | 'snoozed' | 'resolved' | 'closed';
  snoozedUntil: string | null;
  category: string;
  priority: string;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  sla: { state: SlaState; firstResponse: SlaClock; resolution: SlaClock; paused: boolean };
  draftReply?: string | null;
  draftBy?: string | null;
  proposedResolution?: string | null;
  /** Handed to a person by the support agent, with why. */
  escalatedAt?: string | null;
  escalationReason?: string | null;
}
export interface ThreadEntry {
  id: string;
  kind: 'message' | 'note' | 'system';
  author: 'client' | 'operator' | 'agent' | 'system';
  authorEmail: string | null;
  body: string;
  via: string;
  automatic: boolean;
  /** What the hub recorded with the entry, e.g. `{ attachmentId }` on an "attached …" line. */
  meta?: unknown;
  createdAt: string;
}
export interface Attachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  internal: boolean;
  createdAt: string;
}
/** An operator a ticket may be assigned to. */
export interface Assignee {
  id: string;
  email: string;
  role: string;
}
export interface TicketFull extends Ticket {
  thread: ThreadEntry[];
  attachments: Attachment[];
}
export interface Article {
  id: string;
  slug: string;
  title: string;
  body: string;
  html: string;
  tags: string[];
  audience: 'clients' | 'operators';
  status: 'draft' | 'published';
  updatedBy: string | null;
  updatedAt: string;
}
export interface Suggestion {
  id: string;
  slug: string;
  title: string;
}

export const STATE_LABEL: Record<Ticket['state'], string> = {
  open: 'Open',
  waiting_on_client: 'Waiting on client',
  snoozed: 'Snoozed',
  resolved: 'Resolved',
  closed: 'Closed',
};
export const SLA_LABEL: Record<SlaState, string> = { ok: 'On time', at_risk: 'At risk', breached: 'Breached' };
export const SLA_VARIANT: Record<SlaState, 'success' | 'warning' | 'danger'> = {
  ok: 'success',
  at_risk: 'warning',
  breached: 'danger',
};
export const CATEGORIES = [
  'general',
  'instance_offline',
  'openclaw_down',
  'resources',
  'channel',
  'billing',
  'access',
  'model',
];
