import type { Querier } from '../db/index.js';

type Q = Pick<Querier, 'query'>;

export const PLAN_IDS = ['starter', 'growth', 'enterprise'] as const;
/**
 * At the hard limit: nothing, slow the agent down with OpenClaw's own concurrency and queue
 * settings (`billing/throttle.ts`), switch every instance to the plan's cheaper model, or pause the agent.
 */
export const HARD_LIMITS = ['none', 'throttle', 'model', 'pause'] as const;
export type HardLimit = (typeof HARD_LIMITS)[number];

export interface Plan {
  id: string;
  name: string;
  currency: string;
  /** Monthly price in cents. */
  priceCents: number;
  includedMessages: number;
  includedTokens: number;
  /** Price of 1,000 messages above the included ones, in cents. */
  overagePer1kMessagesCents: number;
  /** Models the plan allows (`provider/model`); empty allows any. */
  models: string[];
  hardLimit: HardLimit;
  fallbackModel: string | null;
}

/** The plans a new hub starts with; the operator edits them (PATCH /api/v1/plans/:id). */
export const DEFAULT_PLANS: Plan[] = [
  {
    id: 'starter',
    name: 'Starter',
    currency: 'EUR',
    priceCents: 49_00,
    includedMessages: 5_000,
    includedTokens: 2_000_000,
    overagePer1kMessagesCents: 12_00,
    models: [],
    hardLimit: 'model',
    fallbackModel: 'anthropic/claude-haiku-4-5',
  },
  {
    id: 'growth',
    name: 'Growth',
    currency: 'EUR',
    priceCents: 199_00,
    includedMessages: 25_000,
    includedTokens: 10_000_000,
    overagePer1kMessagesCents: 9_00,
    models: [],
    hardLimit: 'model',
    fallbackModel: 'anthropic/claude-haiku-4-5',
  },
  {
    id: 'enterprise',
    name: 'Enterprise',
    currency: 'EUR',
    priceCents: 1_490_00,
    includedMessages: 250_000,
    includedTokens: 100_000_000,
    overagePer1kMessagesCents: 6_00,
    models: [],
    hardLimit: 'none',
    fallbackModel: null,
  },
];

export function toPlan(r: Record<string, unknown>): Plan {
  return {
    id: String(r.id),
    name: String(r.name),
    currency: String(r.currency),
    priceCents: Number(r.price_cents),
    includedMessages: Number(r.included_messages),
    includedTokens: Number(r.included_tokens),
    overagePer1kMessagesCents: Number(r.overage_per_1k_messages_cents),
    models: (r.models as string[]) ?? [],
    hardLimit: String(r.hard_limit) as HardLimit,
    fallbackModel: (r.fallback_model as string | null) ?? null,
  };
}

/** Inserts the default plans that are missing (never overwrites the operator's edits). */
export async function ensurePlans(q: Q): Promise<void> {
  for (const p of DEFAULT_PLANS) {
    await q.query(
      `INSERT INTO billing_plans (id, name, currency, price_cents, included_messages, included_tokens,
         overage_per_1k_messages_cents, models, hard_limit, fallback_model)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (id) DO NOTHING`,
      [
        p.id,
        p.name,
        p.currency,
        p.priceCents,
        p.includedMessages,
        p.includedTokens,
        p.overagePer1kMessagesCents,
        JSON.stringify(p.models),
        p.hardLimit,
        p.fallbackModel,
      ],
    );
  }
}

export async function listPlans(q: Q): Promise<Plan[]> {
  const rows = await q.query('SELECT * FROM billing_plans ORDER BY price_cents, id');
  return rows.map(toPlan);
}

export async function getPlan(q: Q, id: string): Promise<Plan | null> {
  const rows = await q.query('SELECT * FROM billing_plans WHERE id = $1', [id]);
  if (rows[0]) return toPlan(rows[0]);
  return DEFAULT_PLANS.find((p) => p.id === id) ?? null;
}

/** What a client may use this month and what happens past it; for alerting and the dashboards. */
export interface PlanAllowance {
  clientId: string;
  plan: string;
  period: string;
  currency: string;
  priceCents: number;
  includedMessages: number;
  includedTokens: number;
  overagePer1kMessagesCents: number;
  /** Model-spend budget in cents (null = none). */
  budgetSoftCents: number | null;
  budgetHardCents: number | null;
  hardLimit: HardLimit;
  models: string[];
}

export const periodOf = (d: Date) => d.toISOString().slice(0, 7);

/** A client's allowance for the period of `at` (default now); null for an unknown client. */
export async function planAllowance(q: Q, clientId: string, at = new Date()): Promise<PlanAllowance | null> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT c.plan, b.budget_soft_cents, b.budget_hard_cents, b.hard_limit
     FROM clients c LEFT JOIN client_billing b ON b.client_id = c.id WHERE c.id = $1`,
    [clientId],
  );
  const r = rows[0];
  if (!r) return null;
  const plan = (await getPlan(q, String(r.plan))) ?? DEFAULT_PLANS[0];
  return {
    clientId,
    plan: plan.id,
    period: periodOf(at),
    currency: plan.currency,
    priceCents: plan.priceCents,
    includedMessages: plan.includedMessages,
    includedTokens: plan.includedTokens,
    overagePer1kMessagesCents: plan.overagePer1kMessagesCents,
    budgetSoftCents: r.budget_soft_cents == null ? null : Number(r.budget_soft_cents),
    budgetHardCents: r.budget_hard_cents == null ? null : Number(r.budget_hard_cents),
    hardLimit: ((r.hard_limit as string | null) ?? plan.hardLimit) as HardLimit,
    models: plan.models,
  };
}
