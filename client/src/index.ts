import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, paths } from './schema.js';

/** The hub API, typed route by route from its OpenAPI document. */
export type HubApi = Client<paths>;

export interface HubApiOptions {
  /** The hub's URL, e.g. `https://hub.example.com` (paths carry the `/api/v1` prefix). */
  baseUrl: string;
  /** A client API key, service token or session token; a function is asked on every request (rotation). */
  token: string | (() => string);
  /** Per-request timeout. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The `{error}` body every failed hub call answers with. */
export interface HubApiErrorBody {
  error: { code: string; message: string };
}

/**
 * A typed client of /api/v1: `api.GET('/api/v1/instances/{id}', { params: { path: { id } } })`
 * answers `{ data, error, response }` with the route's documented types.
 */
export function createHubApi(o: HubApiOptions): HubApi {
  const api = createClient<paths>({
    baseUrl: o.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, ''),
    fetch: o.fetch,
  });
  const token = typeof o.token === 'function' ? o.token : () => o.token as string;
  api.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${token()}`);
      request.headers.set('accept', 'application/json');
      if (!o.timeoutMs) return request;
      return new Request(request, { signal: AbortSignal.timeout(o.timeoutMs) });
    },
  });
  return api;
}

/** The data of a call, or an Error carrying the hub's status and `HUB_ERR_…` code. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  const { data, error, response } = await call;
  if (error === undefined && response.ok) return data as NonNullable<T>;
  const e = (error as Partial<HubApiErrorBody> | undefined)?.error;
  throw new HubApiError(response.status, e?.code ?? `http_${response.status}`, e?.message ?? response.statusText);
}

export class HubApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'HubApiError';
  }
}
