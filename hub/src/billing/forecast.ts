import type { Querier } from '../db/index.js';

const DAY = 86_400_000;

export interface Forecast {
  period: string;
  asOf: string;
  /** Month to date. */
  actual: { messages: number; tokens: number; cost: number };
  /** Expected at month end (actual plus the expected rest of the month). */
  projected: { messages: number; tokens: number; cost: number };
  /** Days of history the weekday pattern came from. */
  basisDays: number;
  method: 'weekday' | 'flat' | 'none';
}

type Day = { day: number; messages: number; tokens: number; cost: number };

/**
 * Month-end forecast from the run rate with the weekday pattern: each remaining day is expected
 * to look like the mean of the same weekday over the last 28 full days (a Monday like the recent
 * Mondays), falling back to the mean of all those days for a weekday without history. The rest
 * of today counts as the remaining share of today's expected day.
 */
export function forecastFrom(history: Day[], now: Date): Omit<Forecast, 'period' | 'asOf'> {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const since = today - 28 * DAY;
  const actual = { messages: 0, tokens: 0, cost: 0 };
  const byWeekday = Array.from({ length: 7 }, () => ({ n: 0, messages: 0, tokens: 0, cost: 0 }));
  const all = { n: 0, messages: 0, tokens: 0, cost: 0 };
  const seen = new Map<number, Day>();
  for (const d of history) seen.set(d.day, d);
  for (const d of history) {
    if (d.day >= monthStart && d.day < monthEnd) {
      actual.messages += d.messages;
      actual.tokens += d.tokens;
      actual.cost += d.cost;
    }
  }
  // Full days before today; a day without usage in the window is a zero day, once there is history.
  const first = history.reduce((m, d) => Math.min(m, d.day), today);
  for (let day = Math.max(since, first); day < today; day += DAY) {
    const d = seen.get(day) ?? { day, messages: 0, tokens: 0, cost: 0 };
    const w = byWeekday[new Date(day).getUTCDay()];
    for (const acc of [w, all]) {
      acc.n++;
      acc.messages += d.messages;
      acc.tokens += d.tokens;
      acc.cost += d.cost;
    }
  }
  if (all.n === 0) return { actual, projected: { ...actual }, basisDays: 0, method: 'none' };
  const expected = (day: number) => {
    const w = byWeekday[new Date(day).getUTCDay()];
    const src = w.n > 0 ? w : all;
    return { messages: src.messages / src.n, tokens: src.tokens / src.n, cost: src.cost / src.n };
  };
  const projected = { ...actual };
  const todayShare = (today + DAY - now.getTime()) / DAY;
  for (let day = today; day < monthEnd; day += DAY) {
    const e = expected(day);
    const share = day === today ? todayShare : 1;
    projected.messages += e.messages * share;
    projected.tokens += e.tokens * share;
    projected.cost += e.cost * share;
  }
  projected.messages = Math.round(projected.messages);
  projected.tokens = Math.round(projected.tokens);
  projected.cost = Math.round(projected.cost * 100) / 100;
  return { actual, projected, basisDays: all.n, method: byWeekday.every((w) => w.n > 0) ? 'weekday' : 'flat' };
}

/** The forecast of one client (or of the whole fleet when clientId is null) as of `now`. */
export async function forecast(q: Pick<Querier, 'query'>, clientId: string | null, now: Date): Promise<Forecast> {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const from = new Date(Math.min(monthStart, today - 28 * DAY));
  const rows = await q.query<Record<string, unknown>>(
    `SELECT bucket, sum(messages) AS messages, sum(tokens_in + tokens_out) AS tokens, sum(cost) AS cost
     FROM usage_daily WHERE bucket >= $1 AND bucket <= $2 ${clientId ? 'AND client_id = $3' : ''}
     GROUP BY bucket`,
    clientId ? [from, now, clientId] : [from, now],
  );
  const history = rows.map((r) => ({
    day: new Date(r.bucket as string).getTime(),
    messages: Number(r.messages),
    tokens: Number(r.tokens),
    cost: Number(r.cost),
  }));
  return { period: now.toISOString().slice(0, 7), asOf: now.toISOString(), ...forecastFrom(history, now) };
}
