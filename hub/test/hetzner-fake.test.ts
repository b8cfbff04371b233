import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { hetznerSpec } from './helpers/openapi.js';

/**
 * The fake Hetzner API answers as the OpenAPI document says: every answer of every endpoint the
 * hub uses is validated against the document's response schema for that operation and status.
 */
describe('fake Hetzner API against the OpenAPI document', () => {
  const spec = hetznerSpec();
  const fake = new FakeHetzner({ bootMs: 150, actionMs: 100, snapshotMs: 150 });
  let base = '';
  const call = async (method: string, path: string, body?: unknown, token = 'test-token') => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const valid = (method: string, template: string, r: { status: number; body: unknown }) =>
    expect(spec.check(method, template, r.status, r.body), `${method} ${template} ${r.status}`).toEqual([]);

  beforeAll(async () => {
    base = await fake.start();
  });
  afterAll(() => fake.stop());

  it('has the document, and the check rejects what breaks it', () => {
    expect(spec.available).toBe(true);
    const ok = {
      action: {
        id: 1,
        command: 'x',
        status: 'running',
        progress: 0,
        started: 'now',
        finished: null,
        resources: [],
        error: null,
      },
    };
    expect(spec.check('GET', '/actions/{id}', 200, ok)).toEqual([]);
    expect(spec.check('GET', '/actions/{id}', 200, { action: { ...ok.action, status: 'done' } })).not.toEqual([]);
    expect(spec.check('GET', '/actions/{id}', 200, { action: { ...ok.action, finished: undefined } })).not.toEqual([]);
    expect(spec.check('GET', '/servers', 404, { error: { message: 'no code' } })).not.toEqual([]);
  });

  it('catalogue: locations, server types with prices, images, paginated', async () => {
    const l = await call('GET', '/locations');
    valid('GET', '/locations', l);
    expect(l.body.locations.map((x: { name: string }) => x.name)).toContain('fsn1');
    const t = await call('GET', '/server_types?per_page=2');
    valid('GET', '/server_types', t);
    expect(t.body.server_types).toHaveLength(2);
    expect(t.body.meta.pagination.next_page).toBe(2);
    const t2 = await call('GET', '/server_types/104');
    valid('GET', '/server_types/{id}', t2);
    expect(Number(t2.body.server_type.prices[0].price_monthly.gross)).toBeGreaterThan(0);
    const i = await call('GET', '/images?type=system');
    valid('GET', '/images', i);
    valid('GET', '/images/{id}', await call('GET', `/images/${i.body.images[0].id}`));
  });

  it('servers: create, action progress, get, list by label, snapshot, change_type, delete', async () => {
    const fw = await call('POST', '/firewalls', {
      name: 'fw-spec',
      labels: { a: 'b' },
      rules: [{ direction: 'in', protocol: 'udp', port: '41641', source_ips: ['0.0.0.0/0', '::/0'] }],
    });
    valid('POST', '/firewalls', fw);
    valid('GET', '/firewalls', await call('GET', '/firewalls?label_selector=a=b'));
    const key = await call('POST', '/ssh_keys', {
      name: 'ops',
      public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake ops',
    });
    valid('POST', '/ssh_keys', key);
    valid('GET', '/ssh_keys', await call('GET', '/ssh_keys'));
    const c = await call('POST', '/servers', {
      name: 'spec-1',
      server_type: 'cx22',
      location: 'fsn1',
      image: 'debian-12',
      labels: { 'deepsignal/deployment': 'dep-1' },
      ssh_keys: ['ops'],
      firewalls: [{ firewall: fw.body.firewall.id }],
      user_data: '#cloud-config\n',
    });
    valid('POST', '/servers', c);
    expect(c.body.root_password).toBeNull();
    const a = await call('GET', `/actions/${c.body.action.id}`);
    valid('GET', '/actions/{id}', a);
    expect(['running', 'success']).toContain(a.body.action.status);
    const list = await call('GET', '/servers?label_selector=deepsignal/deployment==dep-1');
    valid('GET', '/servers', list);
    expect(list.body.servers).toHaveLength(1);
    const id = c.body.server.id;
    await expect
      .poll(async () => (await call('GET', `/servers/${id}`)).body.server.status, { timeout: 10_000 })
      .toBe('running');
    valid('GET', '/servers/{id}', await call('GET', `/servers/${id}`));
    // Relabelling (a warm-pool server taken by a deployment) replaces the whole label set.
    const put = await call('PUT', `/servers/${id}`, { labels: { 'deepsignal/deployment': 'dep-2' } });
    valid('PUT', '/servers/{id}', put);
    expect(put.body.server.labels).toEqual({ 'deepsignal/deployment': 'dep-2' });
    const snap = await call('POST', `/servers/${id}/actions/create_image`, { type: 'snapshot', description: 'pause' });
    valid('POST', '/servers/{id}/actions/create_image', snap);
    const off = await call('POST', `/servers/${id}/actions/poweroff`);
    valid('POST', '/servers/{id}/actions/poweroff', off);
    const early = await call('POST', `/servers/${id}/actions/change_type`, {
      server_type: 'cx32',
      upgrade_disk: false,
    });
    valid('POST', '/servers/{id}/actions/change_type', early);
    await expect
      .poll(async () => (await call('GET', `/servers/${id}`)).body.server.status, { timeout: 10_000 })
      .toBe('off');
    const ct = await call('POST', `/servers/${id}/actions/change_type`, { server_type: 'cx32', upgrade_disk: false });
    valid('POST', '/servers/{id}/actions/change_type', ct);
    valid('POST', '/servers/{id}/actions/poweron', await call('POST', `/servers/${id}/actions/poweron`));
    const del = await call('DELETE', `/servers/${id}`);
    valid('DELETE', '/servers/{id}', del);
  });

  it('errors: unauthorized, invalid_input with fields, uniqueness, unavailable, not found, 429', async () => {
    const u = await call('GET', '/servers', undefined, 'wrong');
    expect(u.status).toBe(401);
    valid('GET', '/servers', u);
    const bad = await call('POST', '/servers', { name: 'not a hostname!', server_type: 'cx22', image: 'debian-12' });
    expect(bad.body.error.code).toBe('invalid_input');
    expect(bad.body.error.details.fields[0].name).toBe('name');
    valid('POST', '/servers', bad);
    await call('POST', '/servers', { name: 'dup', server_type: 'cx22', image: 'debian-12' });
    const dup = await call('POST', '/servers', { name: 'dup', server_type: 'cx22', image: 'debian-12' });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'uniqueness_error']);
    valid('POST', '/servers', dup);
    fake.unavailable.add('cx32@nbg1');
    const un = await call('POST', '/servers', {
      name: 'un',
      server_type: 'cx32',
      location: 'nbg1',
      image: 'debian-12',
    });
    expect(un.body.error.code).toBe('resource_unavailable');
    valid('POST', '/servers', un);
    const nf = await call('GET', '/servers/999999');
    expect(nf.status).toBe(404);
    valid('GET', '/servers/{id}', nf);
    fake.exhaustBudget();
    const rl = await call('GET', '/servers');
    expect(rl.status).toBe(429);
    expect(rl.body.error.code).toBe('rate_limit_exceeded');
    expect(Number(rl.headers.get('ratelimit-remaining'))).toBe(0);
    expect(Number(rl.headers.get('ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    valid('GET', '/servers', rl);
  });
});
