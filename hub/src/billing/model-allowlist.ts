import { HttpError } from '../auth/errors.js';
import type { Querier } from '../db/index.js';
import { planAllowance } from './plans.js';

/** The models a command would make the agent use (`model.set`'s model and fallbacks, `config.apply`'s model). */
export function modelsOf(type: string, params: Record<string, unknown>): string[] {
  if (type !== 'model.set' && type !== 'config.apply') return [];
  const out = typeof params.model === 'string' ? [params.model] : [];
  if (type === 'model.set' && Array.isArray(params.fallbacks))
    out.push(...params.fallbacks.filter((m): m is string => typeof m === 'string'));
  return out;
}

/**
 * Refuses a command that would put a client's agent on a model its plan does not allow (a plan
 * with no models listed allows any). 403 `HUB_ERR_MODEL_NOT_IN_PLAN`, naming the plan's models.
 */
export async function assertModelsInPlan(
  q: Pick<Querier, 'query'>,
  clientId: string,
  type: string,
  params: Record<string, unknown>,
): Promise<void> {
  const wanted = modelsOf(type, params);
  if (!wanted.length) return;
  const plan = await planAllowance(q, clientId);
  if (!plan?.models.length) return;
  const outside = wanted.filter((m) => !plan.models.includes(m));
  if (outside.length)
    throw new HttpError(
      403,
      'HUB_ERR_MODEL_NOT_IN_PLAN',
      `the ${plan.plan} plan does not include ${outside.join(', ')}; its models: ${plan.models.join(', ')}`,
    );
}
