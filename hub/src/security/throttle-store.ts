import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { RateWindowStore } from './rate-windows.js';

/** What the plugin hands `child`: the route's merged limits, with the route itself (runtime shape). */
interface ChildOptions {
  routeInfo?: { method?: string | string[]; url?: string };
}

/**
 * A store for @fastify/rate-limit (the per-address throttle of login, password reset, sign-up and
 * the other anonymous routes) that counts where the client API key limits count: on Redis when
 * several hubs share DS_REDIS_URL, so a balancer spreading one address's guesses over N hubs does
 * not give it N times the tries. Each route counts apart (`child`), as the plugin's own stores do;
 * the counting, and its fallback to this hub's memory while Redis is away, is the windows store's.
 */
export function throttleStore(windows: RateWindowStore): FastifyRateLimitStoreCtor {
  class ThrottleStore implements FastifyRateLimitStore {
    constructor(
      _options?: unknown,
      private readonly route = '',
    ) {}

    incr: FastifyRateLimitStore['incr'] = (key, cb, timeWindow) => {
      const now = Date.now();
      windows.hit(`${this.route}${key}`, timeWindow, now).then(
        (w) => cb(null, { current: w.count, ttl: Math.max(0, w.resetAt - now) }),
        (e: Error) => cb(e),
      );
    };

    child(routeOptions: unknown): FastifyRateLimitStore {
      const r = (routeOptions as ChildOptions).routeInfo;
      return new ThrottleStore(undefined, `${[r?.method ?? ''].flat().join(',')}${r?.url ?? ''}:`);
    }
  }
  return ThrottleStore;
}
