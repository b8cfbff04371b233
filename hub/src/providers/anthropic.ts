import { type CheckResult, call, isFailure, join } from './http.js';

/** The cheapest real request: a one-token message on the smallest model. */
const PROBE_MODEL = 'claude-haiku-4-5';

/**
 * Checks an Anthropic API key with POST /v1/messages (x-api-key, anthropic-version), max_tokens 1.
 * 401 authentication_error -> bad key; 400 invalid_request_error mentioning the credit balance ->
 * no credit; 200 -> ok. Costs a handful of tokens.
 */
export async function checkAnthropicKey(baseUrl: string, key: string): Promise<CheckResult> {
  const r = await call(join(baseUrl, '/v1/messages'), {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: PROBE_MODEL, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] }),
  });
  if (isFailure(r)) return r;
  const err = (r.body as { error?: { type?: string; message?: string } })?.error;
  if (r.res.ok)
    return { ok: true, reason: 'ok', message: 'Anthropic accepted the key', detail: { model: PROBE_MODEL } };
  if (r.res.status === 401 || err?.type === 'authentication_error')
    return {
      ok: false,
      reason: 'bad_key',
      message: 'Anthropic refused this key (authentication error): check it was copied whole',
    };
  if (r.res.status === 403 || err?.type === 'permission_error')
    return {
      ok: false,
      reason: 'bad_key',
      message: `Anthropic: this key may not use the API (${err?.message ?? 'permission error'})`,
    };
  if (/credit balance/i.test(err?.message ?? ''))
    return {
      ok: false,
      reason: 'no_credit',
      message: 'The key is valid but the account has no credit: add credit in the Anthropic console (Plans & Billing)',
    };
  return {
    ok: false,
    reason: 'provider_error',
    message: `Anthropic answered ${r.res.status}${err?.message ? `: ${err.message}` : ''}`,
  };
}
