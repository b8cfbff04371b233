import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makeTenant, type Tenant } from './tenants.js';

/** Per-key and per-client limits of client API keys, sized by plan, with the IETF RateLimit fields. */
describe('client API rate limits', () => {
  let hub: TestHub;
  let a: Tenant;

  // The tenants are on the growth plan: 3 calls per key, 5 per client, in a window long enough
  // that it cannot roll over during the test.
  beforeAll(async () => {
    hub = await startTestHub({ apiRateLimits: 'growth=3/5', apiRateWindowSec: 600 });
    a = await makeTenant(hub, 'alpha');
    // Generous: the hub's start and the tenant's setup are slow on a busy machine.
  }, 900_000);
  afterAll(async () => hub?.close());

  const key = async (name: string) =>
    (await hub.api<{ token: string }>('POST', `/clients/${a.client}/api-keys`, { name, scopes: ['read'] }, a.owner))
      .body.token;
  const call = (token: string) =>
    fetch(`${hub.httpUrl}/api/v1/instances`, { headers: { authorization: `Bearer ${token}` } });

  it('counts each key, then the client, and answers 429 with Retry-After', async () => {
    const k1 = await key('one');
    const first = await call(k1);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"key";q=3;w=600, "client";q=5;w=600');
    expect(first.headers.get('ratelimit')).toMatch(/^"key";r=2;t=\d+, "client";r=4;t=\d+$/);
    expect((await call(k1)).status).toBe(200);
    expect((await call(k1)).status).toBe(200);
    const over = await call(k1);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+, "client";r=2;t=\d+$/);
    const body = (await over.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('HUB_ERR_RATE_LIMITED');
    expect(body.error.message).toContain('this API key');

    // A second key has its own budget until the client's is spent.
    const k2 = await key('two');
    expect((await call(k2)).status).toBe(200);
    expect((await call(k2)).status).toBe(200);
    const clientOver = await call(k2);
    expect(clientOver.status).toBe(429);
    expect(((await clientOver.json()) as { error: { message: string } }).error.message).toContain("client's");

    // People logged in to the dashboard are not counted.
    expect((await hub.api('GET', '/instances', undefined, a.owner)).status).toBe(200);
    const metrics = await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${hub.token}` } });
    const text = await metrics.text();
    expect(text).toMatch(/ds_api_rate_limited_total\{limit="key"\} 1/);
    expect(text).toMatch(/ds_api_rate_limited_total\{limit="client"\} 1/);
  });

  it('refuses a malformed limits setting at start', async () => {
    await expect(startTestHub({ apiRateLimits: 'growth=lots' })).rejects.toThrow(/plan=perKey\/perClient/);
  });
});
