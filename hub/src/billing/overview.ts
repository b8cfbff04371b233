import type { Db } from '../db/index.js';
import { STEPS } from '../onboarding/types.js';
import { DEFAULT_PLANS, listPlans } from './plans.js';

export type BillingStatus = 'paid' | 'due' | 'overdue' | 'failed' | 'none';

export interface ClientBillingRow {
  clientId: string;
  name: string;
  plan: string;
  status: string;
  mrrCents: number;
  billingStatus: BillingStatus;
  /** Unpaid total across open, overdue and failed invoices (cents). */
  outstandingCents: number;
  lastInvoice: { id: string; number: string; period: string; status: string; total: number; dueAt: string } | null;
  onboarding: { completed: number; steps: number; done: boolean };
}

/** Billing status of every client for Client management: worst open invoice first, MRR, onboarding. */
export async function billingOverview(
  db: Db,
  now: Date,
): Promise<{ mrrCents: number; currency: string; clients: ClientBillingRow[] }> {
  const [clients, invoices, onboarding, plans] = await Promise.all([
    db.query<Record<string, unknown>>('SELECT * FROM clients ORDER BY name, id'),
    db.query<Record<string, unknown>>(
      `SELECT id, number, client_id, period, status, total, due_at FROM invoices WHERE kind = 'invoice' ORDER BY issued_at, number`,
    ),
    db.query<Record<string, unknown>>('SELECT client_id, completed, completed_at FROM onboarding'),
    listPlans(db),
  ]);
  const price = new Map([...DEFAULT_PLANS, ...plans].map((p) => [p.id, p.priceCents]));
  const ob = new Map(onboarding.map((o) => [String(o.client_id), o]));
  const byClient = new Map<string, Record<string, unknown>[]>();
  for (const i of invoices) byClient.set(String(i.client_id), [...(byClient.get(String(i.client_id)) ?? []), i]);
  let mrr = 0;
  const rows = clients.map((c): ClientBillingRow => {
    const id = String(c.id);
    const list = byClient.get(id) ?? [];
    const unpaid = list.filter((i) => i.status === 'open' || i.status === 'failed');
    const overdue = unpaid.some((i) => i.status === 'open' && new Date(i.due_at as string) < now);
    const billingStatus: BillingStatus = unpaid.some((i) => i.status === 'failed')
      ? 'failed'
      : overdue
        ? 'overdue'
        : unpaid.length
          ? 'due'
          : list.length
            ? 'paid'
            : 'none';
    const last = list.at(-1);
    const m = c.status === 'active' ? (price.get(String(c.plan)) ?? 0) : 0;
    mrr += m;
    const o = ob.get(id);
    const completed = ((o?.completed as string[]) ?? []).filter((s) => (STEPS as readonly string[]).includes(s)).length;
    return {
      clientId: id,
      name: String(c.name),
      plan: String(c.plan),
      status: String(c.status),
      mrrCents: m,
      billingStatus,
      outstandingCents: unpaid.reduce((s, i) => s + Number(i.total), 0),
      lastInvoice: last
        ? {
            id: String(last.id),
            number: String(last.number),
            period: String(last.period),
            status: String(last.status),
            total: Number(last.total),
            dueAt: new Date(last.due_at as string).toISOString(),
          }
        : null,
      onboarding: { completed, steps: STEPS.length, done: Boolean(o?.completed_at) },
    };
  });
  return { mrrCents: mrr, currency: DEFAULT_PLANS[0].currency, clients: rows };
}
