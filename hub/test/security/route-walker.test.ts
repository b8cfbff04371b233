import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { login, makeTenant, serviceToken, type Tenant } from './tenants.js';

/**
 * Walks every route the app registered (collected with Fastify's onRoute hook by the security
 * plugin) as client A's owner and viewer, naming client B's ids. A route with an id in its path
 * must answer 401, 403 or 404; a route without one must not answer with B's ids or names, and an
 * unsafe one must not succeed with B's ids in its body. A new route is walked automatically.
 */
describe('route walker: no route leaks another tenant', () => {
  let hub: TestHub;
  let a: Tenant;
  let b: Tenant;
  let foreign: string[];
  let secretsOfB: string[];

  beforeAll(async () => {
    hub = await startTestHub();
    a = await makeTenant(hub, 'alpha');
    b = await makeTenant(hub, 'beta');
    const svc = await serviceToken(hub, 'walker-bot', ['read']);
    const sup = await hub.api<{ id: string }>(
      'POST',
      '/support-requests',
      { instanceId: b.inst, subject: 'beta-help', body: 'beta body' },
      b.owner,
    );
    expect(
      (await hub.api('PUT', `/clients/${b.client}/secrets/anthropic`, { value: 'sk-beta-secret' }, b.owner)).status,
    ).toBe(200);
    foreign = [b.client, b.inst, b.cmd, b.ownerId, b.viewerId, svc.accountId, svc.tokenId, hub.admin ? '' : ''].filter(
      Boolean,
    );
    if (sup.status === 201) foreign.push(sup.body.id);
    secretsOfB = [b.client, b.inst, b.cmd, b.ownerId, b.viewerId, '@beta.test', 'sk-beta-secret', 'beta-help'];
  });
  afterAll(async () => hub?.close());

  const fill = (url: string, id: string) =>
    url.replace(/:([A-Za-z]+)/g, (_m, name: string) => (name === 'id' || name.endsWith('Id') ? id : 'anthropic'));
  const bodyFor = () => ({
    clientId: b.client,
    instanceId: b.inst,
    commandId: b.cmd,
    userId: b.ownerId,
    type: 'ping',
    params: {},
    value: 'x',
    name: 'x',
    subject: 'x',
    body: 'x',
    email: 'probe@alpha.test',
    role: 'client_viewer',
    scope: 'all',
    confirm: b.client,
    hostname: 'h',
  });
  // Unsafe calls that may succeed for anyone without touching a tenant.
  const NEUTRAL = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/password-reset', 'POST /api/v1/auth/logout']);

  it('collected the routes with onRoute', () => {
    const urls = hub.app.routeTable.map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual(
      expect.arrayContaining(['GET /api/v1/instances/:id', 'PUT /api/v1/clients/:id/secrets/:name']),
    );
    expect(urls.length).toBeGreaterThan(30);
  });

  it("answers 401/403/404 for B's ids on every route with a path id, for A's owner and viewer", async () => {
    const failures: string[] = [];
    const routes = hub.app.routeTable.filter(
      (r) => r.url.includes(':') && r.method !== 'HEAD' && r.method !== 'OPTIONS',
    );
    for (const r of routes) {
      for (const who of [a.owner, a.viewer]) {
        for (const id of foreign) {
          const path = fill(r.url, id);
          if (!path.startsWith('/api/v1/')) continue;
          const res = await hub.api(
            r.method,
            path.slice(7),
            r.method === 'GET' || r.method === 'DELETE' ? undefined : bodyFor(),
            who,
          );
          if (![401, 403, 404].includes(res.status)) failures.push(`${r.method} ${path} -> ${res.status}`);
          const text = JSON.stringify(res.body);
          for (const s of secretsOfB) if (text.includes(s) && s !== id) failures.push(`${r.method} ${path} leaks ${s}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Every route with an id is walked for two users and each foreign id: hundreds of calls.
  }, 240_000);

  it('never shows B to A on routes without a path id, and never acts on B', async () => {
    const failures: string[] = [];
    const routes = hub.app.routeTable.filter(
      (r) => !r.url.includes(':') && !r.url.includes('*') && !['HEAD', 'OPTIONS'].includes(r.method),
    );
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      // Logging out would end the session the walk uses: it gets a session of its own.
      const who = r.url.endsWith('/auth/logout') ? await login(hub, 'client_owner@alpha.test') : a.owner;
      const isApi = r.url.startsWith('/api/v1/');
      const res = isApi
        ? await hub.api(r.method, r.url.slice(7), r.method === 'GET' ? undefined : bodyFor(), who)
        : await fetch(`${hub.httpUrl}${r.url}`, { method: r.method, headers: { authorization: `Bearer ${who}` } }).then(
            async (x) => ({ status: x.status, body: await x.text() }),
          );
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      for (const s of secretsOfB) if (text.includes(s)) failures.push(`${key} leaks ${s}`);
      if (r.method !== 'GET' && res.status < 300 && !NEUTRAL.has(key)) failures.push(`${key} -> ${res.status}`);
    }
    expect(failures).toEqual([]);
    // The tenant's own data is still there for it.
    expect((await hub.api<{ id: string }[]>('GET', '/instances', undefined, a.owner)).body.map((i) => i.id)).toEqual([
      a.inst,
    ]);
  });

  it('answers 401 to anonymous callers on every non-public API route, before validation', async () => {
    const failures: string[] = [];
    for (const r of hub.app.routeTable) {
      if (!r.url.startsWith('/api/v1/') || ['HEAD', 'OPTIONS'].includes(r.method)) continue;
      // Public by design: signing in, and a new client's self-service sign-up (with its choice of location).
      if (/\/auth\/(login|logout|password-reset|sso)/.test(r.url) || r.url === '/api/v1/onboarding/start') continue;
      if (r.url === '/api/v1/locations') continue;
      // Inbound mail authenticates with its own shared secret (DS_INBOUND_MAIL_SECRET), not a login.
      if (r.url === '/api/v1/inbound/mail') continue;
      // A welcome mail's unsubscribe link authenticates with its own signed token, not a login.
      if (r.url === '/api/v1/onboarding/welcome/unsubscribe') continue;
      // The brand of the host a page is on: the login page shows it before anyone signs in.
      if (/^\/api\/v1\/brand(\/|$)/.test(r.url)) continue;
      const res = await hub.api(r.method, fill(r.url, b.inst).slice(7), r.method === 'GET' ? undefined : {}, '');
      if (res.status !== 401) failures.push(`${r.method} ${r.url} -> ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('keeps the live stream scoped: a client user cannot subscribe to another tenant', async () => {
    const { io } = await import('socket.io-client');
    const s = io(hub.httpUrl, { auth: { token: a.owner }, transports: ['websocket'] });
    await new Promise<void>((res, rej) => {
      s.on('connect', () => res());
      s.on('connect_error', rej);
    });
    const ack = (instanceId: string) =>
      new Promise<{ ok: boolean }>((res) => s.emit('subscribe', { instanceId }, (r: { ok: boolean }) => res(r)));
    expect((await ack(b.inst)).ok).toBe(false);
    expect((await ack(a.inst)).ok).toBe(true);
    s.close();
  });
});
