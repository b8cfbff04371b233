import { HttpError, HUB_ERR, notFound } from '../auth/errors.js';
import type { HubConfig } from '../config.js';
import type { Querier } from '../db/index.js';
import { periodBounds } from './invoice-math.js';
import { draftInvoice, loadInputs, PERIOD_RE, planHistory, planLookup } from './invoices.js';
import { clientUsage } from './usage.js';

type Q = Pick<Querier, 'query'>;

/** Invoices are reviewed before they go out: this code names a refusal because of a hold. */
export const HUB_ERR_INVOICE_HELD = 'HUB_ERR_INVOICE_HELD';

/** A hold on a client's invoice for a period (active until an operator clears it). */
export interface InvoiceHoldView {
  clientId: string;
  clientName: string | null;
  period: string;
  reason: string;
  evidence: Record<string, unknown>;
  heldBy: string;
  createdAt: string;
  active: boolean;
  clearedBy: string | null;
  clearedAt: string | null;
  clearNote: string | null;
}

/** What a client's invoice for a period would be, before it is issued (net, before VAT). */
export interface InvoicePreview {
  clientId: string;
  clientName: string;
  /** The client's status now. */
  status: string;
  period: string;
  planAtStart: string;
  statusAtStart: string;
  /** Plan or status changes inside the period. */
  changes: {
    at: string;
    fromPlan: string | null;
    toPlan: string | null;
    fromStatus: string | null;
    toStatus: string | null;
  }[];
  messages: number;
  /** Messages of each of the three periods before, oldest first (the run-rate baseline). */
  priorMessages: number[];
  subtotal: number;
  currency: string;
  lines: { description: string; quantity: number; unitPrice: number; amount: number }[];
  /** The invoice already issued for the period, if any (issued invoices never change). */
  invoiceId: string | null;
  hold: InvoiceHoldView | null;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

const toHold = (r: Record<string, unknown>): InvoiceHoldView => ({
  clientId: String(r.client_id),
  clientName: (r.client_name as string | null) ?? null,
  period: String(r.period),
  reason: String(r.reason),
  evidence: (r.evidence as Record<string, unknown>) ?? {},
  heldBy: String(r.held_by),
  createdAt: iso(r.created_at) as string,
  active: r.cleared_at == null,
  clearedBy: (r.cleared_by as string | null) ?? null,
  clearedAt: iso(r.cleared_at),
  clearNote: (r.clear_note as string | null) ?? null,
});

/** Clients billed in `period`: active or paused now, or at some time before the period ended. */
export async function billableClients(q: Q, period: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT c.id FROM clients c WHERE c.status IN ('active', 'paused')
        OR EXISTS (SELECT 1 FROM plan_changes p WHERE p.client_id = c.id AND p.to_status IN ('active', 'paused')
                   AND p.at < ($1 || '-01')::date + interval '1 month')
     ORDER BY c.id`,
    [period],
  );
  return rows.map((r) => r.id);
}

/** Holds, newest first: the active ones only unless `all`. */
export async function listHolds(q: Q, o: { all?: boolean; clientId?: string } = {}): Promise<InvoiceHoldView[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT h.*, c.name AS client_name FROM invoice_holds h LEFT JOIN clients c ON c.id = h.client_id
     WHERE ($1::boolean OR h.cleared_at IS NULL) AND ($2::text IS NULL OR h.client_id = $2)
     ORDER BY h.created_at DESC LIMIT 500`,
    [o.all ?? false, o.clientId ?? null],
  );
  return rows.map(toHold);
}

async function holdOf(q: Q, clientId: string, period: string): Promise<InvoiceHoldView | null> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT h.*, c.name AS client_name FROM invoice_holds h LEFT JOIN clients c ON c.id = h.client_id
     WHERE h.client_id = $1 AND h.period = $2`,
    [clientId, period],
  );
  return rows[0] ? toHold(rows[0]) : null;
}

/** Clients whose invoice for `period` is held now. */
export async function activeHolds(q: Q, period: string): Promise<Set<string>> {
  const rows = await q.query<{ client_id: string }>(
    'SELECT client_id FROM invoice_holds WHERE period = $1 AND cleared_at IS NULL',
    [period],
  );
  return new Set(rows.map((r) => r.client_id));
}

/** Refuses to issue an invoice whose hold is active (409 HUB_ERR_INVOICE_HELD, with the reason). */
export async function assertNotHeld(q: Q, clientId: string, period: string): Promise<void> {
  const h = await holdOf(q, clientId, period);
  if (h?.active)
    throw new HttpError(
      409,
      HUB_ERR_INVOICE_HELD,
      `the ${period} invoice of ${clientId} is held for review (${h.reason}); an operator clears the hold first`,
    );
}

/**
 * Holds a client's invoice for a period before it is issued. Only a period not invoiced yet can
 * be held (issued invoices are immutable: a correction is a credit note). A second hold on the
 * same invoice keeps the first reason and returns it; a cleared hold is not set again.
 */
export async function holdInvoice(
  q: Q,
  input: { clientId: string; period: string; reason: string; evidence?: Record<string, unknown> },
  by: string,
): Promise<{ hold: InvoiceHoldView; created: boolean }> {
  if (!PERIOD_RE.test(input.period)) throw new HttpError(400, HUB_ERR.VALIDATION, 'period must be YYYY-MM');
  const client = await q.query('SELECT id FROM clients WHERE id = $1', [input.clientId]);
  if (!client[0]) throw notFound('client');
  const issued = await q.query<{ number: string }>(
    `SELECT number FROM invoices WHERE client_id = $1 AND period = $2 AND kind = 'invoice'`,
    [input.clientId, input.period],
  );
  if (issued[0])
    throw new HttpError(
      409,
      HUB_ERR.CONFLICT,
      `invoice ${issued[0].number} for ${input.period} is already issued; correct it with a credit note`,
    );
  const made = await q.query(
    `INSERT INTO invoice_holds (client_id, period, reason, evidence, held_by) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (client_id, period) DO NOTHING RETURNING client_id`,
    [input.clientId, input.period, input.reason, JSON.stringify(input.evidence ?? {}), by],
  );
  return { hold: (await holdOf(q, input.clientId, input.period)) as InvoiceHoldView, created: made.length > 0 };
}

/** Clears an active hold (an operator's decision, with an optional note). */
export async function clearHold(
  q: Q,
  clientId: string,
  period: string,
  by: string,
  note: string | null,
): Promise<InvoiceHoldView> {
  const rows = await q.query(
    `UPDATE invoice_holds SET cleared_by = $3, cleared_at = now(), clear_note = $4
     WHERE client_id = $1 AND period = $2 AND cleared_at IS NULL RETURNING client_id`,
    [clientId, period, by, note],
  );
  if (!rows[0]) throw notFound('active hold');
  return (await holdOf(q, clientId, period)) as InvoiceHoldView;
}

const shiftPeriod = (period: string, months: number) => {
  const { start } = periodBounds(period);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1)).toISOString().slice(0, 7);
};

/**
 * What each billable client's invoice for `period` would be, computed as the invoice run computes
 * it (the same inputs and draft, nothing stored), with the facts a reviewer needs: plan changes
 * inside the period, the three periods' messages before, the invoice if already issued, the hold.
 */
export async function previewPeriod(q: Q, config: HubConfig, period: string, now: Date): Promise<InvoicePreview[]> {
  if (!PERIOD_RE.test(period)) throw new HttpError(400, HUB_ERR.VALIDATION, 'period must be YYYY-MM');
  if (periodBounds(period).start > now)
    throw new HttpError(400, HUB_ERR.VALIDATION, `period ${period} has not started`);
  const plans = await planLookup(q);
  const ids = await billableClients(q, period);
  const inputs = await loadInputs(q, ids, period, now);
  const out: InvoicePreview[] = [];
  for (const clientId of ids) {
    const input = inputs.get(clientId);
    if (!input) continue;
    const h = planHistory(input, period);
    const draft = draftInvoice(input, period, config, plans);
    const priorMessages: number[] = [];
    for (const back of [-3, -2, -1]) {
      const b = periodBounds(shiftPeriod(period, back));
      priorMessages.push((await clientUsage(q, clientId, b.start, b.end)).messages);
    }
    const inv = await q.query<{ id: string }>(
      `SELECT id FROM invoices WHERE client_id = $1 AND period = $2 AND kind = 'invoice'`,
      [clientId, period],
    );
    out.push({
      clientId,
      clientName: String(input.client.name),
      status: String(input.client.status),
      period,
      planAtStart: h.initial.plan,
      statusAtStart: h.initial.status,
      changes: h.changes.map((c) => ({
        at: iso(c.at) as string,
        fromPlan: (c.from_plan as string | null) ?? null,
        toPlan: (c.to_plan as string | null) ?? null,
        fromStatus: (c.from_status as string | null) ?? null,
        toStatus: (c.to_status as string | null) ?? null,
      })),
      messages: input.messages,
      priorMessages,
      subtotal: draft.subtotal,
      currency: draft.currency,
      lines: JSON.parse(draft.lines) as InvoicePreview['lines'],
      invoiceId: inv[0]?.id ?? null,
      hold: await holdOf(q, clientId, period),
    });
  }
  return out;
}
