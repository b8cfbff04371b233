import { HttpError, HUB_ERR, notFound } from '../auth/errors.js';
import type { HubConfig } from '../config.js';
import type { Querier } from '../db/index.js';
import { newId } from '../util/ids.js';
import { type InvoiceLine, invoiceLines, periodBounds, segmentsOf, totalsOf } from './invoice-math.js';
import { DEFAULT_PLANS, listPlans, type Plan } from './plans.js';
import { taxCents, taxFor } from './tax.js';
import { usageOfClients } from './usage.js';

type Q = Pick<Querier, 'query'>;
type Tx = { tx<T>(fn: (q: Querier) => Promise<T>): Promise<T> } & Q;

export interface InvoiceView {
  id: string;
  number: string;
  kind: 'invoice' | 'credit_note';
  clientId: string;
  period: string;
  status: string;
  currency: string;
  lines: InvoiceLine[];
  subtotal: number;
  taxRate: number;
  taxNote: string | null;
  tax: number;
  total: number;
  billTo: Record<string, unknown>;
  issuedAt: string;
  dueAt: string;
  paidAt: string | null;
  creditFor: string | null;
  payUrl: string | null;
  stripeInvoiceId: string | null;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export function toInvoice(r: Record<string, unknown>): InvoiceView {
  return {
    id: String(r.id),
    number: String(r.number),
    kind: r.kind === 'credit_note' ? 'credit_note' : 'invoice',
    clientId: String(r.client_id),
    period: String(r.period),
    status: String(r.status),
    currency: String(r.currency),
    lines: r.lines as InvoiceLine[],
    subtotal: Number(r.subtotal),
    taxRate: Number(r.tax_rate),
    taxNote: (r.tax_note as string | null) ?? null,
    tax: Number(r.tax),
    total: Number(r.total),
    billTo: (r.bill_to as Record<string, unknown>) ?? {},
    issuedAt: iso(r.issued_at) as string,
    dueAt: iso(r.due_at) as string,
    paidAt: iso(r.paid_at),
    creditFor: (r.credit_for as string | null) ?? null,
    payUrl: (r.pay_url as string | null) ?? null,
    stripeInvoiceId: (r.stripe_invoice_id as string | null) ?? null,
  };
}

export const PERIOD_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Next number of a series, taken in the caller's transaction: a rolled-back invoice leaves no gap. */
async function nextNumber(q: Q, series: string): Promise<string> {
  return (await nextNumbers(q, series, 1))[0];
}

/** The next `n` numbers of a series in one statement (same transaction rule as {@link nextNumber}). */
async function nextNumbers(q: Q, series: string, n: number): Promise<string[]> {
  const r = await q.query<{ last: number }>(
    `INSERT INTO invoice_counters (series, last) VALUES ($1, $2)
     ON CONFLICT (series) DO UPDATE SET last = invoice_counters.last + $2 RETURNING last`,
    [series, n],
  );
  const last = Number(r[0].last);
  return Array.from({ length: n }, (_, i) => `${series}-${String(last - n + 1 + i).padStart(6, '0')}`);
}

type Row = Record<string, unknown>;

/** What an invoice is computed from: the client, its plan and status changes, billing details, messages. */
export interface InvoiceInput {
  client: Row;
  changes: Row[];
  billing: Row | undefined;
  messages: number;
}

const groupBy = (rows: Row[]) => {
  const m = new Map<string, Row[]>();
  for (const r of rows) {
    const k = String(r.client_id);
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
};

/**
 * The inputs of many clients' invoices for a period in four queries (clients, plan changes,
 * billing details, usage), whatever their number: the monthly run reads 1,000 clients at once.
 */
export async function loadInputs(
  q: Q,
  clientIds: string[],
  period: string,
  now: Date,
): Promise<Map<string, InvoiceInput>> {
  const { start, end } = periodBounds(period);
  const clients = await q.query<Row>('SELECT * FROM clients WHERE id = ANY($1::text[])', [clientIds]);
  const changes = groupBy(
    await q.query<Row>(
      'SELECT * FROM plan_changes WHERE client_id = ANY($1::text[]) AND at < $2 ORDER BY client_id, at, id',
      [clientIds, end],
    ),
  );
  const billing = groupBy(
    await q.query<Row>('SELECT * FROM client_billing WHERE client_id = ANY($1::text[])', [clientIds]),
  );
  const usage = await usageOfClients(q, clientIds, start, end < now ? end : now);
  const out = new Map<string, InvoiceInput>();
  for (const c of clients) {
    const id = String(c.id);
    out.set(id, {
      client: c,
      changes: changes.get(id) ?? [],
      billing: billing.get(id)?.[0],
      messages: usage.get(id)?.messages ?? 0,
    });
  }
  return out;
}

/** The client's plan and status at the start of `period` and the changes during it. */
export function planHistory(input: InvoiceInput, period: string) {
  const { start } = periodBounds(period);
  const { client, changes } = input;
  const before = changes.filter((c) => new Date(c.at as string) <= start).at(-1);
  const inside = changes.filter((c) => new Date(c.at as string) > start);
  const initial = before
    ? { plan: String(before.to_plan), status: String(before.to_status) }
    : inside[0]
      ? { plan: String(inside[0].from_plan), status: String(inside[0].from_status) }
      : { plan: String(client.plan), status: String(client.status) };
  return { initial, changes: inside };
}

/** Issuer and recipient as printed, frozen into the invoice. */
function billTo(config: HubConfig, client: Row, b: Row | undefined) {
  return {
    seller: {
      name: config.billingCompanyName,
      address: config.billingCompanyAddress,
      country: config.billingCompanyCountry,
      vatId: config.billingCompanyVatId,
      email: config.billingCompanyEmail,
    },
    client: {
      id: client.id,
      name: (b?.company_name as string) || client.name,
      address: b?.address ?? '',
      country: b?.country ?? null,
      vatId: b?.vat_id ?? null,
      email: b?.billing_email ?? null,
    },
  };
}

/** An invoice's row values, all but its id and number: plan fees, overage, VAT. */
export function draftInvoice(input: InvoiceInput, period: string, config: HubConfig, plans: (id: string) => Plan) {
  const h = planHistory(input, period);
  // New clients start in onboarding (not billed); becoming active is a recorded change.
  const changes = h.changes.map((c) => ({
    at: new Date(c.at as string),
    toPlan: c.to_plan as string | null,
    toStatus: c.to_status as string | null,
  }));
  const segs = segmentsOf(period, h.initial, changes, plans);
  const lines = invoiceLines(period, segs, input.messages);
  const tax = taxFor(config.billingCompanyCountry, {
    country: input.billing?.country as string,
    vatId: input.billing?.vat_id as string,
  });
  const totals = totalsOf(lines, tax);
  return {
    clientId: String(input.client.id),
    status: totals.total === 0 ? 'paid' : 'open',
    currency: plans(segs.at(-1)?.plan.id ?? 'starter').currency,
    lines: JSON.stringify(totals.lines),
    subtotal: totals.subtotal,
    taxRate: tax.rate,
    taxNote: tax.note,
    tax: totals.tax,
    total: totals.total,
    billTo: JSON.stringify(billTo(config, input.client, input.billing)),
  };
}

const COLS = 15;

/** Numbers and inserts drafted invoices in the caller's transaction, one statement for all. */
async function insertInvoices(
  q: Q,
  drafts: ReturnType<typeof draftInvoice>[],
  period: string,
  now: Date,
  dueDays: number,
): Promise<InvoiceView[]> {
  if (!drafts.length) return [];
  const numbers = await nextNumbers(q, `INV-${period.slice(0, 4)}`, drafts.length);
  const due = new Date(now.getTime() + dueDays * 86_400_000);
  const params: unknown[] = [];
  const values = drafts.map((d, i) => {
    params.push(
      newId('inv'),
      numbers[i],
      d.clientId,
      period,
      d.status,
      d.currency,
      d.lines,
      d.subtotal,
      d.taxRate,
      d.taxNote,
      d.tax,
      d.total,
      d.billTo,
      now,
      due,
    );
    const at = i * COLS;
    const p = Array.from({ length: COLS }, (_, k) => `$${at + k + 1}`);
    return `(${p.slice(0, 2).join(',')},'invoice',${p.slice(2).join(',')})`;
  });
  const rows = await q.query(
    `INSERT INTO invoices (id, number, kind, client_id, period, status, currency, lines, subtotal, tax_rate, tax_note, tax, total, bill_to, issued_at, due_at)
     VALUES ${values.join(',')} RETURNING *`,
    params,
  );
  return rows.map(toInvoice).sort((a, b) => a.number.localeCompare(b.number));
}

export async function planLookup(q: Q): Promise<(id: string) => Plan> {
  const byId = new Map<string, Plan>([...DEFAULT_PLANS, ...(await listPlans(q))].map((p) => [p.id, p]));
  return (id: string) => byId.get(id) ?? DEFAULT_PLANS[0];
}

function assertPeriod(period: string, now: Date) {
  if (!PERIOD_RE.test(period)) throw new HttpError(400, HUB_ERR.VALIDATION, 'period must be YYYY-MM');
  if (periodBounds(period).start > now)
    throw new HttpError(400, HUB_ERR.VALIDATION, `period ${period} has not started`);
}

/**
 * Issues the invoice of a client for a period: plan fees (prorated over plan and status changes),
 * message overage, VAT by the client's country. Number and row in one transaction. A second
 * invoice for the same period is a 409 (corrections are credit notes).
 */
export async function issueInvoice(
  db: Tx,
  config: HubConfig,
  clientId: string,
  period: string,
  now: Date,
): Promise<InvoiceView> {
  assertPeriod(period, now);
  const plans = await planLookup(db);
  return db.tx(async (q) => {
    const dup = await q.query<{ id: string }>(
      `SELECT id FROM invoices WHERE client_id = $1 AND period = $2 AND kind = 'invoice'`,
      [clientId, period],
    );
    if (dup[0]) throw new HttpError(409, HUB_ERR.CONFLICT, `client already has invoice ${dup[0].id} for ${period}`);
    const input = (await loadInputs(q, [clientId], period, now)).get(clientId);
    if (!input) throw notFound('client');
    const [inv] = await insertInvoices(
      q,
      [draftInvoice(input, period, config, plans)],
      period,
      now,
      config.billingDueDays,
    );
    return inv;
  });
}

/**
 * Issues the invoices of many clients for a period in one transaction (the monthly run, in
 * batches): the same arithmetic as {@link issueInvoice}, read in a handful of queries, numbered
 * in one counter update and inserted in one statement, consecutive in the order given. Clients
 * already invoiced for the period are skipped. Any failure rolls the whole batch back, numbers
 * included, so the caller can retry it client by client.
 */
export async function issueInvoices(
  db: Tx,
  config: HubConfig,
  clientIds: string[],
  period: string,
  now: Date,
): Promise<{ issued: InvoiceView[]; skipped: string[] }> {
  assertPeriod(period, now);
  const plans = await planLookup(db);
  return db.tx(async (q) => {
    const dup = await q.query<{ client_id: string }>(
      `SELECT client_id FROM invoices WHERE client_id = ANY($1::text[]) AND period = $2 AND kind = 'invoice'`,
      [clientIds, period],
    );
    const skipped = new Set(dup.map((d) => d.client_id));
    const todo = clientIds.filter((id) => !skipped.has(id));
    const inputs = await loadInputs(q, todo, period, now);
    const missing = todo.find((id) => !inputs.has(id));
    if (missing) throw notFound('client');
    const drafts = todo.map((id) => draftInvoice(inputs.get(id) as InvoiceInput, period, config, plans));
    const issued = await insertInvoices(q, drafts, period, now, config.billingDueDays);
    return { issued, skipped: [...skipped] };
  });
}

/**
 * A credit note against an issued invoice: all of it (no lines given) or the given lines, at the
 * invoice's tax rate, negative amounts. The credited total cannot exceed what is left to credit.
 */
export async function issueCreditNote(
  db: Tx,
  invoiceId: string,
  input: { reason: string; lines?: { description: string; amount: number }[] },
  now: Date,
): Promise<InvoiceView> {
  return db.tx(async (q) => {
    const inv = (
      await q.query<Record<string, unknown>>('SELECT * FROM invoices WHERE id = $1 FOR UPDATE', [invoiceId])
    )[0];
    if (!inv) throw notFound('invoice');
    if (inv.kind !== 'invoice') throw new HttpError(409, HUB_ERR.CONFLICT, 'a credit note cannot be credited');
    const original = toInvoice(inv);
    const credited = await q.query<{ s: string | number | null }>(
      `SELECT COALESCE(sum(subtotal), 0) AS s FROM invoices WHERE credit_for = $1`,
      [invoiceId],
    );
    const left = original.subtotal + Number(credited[0]?.s ?? 0);
    const lines: InvoiceLine[] = input.lines
      ? input.lines.map((l) => ({ description: l.description, quantity: 1, unitPrice: -l.amount, amount: -l.amount }))
      : original.lines.map((l) => ({
          ...l,
          description: `Credit: ${l.description}`,
          quantity: -l.quantity,
          amount: -l.amount,
        }));
    const subtotal = lines.reduce((s, l) => s + l.amount, 0);
    if (-subtotal > left) throw new HttpError(409, HUB_ERR.CONFLICT, `only ${left} cents are left to credit`);
    if (subtotal === 0) throw new HttpError(400, HUB_ERR.VALIDATION, 'nothing to credit');
    // A full credit mirrors the invoice's tax exactly; a partial one is taxed at its rate.
    const tax = -subtotal === original.subtotal ? -original.tax : taxCents(subtotal, original.taxRate);
    const number = await nextNumber(q, `CN-${now.toISOString().slice(0, 4)}`);
    const rows = await q.query(
      `INSERT INTO invoices (id, number, kind, client_id, period, status, currency, lines, subtotal, tax_rate, tax_note, tax, total, bill_to, issued_at, due_at, credit_for)
       VALUES ($1,$2,'credit_note',$3,$4,'issued',$5,$6,$7,$8,$9,$10,$11,$12,$13,$13,$14) RETURNING *`,
      [
        newId('inv'),
        number,
        original.clientId,
        original.period,
        original.currency,
        JSON.stringify(lines),
        subtotal,
        original.taxRate,
        original.taxNote,
        tax,
        subtotal + tax,
        JSON.stringify({ ...original.billTo, credits: original.number, reason: input.reason }),
        now,
        invoiceId,
      ],
    );
    return toInvoice(rows[0]);
  });
}

export async function getInvoice(q: Q, id: string): Promise<InvoiceView | null> {
  const rows = await q.query('SELECT * FROM invoices WHERE id = $1', [id]);
  return rows[0] ? toInvoice(rows[0]) : null;
}

/** Invoices of one client, of a set of clients (auth/scope.ts clientFilter), or of all (null). */
export async function listInvoices(q: Q, clients: string | readonly string[] | null): Promise<InvoiceView[]> {
  const ids = typeof clients === 'string' ? [clients] : clients;
  const rows = ids
    ? await q.query('SELECT * FROM invoices WHERE client_id = ANY($1::text[]) ORDER BY issued_at DESC, number DESC', [
        ids,
      ])
    : await q.query('SELECT * FROM invoices ORDER BY issued_at DESC, number DESC LIMIT 5000');
  return rows.map(toInvoice);
}
