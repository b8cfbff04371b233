import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { invoiceLines, periodBounds, segmentsOf } from './invoice-math.js';
import { DEFAULT_PLANS, listPlans, type Plan } from './plans.js';
import { usageByClient } from './usage.js';

export interface ClientMargin {
  clientId: string;
  name: string;
  plan: string;
  status: string;
  instances: number;
  /** Plan fee and overage (cents, before VAT): the issued invoice's, else what it would be. */
  revenueCents: number;
  invoiced: boolean;
  modelCostCents: number;
  serverCostCents: number;
  backupCostCents: number;
  costCents: number;
  marginCents: number;
  /** margin / revenue; null without revenue. */
  marginPct: number | null;
}

export interface MarginReport {
  period: string;
  currency: string;
  clients: ClientMargin[];
  fleet: Omit<ClientMargin, 'clientId' | 'name' | 'plan' | 'status' | 'invoiced'> & {
    clients: number;
    mrrCents: number;
  };
}

/**
 * Revenue against cost per client for a period: model spend from usage, each instance's server
 * price (the server type's monthly price its deployment recorded in instance_hosts; nothing while
 * it is paused to a snapshot; DS_BILLING_VPS_MONTHLY_CENTS for an instance with no recorded
 * server), backup storage (GB of ready backups × DS_BILLING_BACKUP_GB_MONTH_CENTS).
 */
export async function marginReport(db: Db, config: HubConfig, period: string, now: Date): Promise<MarginReport> {
  const { start, end } = periodBounds(period);
  const to = end < now ? end : now;
  const [clients, usage, instances, backups, invoices, changes, planRows] = await Promise.all([
    db.query<Record<string, unknown>>('SELECT * FROM clients ORDER BY name, id'),
    usageByClient(db, start, to),
    db.query<{ client_id: string; n: string | number; price: string | number }>(
      `SELECT i.client_id, count(*) AS n,
         COALESCE(sum(CASE WHEN h.state = 'paused' THEN 0
                           ELSE COALESCE(round(h.monthly_price * 100)::int, $1::int) END), 0) AS price
       FROM instances i LEFT JOIN instance_hosts h ON h.instance_id = i.id GROUP BY i.client_id`,
      [config.billingVpsMonthlyCents],
    ),
    db.query<{ client_id: string; bytes: string | number }>(
      `SELECT b.client_id, COALESCE(sum(b.size), 0) AS bytes FROM backups b WHERE b.status = 'ready' AND b.client_id IS NOT NULL GROUP BY b.client_id`,
    ),
    db.query<{ client_id: string; subtotal: string | number }>(
      `SELECT client_id, sum(subtotal) AS subtotal FROM invoices WHERE period = $1 GROUP BY client_id`,
      [period],
    ),
    db.query<Record<string, unknown>>('SELECT * FROM plan_changes WHERE at < $1 ORDER BY at, id', [end]),
    listPlans(db),
  ]);
  const byId = new Map<string, Plan>([...DEFAULT_PLANS, ...planRows].map((p) => [p.id, p]));
  const plans = (id: string) => byId.get(id) ?? DEFAULT_PLANS[0];
  const inst = new Map(instances.map((r) => [r.client_id, r]));
  const bk = new Map(backups.map((r) => [r.client_id, Number(r.bytes)]));
  const inv = new Map(invoices.map((r) => [r.client_id, Number(r.subtotal)]));
  const out: ClientMargin[] = [];
  for (const c of clients) {
    const id = String(c.id);
    const u = usage.get(id);
    const mine = changes.filter((x) => x.client_id === id);
    const before = mine.filter((x) => new Date(x.at as string) <= start).at(-1);
    const inside = mine.filter((x) => new Date(x.at as string) > start);
    const initial = before
      ? { plan: String(before.to_plan), status: String(before.to_status) }
      : inside[0]
        ? { plan: String(inside[0].from_plan), status: String(inside[0].from_status) }
        : { plan: String(c.plan), status: String(c.status) };
    const invoiced = inv.has(id);
    const revenue = invoiced
      ? (inv.get(id) as number)
      : invoiceLines(
          period,
          segmentsOf(
            period,
            initial,
            inside.map((x) => ({
              at: new Date(x.at as string),
              toPlan: x.to_plan as string,
              toStatus: x.to_status as string,
            })),
            plans,
          ),
          u?.messages ?? 0,
        ).reduce((s, l) => s + l.amount, 0);
    const model = Math.round((u?.cost ?? 0) * 100);
    const server = Number(inst.get(id)?.price ?? 0);
    const backup = Math.round(((bk.get(id) ?? 0) / 1e9) * config.billingBackupGbMonthCents);
    const cost = model + server + backup;
    out.push({
      clientId: id,
      name: String(c.name),
      plan: String(c.plan),
      status: String(c.status),
      instances: Number(inst.get(id)?.n ?? 0),
      revenueCents: revenue,
      invoiced,
      modelCostCents: model,
      serverCostCents: server,
      backupCostCents: backup,
      costCents: cost,
      marginCents: revenue - cost,
      marginPct: revenue > 0 ? (revenue - cost) / revenue : null,
    });
  }
  const sum = (k: keyof ClientMargin) => out.reduce((s, c) => s + (c[k] as number), 0);
  const revenue = sum('revenueCents');
  const cost = sum('costCents');
  const mrr = clients.filter((c) => c.status === 'active').reduce((s, c) => s + plans(String(c.plan)).priceCents, 0);
  return {
    period,
    currency: DEFAULT_PLANS[0].currency,
    clients: out,
    fleet: {
      clients: out.length,
      instances: sum('instances'),
      revenueCents: revenue,
      modelCostCents: sum('modelCostCents'),
      serverCostCents: sum('serverCostCents'),
      backupCostCents: sum('backupCostCents'),
      costCents: cost,
      marginCents: revenue - cost,
      marginPct: revenue > 0 ? (revenue - cost) / revenue : null,
      mrrCents: mrr,
    },
  };
}

const csvCell = (v: unknown) => {
  const s = v == null ? '' : String(v);
  // Quote when needed; a leading = + - @ is defused so a spreadsheet does not run it.
  const safe = /^[=+\-@]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function marginCsv(r: MarginReport): string {
  const head = [
    'client_id',
    'name',
    'plan',
    'status',
    'instances',
    'revenue',
    'model_cost',
    'server_cost',
    'backup_cost',
    'cost',
    'margin',
    'margin_pct',
    'invoiced',
  ];
  const eur = (c: number) => (c / 100).toFixed(2);
  const rows = r.clients.map((c) => [
    c.clientId,
    c.name,
    c.plan,
    c.status,
    c.instances,
    eur(c.revenueCents),
    eur(c.modelCostCents),
    eur(c.serverCostCents),
    eur(c.backupCostCents),
    eur(c.costCents),
    eur(c.marginCents),
    c.marginPct == null ? '' : (c.marginPct * 100).toFixed(1),
    c.invoiced ? 'yes' : 'no',
  ]);
  const f = r.fleet;
  rows.push([
    '',
    'fleet',
    '',
    '',
    f.instances,
    eur(f.revenueCents),
    eur(f.modelCostCents),
    eur(f.serverCostCents),
    eur(f.backupCostCents),
    eur(f.costCents),
    eur(f.marginCents),
    f.marginPct == null ? '' : (f.marginPct * 100).toFixed(1),
    '',
  ]);
  return `${[head, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}
