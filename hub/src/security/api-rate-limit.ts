import type { FastifyReply } from 'fastify';
import { HttpError, HUB_ERR } from '../auth/errors.js';
import type { AuthUser } from '../auth/sessions.js';
import type { Db } from '../db/index.js';
import type { HubStats } from '../stats.js';
import { MemoryRateWindows, type RateWindow, type RateWindowStore } from './rate-windows.js';

/** Requests per window for one key and for all of a client's keys together. */
export interface PlanRateLimit {
  perKey: number;
  perClient: number;
}

/** Limits when DS_API_RATE_LIMITS says nothing about a plan; an unknown plan gets the starter's. */
export const DEFAULT_API_RATE_LIMITS: Readonly<Record<string, PlanRateLimit>> = {
  starter: { perKey: 60, perClient: 120 },
  growth: { perKey: 300, perClient: 600 },
  enterprise: { perKey: 1200, perClient: 2400 },
};

/** `starter=60/120,growth=300/600` over the defaults (the config schema checked the form). */
export function parseApiRateLimits(setting: string | undefined): Record<string, PlanRateLimit> {
  const out = { ...DEFAULT_API_RATE_LIMITS };
  for (const pair of (setting ?? '').split(',').filter(Boolean)) {
    const [plan, limits] = pair.split('=');
    const [perKey, perClient] = limits.split('/').map(Number);
    out[plan] = { perKey, perClient };
  }
  return out;
}

/** How long a client's plan is believed before it is read again. */
const PLAN_TTL_MS = 60_000;

/**
 * Rate limits of client API keys: a fixed window per key and one per client (all its keys
 * together), sized by the client's plan. Every answer to a key carries the IETF RateLimit fields
 * (draft-ietf-httpapi-ratelimit-headers-09: `RateLimit-Policy` and `RateLimit`, one item per
 * policy); over either limit the call is a 429 with Retry-After. Counters live in this hub's
 * memory, or on Redis shared by every hub when DS_REDIS_URL is set (rate-windows.ts).
 * (@fastify/rate-limit, used for the login routes, only speaks the older RateLimit-Limit form.)
 */
export class ApiRateLimiter {
  private readonly plans = new Map<string, { plan: string; until: number }>();
  private readonly rejected;

  constructor(
    private readonly db: Db,
    private readonly limits: Record<string, PlanRateLimit>,
    private readonly windowSec: number,
    stats: HubStats,
    private readonly now: () => number = Date.now,
    private readonly windows: RateWindowStore = new MemoryRateWindows(windowSec),
  ) {
    this.rejected = stats.counter(
      'ds_api_rate_limited_total',
      'Client API key requests refused with 429, by the limit reached',
      ['limit'],
    );
  }

  /** Counts one request of a client key, sets the headers, and throws a 429 when over a limit. */
  async take(u: AuthUser, reply: FastifyReply): Promise<void> {
    if (!u.clientKey || !u.tokenId || !u.clientId) return;
    const limit = this.limits[await this.planOf(u.clientId)] ?? this.limits.starter;
    const now = this.now();
    const { key, client, over } = await this.windows.take(u.tokenId, u.clientId, limit, now);
    const resetIn = (w: RateWindow) => Math.max(0, Math.ceil((w.resetAt - now) / 1000));
    const w = this.windowSec;
    reply.header('ratelimit-policy', `"key";q=${limit.perKey};w=${w}, "client";q=${limit.perClient};w=${w}`);
    reply.header(
      'ratelimit',
      `"key";r=${Math.max(0, limit.perKey - key.count)};t=${resetIn(key)}, ` +
        `"client";r=${Math.max(0, limit.perClient - client.count)};t=${resetIn(client)}`,
    );
    if (!over) return;
    this.rejected.inc({ limit: key.count >= limit.perKey ? 'key' : 'client' });
    const wait = Math.max(
      key.count >= limit.perKey ? resetIn(key) : 0,
      client.count >= limit.perClient ? resetIn(client) : 0,
      1,
    );
    reply.header('retry-after', String(wait));
    const which = key.count >= limit.perKey ? 'this API key' : "this client's API keys";
    throw new HttpError(429, HUB_ERR.RATE_LIMITED, `rate limit of ${which} reached; try again in ${wait} s`);
  }

  /** Lets go of the counters' store (Redis connection). */
  close(): Promise<void> {
    return this.windows.close();
  }

  private async planOf(clientId: string): Promise<string> {
    const hit = this.plans.get(clientId);
    if (hit && hit.until > this.now()) return hit.plan;
    const plan = (await this.db.query<{ plan: string }>('SELECT plan FROM clients WHERE id = $1', [clientId]))[0]?.plan;
    const p = plan ?? 'starter';
    this.plans.set(clientId, { plan: p, until: this.now() + PLAN_TTL_MS });
    return p;
  }
}
