import { z } from 'zod';

export const subscriptionSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  /** Set when the hub turned it off because deliveries kept failing. */
  disabledReason: z.string().nullable(),
  /** Since when every try has failed (null: the last one worked). */
  failingSince: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const deliverySchema = z.object({
  id: z.string(),
  /** The event type, e.g. `alert.firing` (`webhook.ping` for a test). */
  eventType: z.string(),
  /** `webhook-id` of the message: the same on every try and on a redelivery. */
  messageId: z.string(),
  /** pending (will be tried again), sending, sent, failed (no more tries). */
  status: z.string(),
  attempts: z.number(),
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** An outbox row of kind `event` as the delivery log shows it. */
export function toDelivery(r: Record<string, unknown>): z.infer<typeof deliverySchema> {
  const p = r.payload as { messageId?: string };
  return {
    id: String(r.id),
    eventType: String(r.action),
    messageId: String(p?.messageId ?? ''),
    status: String(r.status),
    attempts: Number(r.attempts),
    lastStatus: r.last_status === null || r.last_status === undefined ? null : Number(r.last_status),
    lastError: (r.last_error as string | null) ?? null,
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    createdAt: iso(r.created_at) as string,
    deliveredAt: iso(r.sent_at),
  };
}
