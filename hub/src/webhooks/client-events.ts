/**
 * What a client's event webhooks can subscribe to. Each is raised at one place in the hub:
 * conversation.message (ingest commit of conversations), instance.status (the fleet's status
 * change), alert.firing / alert.resolved (the alert engine's transitions), invoice.issued
 * (billing, after the invoice is committed), ticket.updated (a support ticket's row changed).
 */
export const CLIENT_EVENT_TYPES = [
  'conversation.message',
  'instance.status',
  'alert.firing',
  'alert.resolved',
  'invoice.issued',
  'ticket.updated',
] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

/** The test event `POST …/webhooks/:id/test` sends; never subscribed to. */
export const PING_EVENT = 'webhook.ping';

/** The body of a delivery, as Standard Webhooks suggests: type, timestamp, data. */
export interface ClientEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** Where features raise a client's events; never throws, never waits for delivery. */
export interface ClientEvents {
  publish(clientId: string, type: ClientEventType, data: Record<string, unknown>): void;
}

/** Drops everything (before the webhooks service is attached, and in tests without it). */
export const nullClientEvents: ClientEvents = { publish() {} };
