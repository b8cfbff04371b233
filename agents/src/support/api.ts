import type { HubClient } from '../hub-client.js';
import type { TicketTriage, TicketView, TicketWithThread } from '../hub-types.js';

/** What the support agent writes beyond a triage note: a hand-over to a person, a resolution. */
export interface SupportWrite extends TicketTriage {
  /** Hand the ticket to a person: why (the hub raises its priority and flags it). */
  escalate?: string;
  /** Resolve now with this message to the client (the hub re-checks the category and health). */
  resolve?: string;
}

/** A ticket as operators see it, with the escalation the hub keeps. */
export type SupportTicket = TicketWithThread & { escalatedAt?: string | null; escalationReason?: string | null };

/** One entry of an instance's timeline (`GET /instances/:id/timeline`). */
export interface TimelineEntry {
  id: string;
  t: string;
  kind: string;
  title: string;
  actor: string | null;
  status: string | null;
}

/** A draft knowledge-base article (`POST /tickets/:id/article`). */
export interface ArticleDraft {
  id: string;
  slug: string;
  title: string;
  status: string;
  sourceTicketId: string | null;
}

/** The support agent's calls that the shared client does not type. */
export const supportApi = {
  write: (hub: HubClient, id: string, w: SupportWrite) =>
    hub.call<{ ticket: TicketView; autoReplied: boolean }>('POST', `/tickets/${encodeURIComponent(id)}/triage`, {
      body: w,
    }),
  ticket: (hub: HubClient, id: string) => hub.call<SupportTicket>('GET', `/tickets/${encodeURIComponent(id)}`),
  /** Recent changes: commands, config changes, deploys, status changes, newest first. */
  timeline: (hub: HubClient, instanceId: string, limit = 15) =>
    hub
      .call<{ entries: TimelineEntry[] }>('GET', `/instances/${encodeURIComponent(instanceId)}/timeline`, {
        query: { kinds: 'command,change,config,deploy,status', limit },
      })
      .then((r) => r.entries),
  proposeArticle: (hub: HubClient, ticketId: string, a: { title: string; body: string; tags: string[] }) =>
    hub.call<ArticleDraft>('POST', `/tickets/${encodeURIComponent(ticketId)}/article`, { body: a }),
};
