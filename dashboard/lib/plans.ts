/**
 * Monthly allowances per plan, used when the hub does not send a client's own `limits`.
 * Figures are the product's published plan allowances.
 */
export const PLAN_LIMITS: Record<string, { tokensPerMonth: number; costPerMonth: number; messagesPerMonth: number }> = {
  starter: { tokensPerMonth: 2_000_000, costPerMonth: 50, messagesPerMonth: 5_000 },
  growth: { tokensPerMonth: 10_000_000, costPerMonth: 250, messagesPerMonth: 25_000 },
  enterprise: { tokensPerMonth: 100_000_000, costPerMonth: 2_500, messagesPerMonth: 250_000 },
};

/** The limits that apply to a client: its own when set, else its plan's. */
export function limitsFor(
  client: { plan?: string; limits?: Partial<(typeof PLAN_LIMITS)[string]> | null } | null | undefined,
) {
  const base = PLAN_LIMITS[client?.plan ?? 'starter'] ?? PLAN_LIMITS.starter;
  return { ...base, ...(client?.limits ?? {}) };
}

/** Warning level for a used/limit ratio. */
export function usageLevel(used: number, limit: number): 'ok' | 'near' | 'over' {
  if (!limit) return 'ok';
  const r = used / limit;
  return r >= 1 ? 'over' : r >= 0.8 ? 'near' : 'ok';
}
