/**
 * Monthly allowances of a client's plan, which usage_over_plan and budget_near compare against.
 * The alert data (data.ts) reads them from billing: the plan's included tokens and the client's
 * hard budget. These published figures stand in where billing holds none (a plan without included
 * tokens, a client without a budget); an unknown plan gets the starter allowance.
 */
export interface PlanAllowance {
  tokensPerMonth: number;
  costPerMonth: number;
}

const PUBLISHED: Record<string, PlanAllowance> = {
  starter: { tokensPerMonth: 2_000_000, costPerMonth: 50 },
  growth: { tokensPerMonth: 10_000_000, costPerMonth: 250 },
  enterprise: { tokensPerMonth: 100_000_000, costPerMonth: 2_500 },
};

export function planAllowance(plan: string | null | undefined): PlanAllowance {
  return PUBLISHED[plan ?? 'starter'] ?? PUBLISHED.starter;
}
