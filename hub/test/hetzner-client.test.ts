import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HetznerClient, monthlyPrice } from '../src/cloud/hetzner/client.js';
import { HetznerError } from '../src/cloud/hetzner/errors.js';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';

describe('Hetzner client against the fake API', () => {
  const fake = new FakeHetzner({ bootMs: 200, actionMs: 100 });
  let client: HetznerClient;
  beforeAll(async () => {
    const url = await fake.start();
    client = new HetznerClient({ token: 'test-token', baseUrl: url, actionPollMs: 50, maxBackoffMs: 200 });
  });
  afterAll(() => fake.stop());

  it('lists every page and reads prices per location', async () => {
    const types = await client.serverTypes();
    expect(types.length).toBeGreaterThan(5);
    const cx22 = types.find((t) => t.name === 'cx22');
    expect(cx22 && monthlyPrice(cx22, 'fsn1')).toBeCloseTo(4.51);
    expect(cx22 && monthlyPrice(cx22, 'ash')).toBeNull();
    expect((await client.locations()).find((l) => l.name === 'hel1')?.country).toBe('FI');
    expect(client.rateLimit.limit).toBe(3600);
    expect(client.rateLimit.remaining).toBeLessThan(3600);
  });

  it('creates a server, follows its action and finds it again by label', async () => {
    const r = await client.createServer({
      name: 'c-1',
      server_type: 'cx22',
      location: 'fsn1',
      image: 'debian-12',
      labels: { 'deepsignal/deployment': 'dep-x' },
    });
    const done = await client.waitForAction(r.action);
    expect(done.status).toBe('success');
    expect((await client.getServer(r.server.id))?.status).toBe('running');
    expect((await client.listServers('deepsignal/deployment=dep-x')).map((s) => s.id)).toEqual([r.server.id]);
    await client.waitForAction((await client.deleteServer(r.server.id)) as never);
    expect(await client.getServer(r.server.id)).toBeNull();
    expect(await client.deleteServer(r.server.id)).toBeNull();
  });

  it("maps Hetzner's errors: invalid_input with fields, uniqueness, resource_unavailable, failed actions", async () => {
    const bad = await client
      .createServer({ name: 'bad name', server_type: 'cx22', image: 'debian-12' })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(HetznerError);
    expect(bad.code).toBe('invalid_input');
    expect(bad.fields).toEqual([{ name: 'name', messages: ['name must be a valid hostname'] }]);
    expect(bad.describe()).toContain('name: name must be a valid hostname');
    fake.unavailable.add('cx42@hel1');
    const un = await client
      .createServer({ name: 'u', server_type: 'cx42', location: 'hel1', image: 'debian-12' })
      .catch((e) => e);
    expect([un.code, un.status, un.transient]).toEqual(['resource_unavailable', 403, false]);
    const r = await client.createServer({ name: 'p', server_type: 'cx22', location: 'nbg1', image: 'debian-12' });
    fake.failAction(r.action.id, 'placement_error', 'no capacity for the server in this location');
    const failed = await client.waitForAction(r.action).catch((e) => e);
    expect([failed.code, failed.message]).toEqual(['placement_error', 'no capacity for the server in this location']);
    const dup = await client.createServer({ name: 'p', server_type: 'cx22', image: 'debian-12' }).catch((e) => e);
    expect([dup.code, dup.status]).toEqual(['uniqueness_error', 409]);
  });

  it('retries 429 and 5xx with backoff; a POST without an answer is not repeated', async () => {
    fake.fail({
      method: 'GET',
      path: /^\/v1\/locations$/,
      status: 429,
      code: 'rate_limit_exceeded',
      message: 'limit reached',
      times: 2,
    });
    const before = client.requests;
    expect((await client.locations()).length).toBeGreaterThan(0);
    expect(client.requests - before).toBe(3);
    fake.fail({
      method: 'GET',
      path: /^\/v1\/server_types$/,
      status: 503,
      code: 'unavailable',
      message: 'down for maintenance',
      times: 1,
    });
    expect((await client.serverTypes()).length).toBeGreaterThan(0);
    fake.setDown(true);
    const posts = fake.log.filter((l) => l.startsWith('POST /v1/servers')).length;
    const down = await client.createServer({ name: 'down', server_type: 'cx22', image: 'debian-12' }).catch((e) => e);
    fake.setDown(false);
    expect([down.code, down.network, down.transient]).toEqual(['unavailable', true, true]);
    expect(fake.log.filter((l) => l.startsWith('POST /v1/servers')).length).toBe(posts + 1);
    const limited = new HetznerClient({ token: 'test-token', baseUrl: fake.url, maxRetries: 1, maxBackoffMs: 50 });
    fake.fail({ path: /^\/v1\/images$/, status: 429, code: 'rate_limit_exceeded', message: 'limit reached', times: 5 });
    const e = await limited.images().catch((x) => x);
    expect(e.code).toBe('rate_limit_exceeded');
    // Three of the five 429s are left: the default client waits them out.
    expect((await client.images()).length).toBeGreaterThan(0);
  });
});
