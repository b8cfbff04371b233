import { HetznerError, hetznerErrorFrom } from './errors.js';
import type {
  CreateServerRequest,
  CreateServerResponse,
  HAction,
  HFirewall,
  HFirewallRule,
  HImage,
  HLocation,
  HPagination,
  HServer,
  HServerType,
  HSshKey,
} from './types.js';

export interface HetznerClientOptions {
  token: string;
  /** API base, e.g. https://api.hetzner.cloud/v1 (tests: a local fake). */
  baseUrl: string;
  /** How often a running action is polled (each poll counts against the rate limit). */
  actionPollMs?: number;
  /** Attempts for a 429 or a transient failure before the error is thrown. */
  maxRetries?: number;
  /** Longest single back-off wait. */
  maxBackoffMs?: number;
  fetch?: typeof fetch;
  /** Sleep (tests may speed it up). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What the last answer said about the project's request budget. */
export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  /** Unix seconds at which the budget is full again. */
  reset: number | null;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((res, rej) => {
    if (signal?.aborted) return rej(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      rej(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      res();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const num = (v: string | null) => (v === null || v === '' || Number.isNaN(Number(v)) ? null : Number(v));

/**
 * A small typed client of the Hetzner Cloud API over fetch: servers, actions, server types with
 * prices, locations, images and snapshots, SSH keys and firewalls. Errors come out as
 * HetznerError in Hetzner's words; 429s wait for `RateLimit-Reset` (or back off exponentially)
 * and are retried, as are GETs and DELETEs that got no answer or a 5xx. A POST that got no
 * answer is not repeated here: the caller looks its resource up by label instead.
 */
export class HetznerClient {
  readonly rateLimit: RateLimitState = { limit: null, remaining: null, reset: null };
  /** Requests sent (for tests and the operator's view of the budget). */
  requests = 0;
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly o: HetznerClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.doFetch = o.fetch ?? fetch;
    this.sleep = o.sleep ?? defaultSleep;
  }

  /** One API call; `body` is sent as JSON. Retries as described on the class. */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const maxRetries = this.o.maxRetries ?? 5;
    const idempotent = method === 'GET' || method === 'DELETE' || method === 'PUT';
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        this.requests++;
        res = await this.doFetch(`${this.base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.o.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
        });
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        const err = new HetznerError(
          'unavailable',
          `the Hetzner API did not answer (${(e as Error).cause ? String((e as { cause: Error }).cause.message ?? (e as Error).cause) : (e as Error).message})`,
          0,
          null,
          true,
        );
        if (!idempotent || attempt >= maxRetries) throw err;
        await this.sleep(this.backoff(attempt), signal);
        continue;
      }
      this.readRateLimit(res.headers);
      const text = await res.text();
      let json: unknown = null;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
      }
      if (res.ok) return json as T;
      const err = hetznerErrorFrom(res.status, json);
      const retry = res.status === 429 || (idempotent && res.status >= 500);
      if (!retry || attempt >= maxRetries) throw err;
      await this.sleep(res.status === 429 ? this.untilReset(attempt) : this.backoff(attempt), signal);
    }
  }

  private backoff(attempt: number): number {
    const cap = this.o.maxBackoffMs ?? 30_000;
    const base = Math.min(cap, 500 * 2 ** attempt);
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  /** Waits until RateLimit-Reset when it is near, else backs off (the budget refills gradually). */
  private untilReset(attempt: number): number {
    const cap = this.o.maxBackoffMs ?? 30_000;
    if (this.rateLimit.reset !== null) {
      const ms = this.rateLimit.reset * 1000 - Date.now();
      if (ms > 0) return Math.min(cap, Math.max(ms, this.backoff(attempt)));
    }
    return this.backoff(attempt);
  }

  private readRateLimit(h: Headers) {
    const limit = num(h.get('ratelimit-limit'));
    const remaining = num(h.get('ratelimit-remaining'));
    const reset = num(h.get('ratelimit-reset'));
    if (limit !== null) this.rateLimit.limit = limit;
    if (remaining !== null) this.rateLimit.remaining = remaining;
    if (reset !== null) this.rateLimit.reset = reset;
  }

  /** Every page of a list endpoint (follows meta.pagination.next_page). */
  async listAll<K extends string, T>(path: string, key: K, query: Record<string, string> = {}): Promise<T[]> {
    const out: T[] = [];
    let page: number | null = 1;
    while (page !== null) {
      const qs = new URLSearchParams({ ...query, page: String(page), per_page: '50' });
      const r: Record<K, T[]> & { meta?: { pagination?: HPagination } } = await this.request('GET', `${path}?${qs}`);
      out.push(...(r[key] ?? []));
      page = r.meta?.pagination?.next_page ?? null;
    }
    return out;
  }

  // --- servers
  createServer(req: CreateServerRequest, signal?: AbortSignal) {
    return this.request<CreateServerResponse>('POST', '/servers', req, signal);
  }
  async getServer(id: number): Promise<HServer | null> {
    try {
      return (await this.request<{ server: HServer }>('GET', `/servers/${id}`)).server;
    } catch (e) {
      if (e instanceof HetznerError && e.code === 'not_found') return null;
      throw e;
    }
  }
  listServers(labelSelector?: string) {
    return this.listAll<'servers', HServer>(
      '/servers',
      'servers',
      labelSelector ? { label_selector: labelSelector } : {},
    );
  }
  /** Renames a server and/or replaces its labels (Hetzner replaces the whole label set). */
  updateServer(id: number, patch: { name?: string; labels?: Record<string, string> }) {
    return this.request<{ server: HServer }>('PUT', `/servers/${id}`, patch).then((r) => r.server);
  }
  /** Deletes a server; a server that is already gone is not an error. Returns the action, if any. */
  async deleteServer(id: number): Promise<HAction | null> {
    try {
      return (await this.request<{ action: HAction }>('DELETE', `/servers/${id}`)).action;
    } catch (e) {
      if (e instanceof HetznerError && e.code === 'not_found') return null;
      throw e;
    }
  }
  serverAction(id: number, action: 'poweron' | 'poweroff' | 'shutdown' | 'reboot', signal?: AbortSignal) {
    return this.request<{ action: HAction }>('POST', `/servers/${id}/actions/${action}`, undefined, signal);
  }
  changeType(id: number, serverType: string, upgradeDisk = false) {
    return this.request<{ action: HAction }>('POST', `/servers/${id}/actions/change_type`, {
      server_type: serverType,
      upgrade_disk: upgradeDisk,
    });
  }
  createSnapshot(id: number, description: string, labels: Record<string, string> = {}) {
    return this.request<{ image: HImage; action: HAction }>('POST', `/servers/${id}/actions/create_image`, {
      type: 'snapshot',
      description,
      labels,
    });
  }

  // --- actions
  getAction(id: number) {
    return this.request<{ action: HAction }>('GET', `/actions/${id}`).then((r) => r.action);
  }
  /**
   * Polls an action until it ends. Resolves with the finished action on success; throws a
   * HetznerError with the action's own error code and message when it fails.
   */
  async waitForAction(
    action: HAction,
    opts: { timeoutMs?: number; signal?: AbortSignal; onProgress?: (a: HAction) => void } = {},
  ): Promise<HAction> {
    const end = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
    let a = action;
    while (a.status === 'running') {
      if (Date.now() > end) throw new HetznerError('timeout', `action ${a.command} still running after the wait`, 0);
      await this.sleep(this.o.actionPollMs ?? 1000, opts.signal);
      a = await this.getAction(a.id);
      opts.onProgress?.(a);
    }
    if (a.status === 'error')
      throw new HetznerError(
        a.error?.code ?? 'action_failed',
        a.error?.message ?? `action ${a.command} failed`,
        0,
        null,
      );
    return a;
  }

  // --- catalogue
  serverTypes() {
    return this.listAll<'server_types', HServerType>('/server_types', 'server_types');
  }
  locations() {
    return this.listAll<'locations', HLocation>('/locations', 'locations');
  }
  images(query: { type?: 'system' | 'snapshot' | 'backup' | 'app'; label_selector?: string; name?: string } = {}) {
    return this.listAll<'images', HImage>('/images', 'images', query as Record<string, string>);
  }
  snapshots(labelSelector?: string) {
    return this.images({ type: 'snapshot', ...(labelSelector ? { label_selector: labelSelector } : {}) });
  }
  async deleteImage(id: number): Promise<void> {
    try {
      await this.request('DELETE', `/images/${id}`);
    } catch (e) {
      if (!(e instanceof HetznerError && e.code === 'not_found')) throw e;
    }
  }

  // --- SSH keys and firewalls
  sshKeys(labelSelector?: string) {
    return this.listAll<'ssh_keys', HSshKey>(
      '/ssh_keys',
      'ssh_keys',
      labelSelector ? { label_selector: labelSelector } : {},
    );
  }
  createSshKey(name: string, publicKey: string, labels: Record<string, string> = {}) {
    return this.request<{ ssh_key: HSshKey }>('POST', '/ssh_keys', { name, public_key: publicKey, labels }).then(
      (r) => r.ssh_key,
    );
  }
  firewalls(labelSelector?: string) {
    return this.listAll<'firewalls', HFirewall>(
      '/firewalls',
      'firewalls',
      labelSelector ? { label_selector: labelSelector } : {},
    );
  }
  createFirewall(name: string, rules: HFirewallRule[], labels: Record<string, string> = {}) {
    return this.request<{ firewall: HFirewall; actions: HAction[] }>('POST', '/firewalls', {
      name,
      rules,
      labels,
    }).then((r) => r.firewall);
  }
}

/** The monthly gross price of a server type in a location, in euros (null when not sold there). */
export function monthlyPrice(t: HServerType, location: string): number | null {
  const p = t.prices.find((x) => x.location === location);
  return p ? Number(p.price_monthly.gross) : null;
}
