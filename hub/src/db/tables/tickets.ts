import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { clients } from '../schema.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * Support tickets: a client's question and the conversation about it. `state` is one of open,
 * waiting_on_client, snoozed, resolved, closed. SLA clocks are kept as business milliseconds spent
 * waiting on the client (paused time), plus the first operator reply.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    instanceId: text('instance_id'),
    openedBy: text('opened_by'),
    subject: text('subject').notNull(),
    state: text('state').notNull().default('open'),
    snoozedUntil: ts('snoozed_until'),
    category: text('category').notNull().default('general'),
    priority: text('priority').notNull().default('normal'),
    assigneeId: text('assignee_id'),
    /** Secret token in the plus-address of reply mails (support+<token>@…). */
    replyToken: text('reply_token').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    firstResponseAt: ts('first_response_at'),
    resolvedAt: ts('resolved_at'),
    waitingSince: ts('waiting_since'),
    /** Business milliseconds spent waiting on the client (the SLA clocks do not run then). */
    pausedMs: bigint('paused_ms', { mode: 'number' }).notNull().default(0),
    firstResponseBreachedAt: ts('first_response_breached_at'),
    resolutionBreachedAt: ts('resolution_breached_at'),
    /** A reply drafted (by the support agent or an operator) for an operator to send or edit. */
    draftReply: text('draft_reply'),
    draftBy: text('draft_by'),
    /** The support agent's proposal to resolve, with its reason; an operator decides. */
    proposedResolution: text('proposed_resolution'),
    /** Handed to a person (the client asked, negative sentiment, or the agent was unsure), with why. */
    escalatedAt: ts('escalated_at'),
    escalationReason: text('escalation_reason'),
  },
  (t) => [
    index('tickets_client_idx').on(t.clientId, t.createdAt),
    index('tickets_state_idx').on(t.state),
    uniqueIndex('tickets_reply_token_idx').on(t.replyToken),
  ],
);

/** One entry of a ticket's thread: a message (client, operator, agent), an internal note, or a system line. */
export const ticketMessages = pgTable(
  'ticket_messages',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    /** message | note | system. Notes are never shown to client users. */
    kind: text('kind').notNull(),
    /** client | operator | agent | system */
    author: text('author').notNull(),
    authorId: text('author_id'),
    authorEmail: text('author_email'),
    body: text('body').notNull(),
    /** web | email | agent | hub */
    via: text('via').notNull().default('web'),
    /** Whether an agent sent this reply on its own (auto-replies say so). */
    automatic: boolean('automatic').notNull().default(false),
    /** Message-ID of the mail this entry came in as, or went out as. */
    mailId: text('mail_id'),
    meta: jsonb('meta'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('ticket_messages_ticket_idx').on(t.ticketId, t.createdAt),
    index('ticket_messages_mail_idx').on(t.mailId),
  ],
);

/** Files attached to a ticket (a screenshot, a log excerpt), kept in the database, size-limited. */
export const ticketAttachments = pgTable(
  'ticket_attachments',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    messageId: text('message_id'),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    /** Internal attachments (on a note) are never shown to client users. */
    internal: boolean('internal').notNull().default(false),
    data: bytea('data').notNull(),
    uploadedBy: text('uploaded_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('ticket_attachments_ticket_idx').on(t.ticketId)],
);

/** Per-client support settings: the time zone and business hours SLA clocks count in. */
export const supportClientSettings = pgTable('support_client_settings', {
  clientId: text('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  timeZone: text('time_zone').notNull().default('UTC'),
  dayStartHour: integer('day_start_hour').notNull().default(9),
  dayEndHour: integer('day_end_hour').notNull().default(17),
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  workDays: integer('work_days').array().notNull().default(sql`'{1,2,3,4,5}'`),
});

/** Per-category support settings: whether the support agent may answer on its own. */
export const supportCategorySettings = pgTable('support_category_settings', {
  category: text('category').primaryKey(),
  autoReply: boolean('auto_reply').notNull().default(false),
});

/** Knowledge-base articles; `search` is kept by a trigger (title A, tags B, body C). */
export const kbArticles = pgTable(
  'kb_articles',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'`),
    /** clients | operators */
    audience: text('audience').notNull().default('clients'),
    /** draft | published */
    status: text('status').notNull().default('draft'),
    updatedBy: text('updated_by'),
    sourceTicketId: text('source_ticket_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    search: tsvector('search'),
  },
  (t) => [uniqueIndex('kb_articles_slug_idx').on(t.slug)],
);
