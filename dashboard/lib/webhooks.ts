/** Client event webhooks as the hub answers them (`/clients/:clientId/webhooks`). */

export const WEBHOOK_EVENTS = [
  { type: 'conversation.message', label: 'Conversation messages' },
  { type: 'instance.status', label: 'Agent online / offline' },
  { type: 'alert.firing', label: 'Alert firing' },
  { type: 'alert.resolved', label: 'Alert resolved' },
  { type: 'invoice.issued', label: 'Invoice issued' },
  { type: 'ticket.updated', label: 'Support ticket updated' },
] as const;

export interface WebhookItem {
  id: string;
  clientId: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDelivery {
  id: string;
  eventType: string;
  messageId: string;
  status: 'pending' | 'sending' | 'sent' | 'failed' | string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export const webhooksPath = (clientId: string) => `/clients/${encodeURIComponent(clientId)}/webhooks`;
export const webhookPath = (clientId: string, id: string) => `${webhooksPath(clientId)}/${encodeURIComponent(id)}`;

/** What the last try answered, in words. */
export function lastAnswer(d: WebhookDelivery): string {
  if (d.lastError && !d.lastStatus) return d.lastError;
  if (d.lastStatus) return d.lastError ? `HTTP ${d.lastStatus}: ${d.lastError}` : `HTTP ${d.lastStatus}`;
  return 'not tried yet';
}
