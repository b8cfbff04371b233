import { HttpError, HUB_ERR, notFound } from '../auth/errors.js';
import type { HubConfig } from '../config.js';
import type { Querier } from '../db/index.js';
import { newId } from '../util/ids.js';
import { type InvoiceLine, invoiceLines, periodBounds, segmentsOf, totalsOf } from './invoice-math.js';
import { DEFAULT_PLANS, listPlans, type Plan } from './plans.js';
import { taxCents, taxFor } from './tax.js';
import { clientUsage } from './usage.js';

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
  const r = await q.query<{ last: number }>(
    `INSERT INTO invoice_counters (series, last) VALUES ($1, 1)
     ON CONFLICT (series) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last`,
    [series],
  );
  return `${series}-${String(r[0].last).padStart(6, '0')}`;
}

/** The client's plan and status at the start of `period` and the changes during it. */
export async function planHistory(q: Q, clientId: string, period: string) {
  const { start, end } = periodBounds(period);
  const client = (await q.query<Record<string, unknown>>('SELECT * FROM clients WHERE id = $1', [clientId]))[0];
  if (!client) throw notFound('client');
  const changes = await q.query<Record<string, unknown>>(
    'SELECT * FROM plan_changes WHERE client_id = $1 AND at < $2 ORDER BY at, id',
    [clientId, end],
  );
  const before = changes.filter((c) => new Date(c.at as string) <= start).at(-1);
  const inside = changes.filter((c) => new Date(c.at as string) > start);
  const initial = before
    ? { plan: String(before.to_plan), status: String(before.to_status) }
    : inside[0]
      ? { plan: String(inside[0].from_plan), status: String(inside[0].from_status) }
      : { plan: String(client.plan), status: String(client.status) };
  return { client, initial, changes: inside };
}

/** Issuer and recipient as printed, frozen into the invoice. */
async function parties(q: Q, config: HubConfig, client: Record<string, unknown>) {
  const b = (
    await q.query<Record<string, unknown>>('SELECT * FROM client_billing WHERE client_id = $1', [client.id])
  )[0];
  return {
    billing: b,
    billTo: {
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
    },
  };
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
  if (!PERIOD_RE.test(period)) throw new HttpError(400, HUB_ERR.VALIDATION, 'period must be YYYY-MM');
  const { start, end } = periodBounds(period);
  if (start > now) throw new HttpError(400, HUB_ERR.VALIDATION, `period ${period} has not started`);
  const planRows = await listPlans(db);
  const byId = new Map<string, Plan>([...DEFAULT_PLANS, ...planRows].map((p) => [p.id, p]));
  const plans = (id: string) => byId.get(id) ?? DEFAULT_PLANS[0];
  return db.tx(async (q) => {
    const dup = await q.query<{ id: string }>(
      `SELECT id FROM invoices WHERE client_id = $1 AND period = $2 AND kind = 'invoice'`,
      [clientId, period],
    );
    if (dup[0]) throw new HttpError(409, HUB_ERR.CONFLICT, `client already has invoice ${dup[0].id} for ${period}`);
    const h = await planHistory(q, clientId, period);
    // New clients start in onboarding (not billed); becoming active is a recorded change.
    const changes = h.changes.map((c) => ({
      at: new Date(c.at as string),
      toPlan: c.to_plan as string | null,
      toStatus: c.to_status as string | null,
    }));
    const segs = segmentsOf(period, h.initial, changes, plans);
    const usage = await clientUsage(q, clientId, start, end < now ? end : now);
    const lines = invoiceLines(period, segs, usage.messages);
    const { billing, billTo } = await parties(q, config, h.client);
    const tax = taxFor(config.billingCompanyCountry, {
      country: billing?.country as string,
      vatId: billing?.vat_id as string,
    });
    const totals = totalsOf(lines, tax);
    const number = await nextNumber(q, `INV-${period.slice(0, 4)}`);
    const due = new Date(now.getTime() + config.billingDueDays * 86_400_000);
    const rows = await q.query(
      `INSERT INTO invoices (id, number, kind, client_id, period, status, currency, lines, subtotal, tax_rate, tax_note, tax, total, bill_to, issued_at, due_at)
       VALUES ($1,$2,'invoice',$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING *`,
      [
        newId('inv'),
        number,
        clientId,
        period,
        totals.total === 0 ? 'paid' : 'open',
        plans(segs.at(-1)?.plan.id ?? 'starter').currency,
        JSON.stringify(totals.lines),
        totals.subtotal,
        tax.rate,
        tax.note,
        totals.tax,
        totals.total,
        JSON.stringify(billTo),
        now,
        due,
      ],
    );
    return toInvoice(rows[0]);
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

export async function listInvoices(q: Q, clientId: string | null): Promise<InvoiceView[]> {
  const rows = clientId
    ? await q.query('SELECT * FROM invoices WHERE client_id = $1 ORDER BY issued_at DESC, number DESC', [clientId])
    : await q.query('SELECT * FROM invoices ORDER BY issued_at DESC, number DESC LIMIT 5000');
  return rows.map(toInvoice);
}
