/**
 * Monthly allowances of a client's plan, which usage_over_plan and budget_near compare against.
 * This is the one place the alert engine reads allowances from; today it uses the published plan
 * figures (the same as the dashboard's dashboard/lib/plans.ts), so a client on an unknown plan
 * gets the starter allowance.
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
