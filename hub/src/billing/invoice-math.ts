import type { Plan } from './plans.js';
import { type TaxDecision, taxCents } from './tax.js';

export interface InvoiceLine {
  description: string;
  quantity: number;
  /** Cents per unit (may carry decimals, e.g. a day of a monthly price); `amount` is what counts. */
  unitPrice: number;
  /** Integer cents. */
  amount: number;
}

export interface Totals {
  lines: InvoiceLine[];
  subtotal: number;
  tax: number;
  total: number;
}

/** A stretch of the period on one plan and status. */
export interface Segment {
  from: Date;
  to: Date;
  plan: Plan;
  status: string;
}

/** Statuses that pay the plan fee (onboarding and churned time is not billed). */
export const BILLED_STATUSES = new Set(['active', 'paused']);

const DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const fmtDay = (d: Date) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** [start, end) of a "YYYY-MM" period in UTC. */
export function periodBounds(period: string): { start: Date; end: Date } {
  const [y, m] = period.split('-').map(Number);
  return { start: new Date(Date.UTC(y, m - 1, 1)), end: new Date(Date.UTC(y, m, 1)) };
}

/**
 * The lines of a period: the plan fee of every billed segment, prorated by time when it does not
 * cover the whole month, and the message overage of the plan in force at the end of the period.
 */
export function invoiceLines(period: string, segments: Segment[], messages: number): InvoiceLine[] {
  const { start, end } = periodBounds(period);
  const monthMs = end.getTime() - start.getTime();
  const days = monthMs / DAY;
  const lines: InvoiceLine[] = [];
  for (const s of segments) {
    if (!BILLED_STATUSES.has(s.status) || s.to <= s.from) continue;
    const ms = s.to.getTime() - s.from.getTime();
    if (ms >= monthMs) {
      lines.push({
        description: `${s.plan.name} plan, ${period}`,
        quantity: 1,
        unitPrice: s.plan.priceCents,
        amount: s.plan.priceCents,
      });
      continue;
    }
    const used = round2(ms / DAY);
    const amount = Math.round((s.plan.priceCents * ms) / monthMs);
    if (amount === 0) continue;
    const last = new Date(s.to.getTime() - 1);
    lines.push({
      description: `${s.plan.name} plan, ${fmtDay(s.from)} – ${fmtDay(last)} (${used} of ${days} days)`,
      quantity: used,
      unitPrice: round2(s.plan.priceCents / days),
      amount,
    });
  }
  const plan = segments.at(-1)?.plan;
  const billedAtAll = segments.some((s) => BILLED_STATUSES.has(s.status));
  if (plan && billedAtAll && messages > plan.includedMessages && plan.overagePer1kMessagesCents > 0) {
    const over = messages - plan.includedMessages;
    lines.push({
      description: `Messages above the ${plan.includedMessages.toLocaleString('en-US')} included`,
      quantity: over,
      unitPrice: plan.overagePer1kMessagesCents / 1000,
      amount: Math.round((over * plan.overagePer1kMessagesCents) / 1000),
    });
  }
  return lines;
}

/** Subtotal, tax and total of lines (integer cents; the subtotal is exactly the sum of the lines). */
export function totalsOf(lines: InvoiceLine[], tax: TaxDecision): Totals {
  const subtotal = lines.reduce((s, l) => s + l.amount, 0);
  const t = taxCents(subtotal, tax.rate);
  return { lines, subtotal, tax: t, total: subtotal + t };
}

/**
 * Splits a period into segments from the plan/status changes inside it. `initial` is the plan
 * and status at the start of the period (from the last change before it, or the client's own).
 */
export function segmentsOf(
  period: string,
  initial: { plan: string; status: string },
  changes: { at: Date; toPlan: string | null; toStatus: string | null }[],
  plans: (id: string) => Plan,
): Segment[] {
  const { start, end } = periodBounds(period);
  const out: Segment[] = [];
  let cur = { ...initial };
  let from = start;
  for (const c of [...changes].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (c.at <= start) {
      cur = { plan: c.toPlan ?? cur.plan, status: c.toStatus ?? cur.status };
      continue;
    }
    if (c.at >= end) break;
    out.push({ from, to: c.at, plan: plans(cur.plan), status: cur.status });
    cur = { plan: c.toPlan ?? cur.plan, status: c.toStatus ?? cur.status };
    from = c.at;
  }
  out.push({ from, to: end, plan: plans(cur.plan), status: cur.status });
  return out;
}
