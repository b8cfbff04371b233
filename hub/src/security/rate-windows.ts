import type { Logger } from 'pino';
import { createClient } from 'redis';
import { redisOutages, redisReconnect } from '../util/redis-outages.js';

/** One fixed window's count and when it ends (ms since the epoch). */
export interface RateWindow {
  count: number;
  resetAt: number;
}

/** The two windows a client API key request is counted in, after counting it (or refusing it). */
export interface RateTake {
  key: RateWindow;
  client: RateWindow;
  /** Either window was already full: nothing was counted. */
  over: boolean;
}

/** Where the request counts of client API keys live: this hub's memory, or Redis shared by every hub. */
export interface RateWindowStore {
  /** Counts one request in both windows unless either is full. */
  take(keyId: string, clientId: string, limits: { perKey: number; perClient: number }, now: number): Promise<RateTake>;
  /** Counts one hit of `name` in its own window of `windowMs` (the login throttle's per-address counts). */
  hit(name: string, windowMs: number, now: number): Promise<RateWindow>;
  close(): Promise<void>;
}

/** Above this many counters, expired ones are swept on the next request. */
const SWEEP_AT = 10_000;

/** Counters in this hub's memory: a window per key and per client, opened by its first request. */
export class MemoryRateWindows implements RateWindowStore {
  private readonly windows = new Map<string, RateWindow>();

  constructor(private readonly windowSec: number) {}

  async take(keyId: string, clientId: string, limits: { perKey: number; perClient: number }, now: number) {
    if (this.windows.size > SWEEP_AT) this.sweep(now);
    const key = this.window(`key:${keyId}`, now);
    const client = this.window(`client:${clientId}`, now);
    const over = key.count >= limits.perKey || client.count >= limits.perClient;
    if (!over) {
      key.count++;
      client.count++;
    }
    return { key: { ...key }, client: { ...client }, over };
  }

  async hit(name: string, windowMs: number, now: number) {
    if (this.windows.size > SWEEP_AT) this.sweep(now);
    const w = this.window(`hit:${name}`, now, windowMs);
    w.count++;
    return { ...w };
  }

  async close(): Promise<void> {}

  private window(id: string, now: number, windowMs = this.windowSec * 1000): RateWindow {
    let w = this.windows.get(id);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(id, w);
    }
    return w;
  }

  private sweep(now: number) {
    for (const [id, w] of this.windows) if (w.resetAt <= now) this.windows.delete(id);
  }
}

/**
 * Both windows checked and counted in one step on Redis, so two hubs serving the same key at the
 * same moment cannot both take its last request. Returns the two counts and whether it was full.
 */
const TAKE_SCRIPT = `
local k = tonumber(redis.call('GET', KEYS[1]) or '0')
local c = tonumber(redis.call('GET', KEYS[2]) or '0')
if k >= tonumber(ARGV[1]) or c >= tonumber(ARGV[2]) then return {k, c, 1} end
k = redis.call('INCR', KEYS[1])
c = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {k, c, 0}`;

/** One counter in a window that the first hit opens: its count and the milliseconds it has left. */
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/** How long a request waits for Redis before it is counted in this hub's memory instead. */
const REDIS_TIMEOUT_MS = 2_000;

/**
 * Counters on Redis (DS_REDIS_URL), shared by every hub of a deployment (`DS_SHARE_GROUP` keeps
 * deployments on one Redis apart): the limits hold however a balancer spreads a key's requests.
 * Windows are aligned to the clock (every hub agrees where one starts). While Redis cannot be
 * reached, requests are counted in this hub's memory, so an outage of Redis never refuses or
 * fails an API call; one line is logged per outage.
 */
export class RedisRateWindows implements RateWindowStore {
  private readonly redis;
  private readonly fallback: MemoryRateWindows;
  private readonly connected: Promise<void>;
  private readonly outages;

  constructor(
    url: string,
    private readonly group: string,
    private readonly windowSec: number,
    log: Logger,
  ) {
    this.fallback = new MemoryRateWindows(windowSec);
    this.outages = redisOutages(log, 'rate limits (API keys, login throttle)', 'counting in this hub until it is back');
    this.redis = createClient({
      url,
      socket: { connectTimeout: REDIS_TIMEOUT_MS, reconnectStrategy: redisReconnect },
      // A request never queues behind a lost connection: it falls back at once.
      disableOfflineQueue: true,
    });
    this.outages.watch(this.redis);
    this.connected = this.redis.connect().then(
      () => {},
      (e: Error) => this.warn(e),
    );
  }

  /** Resolves once Redis answered, or after a bounded wait (requests then count in this hub until it does). */
  ready(): Promise<void> {
    return withTimeout(this.connected, REDIS_TIMEOUT_MS * 5).catch((e: Error) => this.warn(e));
  }

  async take(keyId: string, clientId: string, limits: { perKey: number; perClient: number }, now: number) {
    const ms = this.windowSec * 1000;
    const resetAt = (Math.floor(now / ms) + 1) * ms;
    const prefix = `deepsignal-rl-${this.group}:${Math.floor(now / ms)}`;
    try {
      const reply = (await withTimeout(
        this.redis.eval(TAKE_SCRIPT, {
          keys: [`${prefix}:key:${keyId}`, `${prefix}:client:${clientId}`],
          arguments: [String(limits.perKey), String(limits.perClient), String(resetAt - now + 1000)],
        }),
        REDIS_TIMEOUT_MS,
      )) as number[];
      const [key, client, over] = reply.map(Number);
      return { key: { count: key, resetAt }, client: { count: client, resetAt }, over: over === 1 };
    } catch (e) {
      this.warn(e as Error);
      return this.fallback.take(keyId, clientId, limits, now);
    }
  }

  async hit(name: string, windowMs: number, now: number) {
    try {
      const reply = (await withTimeout(
        this.redis.eval(HIT_SCRIPT, {
          keys: [`deepsignal-rl-${this.group}:hit:${name}`],
          arguments: [String(windowMs)],
        }),
        REDIS_TIMEOUT_MS,
      )) as number[];
      const [count, ttl] = reply.map(Number);
      return { count, resetAt: now + ttl };
    } catch (e) {
      this.warn(e as Error);
      return this.fallback.hit(name, windowMs, now);
    }
  }

  async close(): Promise<void> {
    // quit() waits for a connection that may never come back: a store that is not connected just drops it.
    if (this.redis.isReady) await this.redis.quit().catch(() => this.redis.destroy());
    else this.redis.destroy();
  }

  private warn(e: Error) {
    this.outages.down(e);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, rej) => {
      t = setTimeout(() => rej(new Error(`no answer from Redis within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}
