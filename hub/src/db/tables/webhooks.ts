import { boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A client's event webhook: the events it wants POSTed to its URL, signed the Standard Webhooks
 * way. Deliveries are rows of the notification outbox (kind `event`, channel_id = this id), so they
 * retry and survive restarts like alert notifications do.
 */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    /** Event types, e.g. `conversation.message`, `alert.firing`. */
    events: jsonb('events').$type<string[]>().notNull(),
    /** The `whsec_…` signing secret, sealed with the hub's master key (bound to this id). */
    secret: text('secret').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** Why the hub turned it off (deliveries kept failing), null when a person did or it is on. */
    disabledReason: text('disabled_reason'),
    /** Start of the current run of failed tries (null after a success). */
    failingSince: ts('failing_since'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('webhook_subscriptions_client_idx').on(t.clientId)],
);
