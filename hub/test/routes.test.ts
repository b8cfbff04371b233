import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

/** Every route, as admin, as the owning client's users, and as another client's user. */
describe('API: auth, roles and tenant scoping', () => {
  let hub: TestHub;
  let a: { client: string; inst: string; owner: string; viewer: string };
  let b: { client: string; inst: string; owner: string };

  const login = async (email: string, password: string) =>
    (await hub.api<{ token: string }>('POST', '/auth/login', { email, password }, '')).body.token;

  beforeAll(async () => {
    hub = await startTestHub();
    const mk = async (name: string) => {
      const client = (await hub.api<{ id: string }>('POST', '/clients', { name, industry: 'x', plan: 'growth' })).body
        .id;
      const inst = (await hub.newInstance(client)).id;
      for (const role of ['client_owner', 'client_viewer']) {
        const r = await hub.api('POST', `/clients/${client}/users`, {
          email: `${role}@${name}.test`,
          password: 'password-123',
          role,
        });
        expect(r.status).toBe(201);
      }
      return {
        client,
        inst,
        owner: await login(`client_owner@${name}.test`, 'password-123'),
        viewer: await login(`client_viewer@${name}.test`, 'password-123'),
      };
    };
    a = await mk('alpha');
    b = await mk('beta');
  });
  afterAll(async () => hub?.close());

  it('logs in with a bearer token and an httpOnly cookie; refuses bad logins and missing auth', async () => {
    const res = await fetch(`${hub.httpUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'client_owner@alpha.test', password: 'password-123' }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/ds_session=.+HttpOnly/);
    const me = await fetch(`${hub.httpUrl}/api/v1/auth/me`, { headers: { cookie: cookie.split(';')[0] } });
    expect(((await me.json()) as { role: string }).role).toBe('client_owner');
    const bad = await hub.api<{ error: { code: string } }>(
      'POST',
      '/auth/login',
      { email: 'x@y.z', password: 'nope' },
      '',
    );
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('HUB_ERR_BAD_LOGIN');
    const anon = await hub.api<{ error: { code: string; message: string } }>('GET', '/instances', undefined, '');
    expect(anon.status).toBe(401);
    expect(Object.keys(anon.body.error).sort()).toEqual(['code', 'message']);
  });

  it('scopes lists: admin sees all, client users only their client', async () => {
    const all = await hub.api<{ id: string }[]>('GET', '/instances');
    expect(all.body.map((i) => i.id)).toEqual(expect.arrayContaining([a.inst, b.inst]));
    const mine = await hub.api<{ id: string }[]>('GET', '/instances', undefined, a.viewer);
    expect(mine.body.map((i) => i.id)).toEqual([a.inst]);
    const clients = await hub.api<{ id: string }[]>('GET', '/clients', undefined, a.owner);
    expect(clients.body.map((c) => c.id)).toEqual([a.client]);
  });

  it("answers 404 for another client's instance, data and commands on every route", async () => {
    const paths = [
      `/instances/${b.inst}`,
      `/instances/${b.inst}/metrics?name=cpu`,
      `/instances/${b.inst}/logs`,
      `/instances/${b.inst}/conversations`,
      `/instances/${b.inst}/commands`,
    ];
    for (const p of paths) {
      expect((await hub.api('GET', p, undefined, a.owner)).status, p).toBe(404);
      expect((await hub.api('GET', p.replace(b.inst, a.inst), undefined, a.owner)).status, p).toBe(200);
    }
    expect((await hub.api('POST', `/instances/${b.inst}/commands`, { type: 'ping', params: {} }, a.owner)).status).toBe(
      404,
    );
    const cmd = await hub.api<{ id: string }>(
      'POST',
      `/instances/${b.inst}/commands`,
      { type: 'ping', params: {} },
      b.owner,
    );
    expect(cmd.status).toBe(202);
    expect((await hub.api('GET', `/commands/${cmd.body.id}`, undefined, a.owner)).status).toBe(404);
    expect((await hub.api('POST', `/commands/${cmd.body.id}/cancel`, undefined, a.owner)).status).toBe(404);
    expect((await hub.api('GET', `/commands/${cmd.body.id}`, undefined, b.owner)).status).toBe(200);
  });

  it('keeps admin-only calls for admins and enforces command roles', async () => {
    expect((await hub.api('POST', '/clients', { name: 'x' }, a.owner)).status).toBe(403);
    expect((await hub.api('POST', '/instances', { clientId: a.client, hostname: 'h' }, a.owner)).status).toBe(403);
    expect(
      (
        await hub.api(
          'POST',
          `/clients/${a.client}/users`,
          { email: 'someone@example.com', password: 'password-123', role: 'client_owner' },
          a.owner,
        )
      ).status,
    ).toBe(403);
    expect(
      (await hub.api('POST', `/instances/${a.inst}/commands`, { type: 'ping', params: {} }, a.viewer)).status,
    ).toBe(403);
    expect(
      (
        await hub.api(
          'POST',
          `/instances/${a.inst}/commands`,
          { type: 'openclaw.update', params: { version: '2026.9.6' } },
          a.owner,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await hub.api(
          'POST',
          `/instances/${a.inst}/commands`,
          { type: 'model.set', params: { model: 'anthropic/claude-sonnet-4-5' } },
          a.owner,
        )
      ).status,
    ).toBe(202);
  });

  it('validates bodies and queries with the error shape', async () => {
    const r = await hub.api<{ error: { code: string } }>('POST', '/clients', { industry: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('HUB_ERR_VALIDATION');
    expect((await hub.api('GET', `/instances/${a.inst}/metrics?name=bogus`)).status).toBe(400);
    const unknown = await hub.api<{ error: { code: string } }>('POST', `/instances/${a.inst}/commands`, {
      type: 'rm -rf',
      params: {},
    });
    expect(unknown.body.error.code).toBe('HUB_ERR_UNKNOWN_COMMAND');
    const bad = await hub.api<{ error: { code: string } }>('POST', `/instances/${a.inst}/commands`, {
      type: 'ping',
      params: { x: 1 },
    });
    expect(bad.body.error.code).toBe('HUB_ERR_BAD_PARAMS');
    const missing = await hub.api<{ error: { code: string } }>('GET', '/nope');
    expect(missing.status).toBe(404);
    const inst = await hub.api<{ id: string; secret: string; hubPublicKey: string; mqttUrl: string }>(
      'POST',
      '/instances',
      { clientId: a.client, hostname: 'h2' },
    );
    expect(inst.body.hubPublicKey).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    expect(inst.body.mqttUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the OpenAPI document, /docs, /healthz and a page at /', async () => {
    const doc = (await (await fetch(`${hub.httpUrl}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/instances/{id}/metrics', '/api/v1/auth/login']),
    );
    expect((await fetch(`${hub.httpUrl}/healthz`)).status).toBe(200);
    const root = await fetch(`${hub.httpUrl}/`);
    expect(root.status).toBe(200);
    // The dashboard's export when it was built, else the placeholder that links to /docs.
    expect(await root.text()).toMatch(/<html/i);
  });
});
