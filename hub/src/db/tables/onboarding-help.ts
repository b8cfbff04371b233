import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The onboarding portal's help chat: one thread per client. A client's question waits as
 * `pending` until the onboarding agent answers it; the answer is a message of its own that names
 * the question (`reply_to`) and the facts it was made from.
 */
export const onboardingHelpMessages = pgTable(
  'onboarding_help_messages',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull(),
    /** `client` (a question) or `agent` (an answer). */
    author: text('author').notNull(),
    /** The client user who asked (null for the agent's answers). */
    userId: text('user_id'),
    text: text('text').notNull(),
    /** Questions: `pending` until answered, then `answered`; answers: `sent`. */
    status: text('status').notNull(),
    replyTo: text('reply_to'),
    /** What an answer was made from: the onboarding facts, checks run and articles cited. */
    facts: jsonb('facts').$type<Record<string, unknown>>(),
    createdAt: ts('created_at').notNull().defaultNow(),
    answeredAt: ts('answered_at'),
  },
  (t) => [
    index('onboarding_help_client_idx').on(t.clientId, t.createdAt),
    index('onboarding_help_status_idx').on(t.status),
  ],
);

/** Welcome mails sent, one row per client and day of the sequence (0, 1, 3, 7): each is sent once. */
export const welcomeMails = pgTable(
  'welcome_mails',
  {
    clientId: text('client_id').notNull(),
    day: integer('day').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    sentAt: ts('sent_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.day] })],
);

/**
 * A client's choice about the welcome sequence. The mails' unsubscribe link carries an HMAC of the
 * client id under a key derived from the hub's signing key, so nothing secret is stored here.
 */
export const welcomePreferences = pgTable('welcome_preferences', {
  clientId: text('client_id').primaryKey(),
  optedOutAt: ts('opted_out_at'),
  /** Who opted out: `user:<id>` from the settings, or `link` from a mail. */
  optedOutBy: text('opted_out_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
});
