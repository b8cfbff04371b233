import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { reachable } from '../../test/helpers/reachable.js';
import { RedisRateWindows } from './rate-windows.js';

const REDIS = process.env.DS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUp = await reachable(REDIS, 6379);
const log = pino({ level: 'silent' });
const stores: RedisRateWindows[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
const store = (url: string, group: string) => {
  const s = new RedisRateWindows(url, group, 600, log);
  stores.push(s);
  return s;
};

describe.skipIf(!redisUp)('API rate-limit windows on Redis', () => {
  it('two hubs taking at once never let more through than the limit, for the key and for the client', async () => {
    const group = `t${randomBytes(5).toString('hex')}`;
    const [a, b] = [store(REDIS, group), store(REDIS, group)];
    await Promise.all([a.ready(), b.ready()]);
    const limits = { perKey: 5, perClient: 7 };
    const now = Date.now();
    const takes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).take('key-1', 'client-1', limits, now)),
    );
    expect(takes.filter((t) => !t.over)).toHaveLength(5);
    // A second key of the same client gets what is left of the client's window.
    const second = await Promise.all(Array.from({ length: 5 }, () => a.take('key-2', 'client-1', limits, now)));
    expect(second.filter((t) => !t.over)).toHaveLength(2);
    expect(second.at(-1)).toMatchObject({ over: true, client: { count: 7 } });
    // Windows are the clock's: every hub reports the same end.
    expect(new Set(takes.map((t) => t.key.resetAt)).size).toBe(1);
  });

  it('count a login throttle hit from either hub in one window that the first hit opens', async () => {
    const group = `t${randomBytes(5).toString('hex')}`;
    const [a, b] = [store(REDIS, group), store(REDIS, group)];
    await Promise.all([a.ready(), b.ready()]);
    const hits = [];
    for (const s of [a, b, a, b]) hits.push(await s.hit('POST/api/v1/auth/login:127.0.0.1', 60_000, Date.now()));
    expect(hits.map((h) => h.count)).toEqual([1, 2, 3, 4]);
    for (const h of hits) expect(h.resetAt - Date.now()).toBeLessThanOrEqual(60_000);
    // Another route (or address) is another counter.
    expect((await b.hit('POST/api/v1/auth/password-reset:127.0.0.1', 60_000, Date.now())).count).toBe(1);
  });
});

describe('API rate-limit windows when Redis cannot be reached', () => {
  it('count in the hub instead, without failing or holding up a request', async () => {
    // A port that accepts nothing: the store's connection keeps failing.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const s = store(`redis://127.0.0.1:${port}`, 'down');
    const limits = { perKey: 2, perClient: 10 };
    const started = Date.now();
    const takes = [];
    for (let i = 0; i < 3; i++) takes.push(await s.take('k', 'c', limits, Date.now()));
    expect(takes.map((t) => t.over)).toEqual([false, false, true]);
    expect((await s.hit('login:a', 60_000, Date.now())).count).toBe(1);
    expect((await s.hit('login:a', 60_000, Date.now())).count).toBe(2);
    // Refused at once by the client (no offline queue), not after the 2 s Redis timeout each.
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});
