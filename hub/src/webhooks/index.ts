import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { type Dispatcher, fetch as undiciFetch } from 'undici';

/**
 * Outgoing webhooks signed the Standard Webhooks way (webhook-id, webhook-timestamp,
 * webhook-signature), with the `standardwebhooks` package. Used by alert channels and by any
 * other feature that calls a customer's endpoint; the caller decides on retries from the result.
 */

/** A new signing secret, `whsec_<base64>` as Standard Webhooks receivers expect. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The three signature headers for a body. */
export function signatureHeaders(secret: string, id: string, body: string, at = new Date()): Record<string, string> {
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

/** What an endpoint answered (status 0 when it could not be reached). */
export interface DeliveryResult {
  ok: boolean;
  status: number;
  body: string;
  error?: string;
  /** Worth another try: network errors, 408, 429 and 5xx. */
  retryable: boolean;
  /** Seconds the endpoint asked to wait (Retry-After), when it did. */
  retryAfterSec?: number;
}

export const isRetryableStatus = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

/**
 * POSTs JSON; never throws. `extraHeaders` are added to the request; a `dispatcher` (e.g. the
 * public-address guard of security/public-address.ts) decides where connections may go.
 */
export async function postJson(
  url: string,
  body: string,
  extraHeaders: Record<string, string> = {},
  timeoutMs = 10_000,
  dispatcher?: Dispatcher,
): Promise<DeliveryResult> {
  try {
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'DeepSignal-Hub', ...extraHeaders },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual' as const,
    };
    // undici's own fetch with a dispatcher from the same package (Node's bundled one may differ in version).
    const res = dispatcher ? await undiciFetch(url, { ...init, dispatcher }) : await fetch(url, init);
    const text = (await res.text()).slice(0, 2000);
    const ra = Number(res.headers.get('retry-after'));
    return {
      ok: res.status >= 200 && res.status < 300,
      status: res.status,
      body: text,
      retryable: isRetryableStatus(res.status),
      retryAfterSec: Number.isFinite(ra) && ra > 0 ? ra : undefined,
    };
  } catch (e) {
    const cause = (e as Error & { cause?: Error & { transient?: boolean } }).cause;
    // A refused address is not retried: it stays refused.
    const refused = cause?.name === 'PublicAddressError' && !cause.transient;
    return { ok: false, status: 0, body: '', error: (refused ? cause : (e as Error)).message, retryable: !refused };
  }
}

/** A signed webhook delivery: `id` is the message id (the same on every retry, so receivers dedupe). */
export function sendSignedWebhook(
  url: string,
  secret: string,
  id: string,
  body: string,
  dispatcher?: Dispatcher,
): Promise<DeliveryResult> {
  return postJson(url, body, signatureHeaders(secret, id, body), 10_000, dispatcher);
}
