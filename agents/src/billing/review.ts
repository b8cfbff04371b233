import type { InvoicePreview } from './api.js';

/** Thresholds of the invoice review (flags and variables in agents/README.md). */
export interface ReviewPolicy {
  /** Usage this many times above or below the run-rate forecast is flagged. */
  usageFactor: number;
  /** ...and only when it differs by at least this many messages (small clients wobble). */
  usageMinMessages: number;
}

export const DEFAULT_REVIEW_POLICY: ReviewPolicy = { usageFactor: 3, usageMinMessages: 50 };

/** Something about an invoice that a person should look at before it goes out. */
export interface InvoiceAnomaly {
  kind: 'usage_far_from_forecast' | 'plan_change_mid_period' | 'zero_invoice_active';
  what: string;
  evidence: Record<string, unknown>;
}

/**
 * What looks wrong in an invoice before it is issued: usage far from the run-rate forecast (the
 * mean of the three periods before, where at least two had usage), a plan change inside the
 * period (prorated lines a client may not expect), a zero invoice for a client who is active.
 */
export function invoiceAnomalies(p: InvoicePreview, policy: ReviewPolicy = DEFAULT_REVIEW_POLICY): InvoiceAnomaly[] {
  const out: InvoiceAnomaly[] = [];
  const seen = p.priorMessages.filter((m) => m > 0);
  if (seen.length >= 2) {
    const forecast = Math.round(p.priorMessages.reduce((s, m) => s + m, 0) / p.priorMessages.length);
    const ratio = forecast > 0 ? p.messages / forecast : Number.POSITIVE_INFINITY;
    const far = ratio >= policy.usageFactor || ratio <= 1 / policy.usageFactor;
    if (far && Math.abs(p.messages - forecast) >= policy.usageMinMessages)
      out.push({
        kind: 'usage_far_from_forecast',
        what: `${p.messages} messages in ${p.period} against a forecast of ${forecast} (${ratio.toFixed(1)}×)`,
        evidence: {
          messages: p.messages,
          forecast,
          ratio: Math.round(ratio * 100) / 100,
          priorMessages: p.priorMessages,
        },
      });
  }
  const planChanges = p.changes.filter((c) => c.fromPlan !== c.toPlan);
  if (planChanges.length)
    out.push({
      kind: 'plan_change_mid_period',
      what: `plan changed during ${p.period}: ${planChanges.map((c) => `${c.fromPlan} → ${c.toPlan} on ${c.at.slice(0, 10)}`).join(', ')}`,
      evidence: { planAtStart: p.planAtStart, changes: planChanges },
    });
  if (p.subtotal === 0 && p.status === 'active')
    out.push({
      kind: 'zero_invoice_active',
      what: `a zero invoice for ${p.clientName}, who is active (${p.messages} messages in ${p.period})`,
      evidence: { subtotal: 0, status: p.status, statusAtStart: p.statusAtStart, messages: p.messages },
    });
  return out;
}
