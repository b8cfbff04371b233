import { dayKey, daysInMonth, startOfMonth, toMs } from './time';
import type { Conversation } from './types';

/** Tokens, cost and messages of one day. */
export interface DayUsage {
  day: string;
  tokens: number;
  cost: number;
  messages: number;
}

/** Usage by day for the current month (every day up to today, zeros included). */
export function usageByDay(messages: Conversation[], now = new Date()): DayUsage[] {
  const start = startOfMonth(now).getTime();
  const days = new Map<string, DayUsage>();
  for (let d = new Date(start); d <= now; d.setDate(d.getDate() + 1)) {
    const k = dayKey(d.getTime());
    days.set(k, { day: k, tokens: 0, cost: 0, messages: 0 });
  }
  for (const m of messages) {
    const t = toMs(m.t);
    if (t < start) continue;
    const row = days.get(dayKey(t));
    if (!row) continue;
    row.tokens += (m.tokensIn ?? 0) + (m.tokensOut ?? 0);
    row.cost += m.cost ?? 0;
    if (m.role === 'user') row.messages++;
  }
  return [...days.values()];
}

/** Month totals and a straight-line forecast to month end from the average so far. */
export function monthForecast(days: DayUsage[], now = new Date()) {
  const tokens = days.reduce((s, d) => s + d.tokens, 0);
  const cost = days.reduce((s, d) => s + d.cost, 0);
  const messages = days.reduce((s, d) => s + d.messages, 0);
  const elapsed = Math.max(1, now.getDate() - 1 + (now.getHours() * 60 + now.getMinutes()) / 1440);
  const factor = daysInMonth(now) / elapsed;
  return {
    tokens,
    cost,
    messages,
    forecastTokens: tokens * factor,
    forecastCost: cost * factor,
    forecastMessages: messages * factor,
  };
}
