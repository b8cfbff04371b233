import type { Querier } from '../db/index.js';

type Q = Pick<Querier, 'query'>;

export interface UsageTotals {
  tokensIn: number;
  tokensOut: number;
  cost: number;
  messages: number;
  replies: number;
}

export interface ClientUsage extends UsageTotals {
  from: string;
  to: string;
  byModel: (Omit<UsageTotals, 'replies'> & { model: string })[];
  byDay: (UsageTotals & { day: string })[];
  byChannel: (UsageTotals & { channel: string })[];
}

const num = (v: unknown) => Number(v ?? 0);
const totals = (r: Record<string, unknown>): UsageTotals => ({
  tokensIn: num(r.tokens_in),
  tokensOut: num(r.tokens_out),
  cost: num(r.cost),
  messages: num(r.messages),
  replies: num(r.replies),
});
const SUMS =
  'COALESCE(sum(tokens_in),0) AS tokens_in, COALESCE(sum(tokens_out),0) AS tokens_out, COALESCE(sum(cost),0) AS cost, COALESCE(sum(messages),0) AS messages, COALESCE(sum(replies),0) AS replies';

const DAY = 86_400_000;
const isDay = (d: Date) => d.getTime() % DAY === 0;

/**
 * Usage of one client in [from, to). Whole days are read from the daily aggregate, the ragged
 * ends from the hourly one (so a month is ~30 rows per instance/model/channel, not ~720).
 */
export async function clientUsage(q: Q, clientId: string, from: Date, to: Date): Promise<ClientUsage> {
  const src = sourceSql(from, to);
  const rows = await q.query<Record<string, unknown>>(
    `WITH u AS (${src.sql}) SELECT 'model' AS k, model AS key, ${SUMS} FROM u GROUP BY model
     UNION ALL SELECT 'day', to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ${SUMS} FROM u GROUP BY 2
     UNION ALL SELECT 'channel', channel, ${SUMS} FROM u GROUP BY channel`,
    [clientId, ...src.params],
  );
  const out: ClientUsage = {
    from: from.toISOString(),
    to: to.toISOString(),
    tokensIn: 0,
    tokensOut: 0,
    cost: 0,
    messages: 0,
    replies: 0,
    byModel: [],
    byDay: [],
    byChannel: [],
  };
  for (const r of rows) {
    const t = totals(r);
    if (r.k === 'model') {
      out.byModel.push({
        model: String(r.key) || 'unknown',
        tokensIn: t.tokensIn,
        tokensOut: t.tokensOut,
        cost: t.cost,
        messages: t.messages,
      });
      out.tokensIn += t.tokensIn;
      out.tokensOut += t.tokensOut;
      out.cost += t.cost;
      out.messages += t.messages;
      out.replies += t.replies;
    } else if (r.k === 'day') out.byDay.push({ day: String(r.key), ...t });
    else out.byChannel.push({ channel: String(r.key), ...t });
  }
  out.byModel.sort((a, b) => b.cost - a.cost || a.model.localeCompare(b.model));
  out.byDay.sort((a, b) => a.day.localeCompare(b.day));
  out.byChannel.sort((a, b) => b.messages - a.messages);
  out.cost = round6(out.cost);
  return out;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The rows of a client in [from, to): days from usage_daily, partial days from usage_hourly. */
function sourceSql(from: Date, to: Date, who = 'client_id = $1'): { sql: string; params: unknown[] } {
  const firstDay = new Date(Math.ceil(from.getTime() / DAY) * DAY);
  const lastDay = new Date(Math.floor(to.getTime() / DAY) * DAY);
  if (firstDay >= lastDay) {
    return {
      sql: `SELECT * FROM usage_hourly WHERE ${who} AND bucket >= $2 AND bucket < $3`,
      params: [from, to],
    };
  }
  return {
    sql: `SELECT * FROM usage_daily WHERE ${who} AND bucket >= $3 AND bucket < $4
          UNION ALL SELECT * FROM usage_hourly WHERE ${who} AND bucket >= $2 AND bucket < $3
          UNION ALL SELECT * FROM usage_hourly WHERE ${who} AND bucket >= $4 AND bucket < $5`,
    params: [from, firstDay, lastDay, to],
  };
}

/**
 * Totals of each of the given clients in [from, to), read exactly as {@link clientUsage} reads
 * one (daily aggregate for whole days, hourly for the ragged ends), in one query.
 */
export async function usageOfClients(
  q: Q,
  clientIds: string[],
  from: Date,
  to: Date,
): Promise<Map<string, UsageTotals>> {
  if (!clientIds.length) return new Map();
  const src = sourceSql(from, to, 'client_id = ANY($1::text[])');
  const rows = await q.query<Record<string, unknown>>(
    `SELECT client_id, ${SUMS} FROM (${src.sql}) u GROUP BY client_id`,
    [clientIds, ...src.params],
  );
  return new Map(rows.map((r) => [String(r.client_id), totals(r)]));
}

/** Per-client totals for [from, to) across the fleet (whole days read the daily aggregate). */
export async function usageByClient(q: Q, from: Date, to: Date): Promise<Map<string, UsageTotals>> {
  const table = isDay(from) && isDay(to) ? 'usage_daily' : 'usage_hourly';
  const rows = await q.query<Record<string, unknown>>(
    `SELECT client_id, ${SUMS} FROM ${table} WHERE bucket >= $1 AND bucket < $2 GROUP BY client_id`,
    [from, to],
  );
  return new Map(rows.map((r) => [String(r.client_id), totals(r)]));
}

export interface FleetUsage extends UsageTotals {
  from: string;
  to: string;
  instances: number;
  /** Mean reply latency (ms) over every reply with a latency; null when none. */
  latencyMs: number | null;
  /** Error and fatal gateway log lines per assistant reply. */
  errorRate: number;
  errors: number;
  byClient: (UsageTotals & { clientId: string; instances: number; latencyMs: number | null })[];
  byInstance: (UsageTotals & { instanceId: string; clientId: string; latencyMs: number | null })[];
  byHour: { t: string; messages: number; cost: number; tokens: number; latencyMs: number | null; errors: number }[];
}

/** Usage, cost, error rate and reply latency of every instance in [from, to), computed here. */
export async function fleetUsage(q: Q, from: Date, to: Date): Promise<FleetUsage> {
  const [inst, hours, errs] = await Promise.all([
    q.query<Record<string, unknown>>(
      `SELECT client_id, instance_id, ${SUMS}, COALESCE(sum(latency_sum),0) AS ls, COALESCE(sum(latency_count),0) AS lc
       FROM usage_hourly WHERE bucket >= $1 AND bucket < $2 GROUP BY client_id, instance_id`,
      [from, to],
    ),
    q.query<Record<string, unknown>>(
      `SELECT bucket, ${SUMS}, COALESCE(sum(latency_sum),0) AS ls, COALESCE(sum(latency_count),0) AS lc
       FROM usage_hourly WHERE bucket >= $1 AND bucket < $2 GROUP BY bucket ORDER BY bucket`,
      [from, to],
    ),
    // Error and fatal gateway log lines per hour (the sidecars forward OpenClaw's log).
    q.query<{ h: string; n: string | number }>(
      `SELECT date_trunc('hour', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS h, count(*) AS n FROM log_lines
       WHERE t >= $1 AND t < $2 AND level IN ('error', 'fatal') GROUP BY 1`,
      [from, to],
    ),
  ]);
  const lat = (r: Record<string, unknown>) => (num(r.lc) > 0 ? num(r.ls) / num(r.lc) : null);
  const byInstance = inst.map((r) => ({
    instanceId: String(r.instance_id),
    clientId: String(r.client_id),
    ...totals(r),
    latencyMs: lat(r),
  }));
  const clients = new Map<string, FleetUsage['byClient'][number] & { ls: number; lc: number }>();
  let ls = 0;
  let lc = 0;
  const sum: UsageTotals = { tokensIn: 0, tokensOut: 0, cost: 0, messages: 0, replies: 0 };
  for (const [i, r] of inst.entries()) {
    const b = byInstance[i];
    const c = clients.get(b.clientId) ?? {
      clientId: b.clientId,
      instances: 0,
      tokensIn: 0,
      tokensOut: 0,
      cost: 0,
      messages: 0,
      replies: 0,
      latencyMs: null,
      ls: 0,
      lc: 0,
    };
    c.instances++;
    for (const k of ['tokensIn', 'tokensOut', 'cost', 'messages', 'replies'] as const) {
      c[k] += b[k];
      sum[k] += b[k];
    }
    c.ls += num(r.ls);
    c.lc += num(r.lc);
    ls += num(r.ls);
    lc += num(r.lc);
    clients.set(b.clientId, c);
  }
  const errorsAt = new Map(errs.map((e) => [new Date(e.h).toISOString(), num(e.n)]));
  const errors = errs.reduce((s, e) => s + num(e.n), 0);
  const HOUR = 3_600_000;
  const hourRows = new Map(hours.map((r) => [new Date(r.bucket as string).toISOString(), r]));
  const byHour: FleetUsage['byHour'] = [];
  // Every hour of the window, so charts show quiet hours as zero rather than skipping them.
  for (let t = Math.floor(from.getTime() / HOUR) * HOUR; t < to.getTime() && byHour.length < 24 * 400; t += HOUR) {
    const k = new Date(t).toISOString();
    const r = hourRows.get(k);
    byHour.push({
      t: k,
      messages: num(r?.messages),
      cost: num(r?.cost),
      tokens: num(r?.tokens_in) + num(r?.tokens_out),
      latencyMs: r ? lat(r) : null,
      errors: errorsAt.get(k) ?? 0,
    });
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    ...sum,
    cost: round6(sum.cost),
    instances: byInstance.length,
    latencyMs: lc > 0 ? ls / lc : null,
    errors,
    errorRate: sum.replies > 0 ? errors / sum.replies : 0,
    byClient: [...clients.values()]
      .map(({ ls: s, lc: n, ...c }) => ({ ...c, latencyMs: n > 0 ? s / n : null }))
      .sort((a, b) => b.cost - a.cost),
    byInstance: byInstance.sort((a, b) => b.cost - a.cost),
    byHour,
  };
}
