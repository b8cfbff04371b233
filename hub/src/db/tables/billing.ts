import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * Billing: usage aggregates, plans, each client's billing details and budget, invoices (with
 * their gapless numbering), dunning and plan changes. Amounts of money are integer cents; model
 * spend stays in the currency unit the sidecars report (dollars, double) until it is invoiced.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const created = () => ts('created_at').notNull().defaultNow();

/** Usage columns shared by the hourly and daily aggregates. */
const usageColumns = () => ({
  clientId: text('client_id').notNull(),
  instanceId: text('instance_id').notNull(),
  model: text('model').notNull().default(''),
  channel: text('channel').notNull().default(''),
  bucket: ts('bucket').notNull(),
  /** Messages from people (role `user`): what "included messages" counts. */
  messages: integer('messages').notNull().default(0),
  /** Assistant replies. */
  replies: integer('replies').notNull().default(0),
  tokensIn: bigint('tokens_in', { mode: 'number' }).notNull().default(0),
  tokensOut: bigint('tokens_out', { mode: 'number' }).notNull().default(0),
  cost: doublePrecision('cost').notNull().default(0),
  latencySum: bigint('latency_sum', { mode: 'number' }).notNull().default(0),
  latencyCount: integer('latency_count').notNull().default(0),
});

/**
 * Usage per client, instance, model, channel and hour. Rows grow only by conversation messages
 * that were actually inserted (same transaction as the insert), so a replay adds nothing.
 */
export const usageHourly = pgTable('usage_hourly', usageColumns(), (t) => [
  primaryKey({ columns: [t.clientId, t.bucket, t.instanceId, t.model, t.channel] }),
  index('usage_hourly_bucket_idx').on(t.bucket),
]);

/** The same per day (UTC), so a month per client reads ~30 rows per instance, model and channel. */
export const usageDaily = pgTable('usage_daily', usageColumns(), (t) => [
  primaryKey({ columns: [t.clientId, t.bucket, t.instanceId, t.model, t.channel] }),
  index('usage_daily_bucket_idx').on(t.bucket),
]);

/** Plans the operator sells; `hardLimit` is what happens when a budget's hard limit is reached. */
export const billingPlans = pgTable('billing_plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  currency: text('currency').notNull().default('EUR'),
  priceCents: integer('price_cents').notNull(),
  includedMessages: integer('included_messages').notNull(),
  includedTokens: bigint('included_tokens', { mode: 'number' }).notNull(),
  /** Per message above the included ones (cents, may be fractional per message: per 1,000). */
  overagePer1kMessagesCents: integer('overage_per_1k_messages_cents').notNull(),
  /** Model allow-list (`provider/model`); empty = any model. */
  models: jsonb('models').$type<string[]>().notNull().default([]),
  /** none | model | pause */
  hardLimit: text('hard_limit').notNull().default('none'),
  /** The cheaper model `hardLimit: model` switches to. */
  fallbackModel: text('fallback_model'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** A client's billing details, budget and what the hub did about it. */
export const clientBilling = pgTable('client_billing', {
  clientId: text('client_id').primaryKey(),
  /** ISO 3166-1 alpha-2. */
  country: text('country'),
  vatId: text('vat_id'),
  billingEmail: text('billing_email'),
  companyName: text('company_name'),
  address: text('address'),
  /** Monthly model-spend budget in cents: warn at soft, act at hard (null = none). */
  budgetSoftCents: integer('budget_soft_cents'),
  budgetHardCents: integer('budget_hard_cents'),
  /** Overrides the plan's hard-limit policy (none | model | pause). */
  hardLimit: text('hard_limit'),
  /** Period ("YYYY-MM") and kind of the action in force ({ period, action, previousModel, … }). */
  enforcement: jsonb('enforcement').$type<Record<string, unknown>>(),
  softWarnedPeriod: text('soft_warned_period'),
  stripeCustomerId: text('stripe_customer_id'),
  /** Dunning paused the agent (and payment will resume it). */
  pausedForDunning: text('paused_for_dunning'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Plan or status changes, kept for proration on the next invoice. */
export const planChanges = pgTable(
  'plan_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    clientId: text('client_id').notNull(),
    at: ts('at').notNull(),
    fromPlan: text('from_plan'),
    toPlan: text('to_plan'),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    actor: text('actor').notNull(),
  },
  (t) => [index('plan_changes_client_idx').on(t.clientId, t.at)],
);

/** The last number given per series (`INV-2026`, `CN-2026`): allocated in the invoice's transaction. */
export const invoiceCounters = pgTable('invoice_counters', {
  series: text('series').primaryKey(),
  last: integer('last').notNull(),
});

/**
 * Invoices and credit notes (kind). Issued ones are never updated except for payment state
 * (status, paidAt, Stripe references); a correction is a credit note pointing at `creditFor`.
 */
export const invoices = pgTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    number: text('number').notNull().unique(),
    kind: text('kind').notNull().default('invoice'),
    clientId: text('client_id').notNull(),
    period: text('period').notNull(),
    /** open | paid | failed | void (a credit note is `issued`) */
    status: text('status').notNull(),
    currency: text('currency').notNull(),
    lines: jsonb('lines')
      .$type<{ description: string; quantity: number; unitPrice: number; amount: number }[]>()
      .notNull(),
    subtotal: integer('subtotal').notNull(),
    taxRate: doublePrecision('tax_rate').notNull(),
    taxNote: text('tax_note'),
    tax: integer('tax').notNull(),
    total: integer('total').notNull(),
    /** The client's and the operator's details as they were at issue. */
    billTo: jsonb('bill_to').$type<Record<string, unknown>>().notNull(),
    issuedAt: ts('issued_at').notNull(),
    dueAt: ts('due_at').notNull(),
    paidAt: ts('paid_at'),
    creditFor: text('credit_for'),
    stripeInvoiceId: text('stripe_invoice_id'),
    payUrl: text('pay_url'),
    createdAt: created(),
  },
  (t) => [
    index('invoices_client_idx').on(t.clientId, t.period),
    // One invoice per client and period; credit notes are not limited.
    uniqueIndex('invoices_client_period_idx').on(t.clientId, t.period).where(sql`kind = 'invoice'`),
  ],
);

/** Every reminder sent (or decided) for an invoice: stage before | d3 | d7 | d14. */
export const dunningLog = pgTable(
  'dunning_log',
  {
    invoiceId: text('invoice_id').notNull(),
    stage: text('stage').notNull(),
    at: ts('at').notNull(),
    email: text('email'),
    action: text('action'),
  },
  (t) => [primaryKey({ columns: [t.invoiceId, t.stage] })],
);

/** Stripe webhook events already processed (they are delivered at least once). */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: created(),
});

/**
 * A hold on a client's invoice for a period, set before it is issued (by the billing agent or an
 * operator) with its reason and the numbers behind it. The invoice run skips held clients and an
 * invoice cannot be issued while its hold is active; an operator clears it (and issues).
 */
export const invoiceHolds = pgTable(
  'invoice_holds',
  {
    clientId: text('client_id').notNull(),
    period: text('period').notNull(),
    reason: text('reason').notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull().default({}),
    heldBy: text('held_by').notNull(),
    createdAt: created(),
    clearedBy: text('cleared_by'),
    clearedAt: ts('cleared_at'),
    clearNote: text('clear_note'),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.period] })],
);
