import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makePartner, type PartnerTenant } from './partners.js';
import { makeTenant, type Tenant } from './tenants.js';

/**
 * The route walker one level up: walks every route the app registered as partner P's admin and
 * viewer, naming the ids of partner Q (its partner record, its people, its client's instance,
 * command and users) and of a client of Deep Signal's own. Every route with an id in its path must
 * answer 401, 403 or 404; routes without one must not show Q's or the own client's ids, and an
 * unsafe one must not succeed with them in its body. New routes are walked automatically.
 */
describe('route walker: no route leaks another partner', () => {
  let hub: TestHub;
  let p: PartnerTenant;
  let q: PartnerTenant;
  let own: Tenant;
  let foreign: string[];
  let secrets: string[];

  beforeAll(async () => {
    hub = await startTestHub();
    p = await makePartner(hub, 'papa');
    q = await makePartner(hub, 'quebec');
    own = await makeTenant(hub, 'direct');
    const ids = (t: Tenant) => [t.client, t.inst, t.cmd, t.ownerId, t.viewerId];
    foreign = [q.partnerId, q.adminId, q.viewerId, ...ids(q.client), ...ids(own)];
    secrets = [...foreign, '@quebec', '@direct', 'quebec Partner'];
  }, 400_000);
  afterAll(async () => hub?.close());

  const fill = (url: string, id: string) =>
    url.replace(/:([A-Za-z]+)/g, (_m, name: string) => (name === 'id' || name.endsWith('Id') ? id : 'anthropic'));
  const bodyFor = (t: Tenant) => ({
    clientId: t.client,
    instanceId: t.inst,
    commandId: t.cmd,
    userId: t.ownerId,
    partnerId: q.partnerId,
    type: 'ping',
    params: {},
    value: 'x',
    name: 'x',
    subject: 'x',
    body: 'x',
    email: 'probe@papa.partner.test',
    role: 'partner_viewer',
    scope: 'all',
    confirm: t.client,
    hostname: 'h',
  });
  const NEUTRAL = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/password-reset', 'POST /api/v1/auth/logout']);

  it('sees its own client, and only it', async () => {
    for (const who of [p.admin, p.viewer]) {
      const clients = await hub.api<{ id: string }[]>('GET', '/clients', undefined, who);
      expect(clients.body.map((c) => c.id)).toEqual([p.client.client]);
      const inst = await hub.api<{ id: string }[]>('GET', '/instances', undefined, who);
      expect(inst.body.map((i) => i.id)).toEqual([p.client.inst]);
      expect((await hub.api('GET', `/instances/${p.client.inst}`, undefined, who)).status).toBe(200);
    }
  });

  it("answers 401/403/404 for Q's and Deep Signal's own ids on every route with a path id", async () => {
    const failures: string[] = [];
    const routes = hub.app.routeTable.filter(
      (r) => r.url.includes(':') && r.method !== 'HEAD' && r.method !== 'OPTIONS' && r.url.startsWith('/api/v1/'),
    );
    for (const r of routes) {
      for (const who of [p.admin, p.viewer]) {
        for (const id of foreign) {
          const path = fill(r.url, id);
          const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : bodyFor(q.client);
          const res = await hub.api(r.method, path.slice(7), body, who);
          if (![401, 403, 404].includes(res.status)) failures.push(`${r.method} ${path} -> ${res.status}`);
          const text = JSON.stringify(res.body);
          for (const s of secrets) if (text.includes(s) && s !== id) failures.push(`${r.method} ${path} leaks ${s}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it("never shows Q or Deep Signal's own clients on routes without a path id, and never acts on them", async () => {
    const failures: string[] = [];
    const routes = hub.app.routeTable.filter(
      (r) =>
        !r.url.includes(':') &&
        !r.url.includes('*') &&
        !['HEAD', 'OPTIONS'].includes(r.method) &&
        r.url.startsWith('/api/v1/') &&
        !r.url.endsWith('/auth/logout'),
    );
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      for (const target of [q.client, own]) {
        const res = await hub.api(r.method, r.url.slice(7), r.method === 'GET' ? undefined : bodyFor(target), p.admin);
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        for (const s of secrets) if (text.includes(s)) failures.push(`${key} leaks ${s}`);
        if (r.method !== 'GET' && res.status < 300 && !NEUTRAL.has(key)) failures.push(`${key} -> ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    // The partner's own client is still there for it.
    expect((await hub.api<{ id: string }[]>('GET', '/clients', undefined, p.admin)).body.map((c) => c.id)).toEqual([
      p.client.client,
    ]);
  }, 300_000);
});
