import type { SlaView } from './sla.js';

export const TICKET_STATES = ['open', 'waiting_on_client', 'snoozed', 'resolved', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TICKET_CATEGORIES = [
  'general',
  'instance_offline',
  'openclaw_down',
  'resources',
  'channel',
  'billing',
  'access',
  'model',
] as const;

/** Who wrote an entry of the thread. */
export type Author = 'client' | 'operator' | 'agent' | 'system';

export interface Ticket {
  id: string;
  clientId: string;
  instanceId: string | null;
  openedBy: string | null;
  subject: string;
  state: TicketState;
  snoozedUntil: string | null;
  category: string;
  priority: string;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  sla: SlaView;
  /** Operators only: the drafted reply and the resolution proposal. */
  draftReply?: string | null;
  draftBy?: string | null;
  proposedResolution?: string | null;
  /** Operators only: handed to a person, with why (the client asked, sentiment, the agent unsure). */
  escalatedAt?: string | null;
  escalationReason?: string | null;
}

export interface ThreadEntry {
  id: string;
  kind: 'message' | 'note' | 'system';
  author: Author;
  authorId: string | null;
  authorEmail: string | null;
  body: string;
  via: string;
  automatic: boolean;
  meta: unknown;
  createdAt: string;
}

export interface AttachmentView {
  id: string;
  messageId: string | null;
  filename: string;
  contentType: string;
  size: number;
  internal: boolean;
  createdAt: string;
}

/** The one who acts: a user of the API, the support agent, or the hub itself. */
export interface Actor {
  author: Author;
  id: string | null;
  email: string | null;
}
