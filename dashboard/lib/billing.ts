/**
 * Billing figures as the hub computes them (usage, plans, budgets, forecast, invoices, margins).
 * Nothing here is estimated in the browser.
 */
import { ApiError, buildUrl, getToken } from './api';

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
  byModel: { model: string; tokensIn: number; tokensOut: number; cost: number; messages: number }[];
  byDay: (UsageTotals & { day: string })[];
}

export interface Plan {
  id: string;
  name: string;
  currency: string;
  priceCents: number;
  includedMessages: number;
  includedTokens: number;
  overagePer1kMessagesCents: number;
  models: string[];
  hardLimit: HardLimit;
  fallbackModel: string | null;
}

/** What the hub does when a client's model spend reaches its hard budget. */
export type HardLimit = 'none' | 'throttle' | 'model' | 'pause';
export const HARD_LIMIT_OPTIONS: { value: HardLimit; label: string }[] = [
  { value: 'none', label: 'Nothing (bill overage)' },
  { value: 'throttle', label: 'Throttle the agent' },
  { value: 'model', label: 'Switch to a cheaper model' },
  { value: 'pause', label: 'Pause the agent' },
];

export interface Allowance {
  plan: string;
  period: string;
  currency: string;
  priceCents: number;
  includedMessages: number;
  includedTokens: number;
  overagePer1kMessagesCents: number;
  budgetSoftCents: number | null;
  budgetHardCents: number | null;
  hardLimit: HardLimit;
}

export interface Forecast {
  period: string;
  actual: { messages: number; tokens: number; cost: number };
  projected: { messages: number; tokens: number; cost: number };
  basisDays: number;
  method: 'weekday' | 'flat' | 'none';
}

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitPrice: number;
  amount: number;
}

export interface Invoice {
  id: string;
  number: string;
  kind: 'invoice' | 'credit_note';
  period: string;
  status: string;
  currency: string;
  lines: InvoiceLine[];
  subtotal: number;
  tax: number;
  total: number;
  issuedAt: string;
  dueAt: string;
  paidAt: string | null;
  payUrl: string | null;
}

export interface ClientBilling {
  allowance: Allowance;
  plan: Plan | null;
  usage: ClientUsage;
  forecast: Forecast;
  billing: {
    budgetSoftCents: number | null;
    budgetHardCents: number | null;
    hardLimit: string | null;
    enforcement: { action: string; period: string } | null;
    pausedForDunning: string | null;
  };
  invoices: Invoice[];
}

export interface FleetUsage extends UsageTotals {
  instances: number;
  latencyMs: number | null;
  errorRate: number;
  errors: number;
  byClient: (UsageTotals & { clientId: string; instances: number; latencyMs: number | null })[];
  byHour: { t: string; messages: number; cost: number; tokens: number; latencyMs: number | null; errors: number }[];
}

export type BillingStatus = 'paid' | 'due' | 'overdue' | 'failed' | 'none';

export interface Overview {
  mrrCents: number;
  currency: string;
  clients: {
    clientId: string;
    mrrCents: number;
    billingStatus: BillingStatus;
    outstandingCents: number;
    onboarding: { completed: number; steps: number; done: boolean };
  }[];
}

export interface Margins {
  period: string;
  currency: string;
  clients: {
    clientId: string;
    revenueCents: number;
    costCents: number;
    marginCents: number;
    marginPct: number | null;
  }[];
  fleet: { revenueCents: number; costCents: number; marginCents: number; marginPct: number | null; mrrCents: number };
}

/** Warning level for a used/limit ratio. */
export function usageLevel(used: number, limit: number | null | undefined): 'ok' | 'near' | 'over' {
  if (!limit) return 'ok';
  const r = used / limit;
  return r >= 1 ? 'over' : r >= 0.8 ? 'near' : 'ok';
}

/** Integer cents in a currency, e.g. 14758 EUR -> "€147.58". */
export function fmtCents(cents: number | null | undefined, currency = 'EUR') {
  if (cents === null || cents === undefined || !Number.isFinite(cents)) return '—';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
}

/** What happens at the hard limit, in words. */
export function hardLimitText(h: string | null | undefined, fallbackModel?: string | null) {
  if (h === 'pause') return 'the agent is paused until the next month or a higher budget';
  if (h === 'throttle')
    return 'the agent is slowed down (one conversation at a time, bursts answered together) until the next month or a higher budget';
  if (h === 'model') return `the agent switches to ${fallbackModel ?? 'a cheaper model'} until the next month`;
  return 'nothing is stopped; usage above the plan is billed as overage';
}

export const STATUS_TONE: Record<BillingStatus, 'success' | 'warning' | 'danger' | 'outline' | 'accent'> = {
  paid: 'success',
  due: 'accent',
  overdue: 'warning',
  failed: 'danger',
  none: 'outline',
};

/** Cents as the operator types them in major units: "49", "49.5", "49,50" -> 4900, 4950, 4950; null when not a price. */
export function parseMoney(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}

/** A whole number as typed ("25,000", "25 000" and "25000" alike); null when not one. */
export function parseCount(text: string): number | null {
  const t = text.trim().replace(/[\s,_]/g, '');
  if (!/^\d{1,13}$/.test(t)) return null;
  return Number(t);
}

/** Downloads an invoice PDF with the session (a plain link would not carry the bearer token). */
export async function downloadInvoicePdf(inv: Pick<Invoice, 'id' | 'number'>): Promise<void> {
  const token = getToken();
  const res = await fetch(buildUrl(`/invoices/${encodeURIComponent(inv.id)}/pdf`), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    credentials: 'include',
  });
  if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, `The hub answered ${res.status} for the PDF`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${inv.number}.pdf`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
