/**
 * The shared shape of a provider check: the outcome a person sees next to the field. Reasons are
 * precise: a wrong key, no credit, a network failure, or something the provider said.
 */
export type CheckReason = 'ok' | 'bad_key' | 'no_credit' | 'no_network' | 'provider_error';

/** Result of checking a key or token against its provider with a real request. */
export interface CheckResult {
  ok: boolean;
  reason: CheckReason;
  message: string;
  /** Facts the provider returned (bot username, workspace, credit left…); never the secret. */
  detail?: Record<string, unknown>;
}

/** A fetch that never throws: a network failure or timeout comes back as `no_network`. */
export async function call(
  url: string,
  init: RequestInit & { timeoutMs?: number },
): Promise<{ res: Response; body: unknown } | CheckResult> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the message
    }
    return { res, body };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === 'TimeoutError' ? 'timed out' : (err.cause?.code ?? err.message);
    return {
      ok: false,
      reason: 'no_network',
      message: `could not reach ${new URL(url).host} (${why}); check the network and try again`,
    };
  }
}

export const isFailure = (r: unknown): r is CheckResult =>
  typeof r === 'object' && r !== null && 'reason' in r && 'ok' in r;

/** Joins a configured base URL and a path without doubling or losing slashes. */
export const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;
