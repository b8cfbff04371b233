import { type CheckResult, call, isFailure, join } from './http.js';

interface KeyInfo {
  data?: {
    label?: string;
    limit?: number | null;
    limit_remaining?: number | null;
    usage?: number;
    is_free_tier?: boolean;
  };
}

/**
 * Checks an OpenRouter key with GET /api/v1/key (falls back to the older /api/v1/auth/key):
 * free, no tokens spent. 401 -> bad key; a limit with nothing remaining -> no credit.
 */
export async function checkOpenrouterKey(baseUrl: string, key: string): Promise<CheckResult> {
  let r = await call(join(baseUrl, '/api/v1/key'), { headers: { authorization: `Bearer ${key}` } });
  if (!isFailure(r) && r.res.status === 404)
    r = await call(join(baseUrl, '/api/v1/auth/key'), { headers: { authorization: `Bearer ${key}` } });
  if (isFailure(r)) return r;
  if (r.res.status === 401 || r.res.status === 403)
    return {
      ok: false,
      reason: 'bad_key',
      message: 'OpenRouter refused this key: check it was copied whole and is not disabled',
    };
  if (!r.res.ok) return { ok: false, reason: 'provider_error', message: `OpenRouter answered ${r.res.status}` };
  const d = (r.body as KeyInfo).data ?? {};
  if (typeof d.limit_remaining === 'number' && d.limit_remaining <= 0)
    return {
      ok: false,
      reason: 'no_credit',
      message: 'The key is valid but its credit limit is used up: raise the limit or add credits on OpenRouter',
    };
  return {
    ok: true,
    reason: 'ok',
    message: 'OpenRouter accepted the key',
    detail: { label: d.label ?? null, limitRemaining: d.limit_remaining ?? null, freeTier: d.is_free_tier ?? null },
  };
}
