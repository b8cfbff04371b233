import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makePartner, type PartnerTenant } from './partners.js';
import { login, makeTenant, PASSWORD, type Tenant } from './tenants.js';

/** Partners: the admin API, partner users' scope over their clients, and what each partner role may do. */
describe('partners', () => {
  let hub: TestHub;
  let p: PartnerTenant;
  let q: PartnerTenant;
  let own: Tenant;

  beforeAll(async () => {
    hub = await startTestHub();
    p = await makePartner(hub, 'pa');
    q = await makePartner(hub, 'qb');
    own = await makeTenant(hub, 'own');
  }, 400_000);
  afterAll(async () => hub?.close());

  it('lists, reads, renames partners for the admin; a partner user sees only its own', async () => {
    const all = await hub.api<{ id: string; clients: number }[]>('GET', '/partners');
    expect(all.body.map((x) => x.id)).toEqual([p.partnerId, q.partnerId]);
    expect(all.body[0].clients).toBe(1);
    const renamed = await hub.api<{ name: string }>('PATCH', `/partners/${p.partnerId}`, { name: 'Papa Reseller' });
    expect(renamed.body.name).toBe('Papa Reseller');
    const mine = await hub.api<{ id: string }[]>('GET', '/partners', undefined, p.admin);
    expect(mine.body.map((x) => x.id)).toEqual([p.partnerId]);
    expect((await hub.api('GET', `/partners/${p.partnerId}`, undefined, p.viewer)).status).toBe(200);
    expect((await hub.api('GET', `/partners/${q.partnerId}`, undefined, p.admin)).status).toBe(404);
    expect((await hub.api('PATCH', `/partners/${p.partnerId}`, { name: 'x' }, p.admin)).status).toBe(403);
    expect((await hub.api('POST', '/partners', { name: 'x' }, p.admin)).status).toBe(403);
    expect((await hub.api('POST', '/partners', { name: '' })).status).toBe(400);
  });

  it('scopes every list to the partner: clients, instances, users, audit', async () => {
    const ids = async (path: string, who: string) =>
      (await hub.api<{ id: string }[]>('GET', path, undefined, who)).body.map((x) => x.id);
    expect(await ids('/clients', p.admin)).toEqual([p.client.client]);
    expect(await ids('/instances', p.viewer)).toEqual([p.client.inst]);
    expect((await ids('/users', p.admin)).sort()).toEqual(
      [p.client.ownerId, p.client.viewerId, p.adminId, p.viewerId].sort(),
    );
    expect((await hub.api('GET', '/users', undefined, p.viewer)).status).toBe(403);
    const audit = await hub.api<{ clientId: string | null }[]>('GET', '/audit', undefined, p.admin);
    expect(audit.status).toBe(200);
    expect(new Set(audit.body.map((a) => a.clientId))).toEqual(new Set([p.client.client]));
    expect((await hub.api('GET', `/clients/${q.client.client}`, undefined, p.admin)).status).toBe(404);
    expect((await hub.api('GET', `/clients/${own.client}`, undefined, p.admin)).status).toBe(404);
    expect((await hub.api('GET', `/instances?clientId=${q.client.client}`, undefined, p.admin)).status).toBe(404);
  });

  it('lets the partner admin act on its clients as an operator would, the viewer only read', async () => {
    const cmd = await hub.api('POST', `/instances/${p.client.inst}/commands`, { type: 'ping', params: {} }, p.admin);
    expect(cmd.status).toBe(202);
    const viewerCmd = await hub.api(
      'POST',
      `/instances/${p.client.inst}/commands`,
      { type: 'ping', params: {} },
      p.viewer,
    );
    expect(viewerCmd.status).toBe(403);
    const secret = await hub.api('PUT', `/clients/${p.client.client}/secrets/anthropic`, { value: 'sk-x' }, p.admin);
    expect(secret.status).toBe(200);
    expect((await hub.api('GET', `/clients/${p.client.client}/secrets`, undefined, p.viewer)).status).toBe(403);
    // A fleet-level action stays the operator's.
    expect((await hub.api('GET', '/billing/overview', undefined, p.admin)).status).toBeGreaterThanOrEqual(403);
  });

  it('lets the partner admin create clients under its partner and invite its people, not operators', async () => {
    const c = await hub.api<{ id: string; partnerId: string }>(
      'POST',
      '/clients',
      { name: 'Pa Newco', plan: 'starter' },
      p.admin,
    );
    expect(c.status).toBe(201);
    expect(c.body.partnerId).toBe(p.partnerId);
    // Seen at once, on the next request.
    const ids = (await hub.api<{ id: string }[]>('GET', '/clients', undefined, p.admin)).body.map((x) => x.id);
    expect(ids).toContain(c.body.id);
    const owner = await hub.api<{ id: string }>(
      'POST',
      `/clients/${c.body.id}/users`,
      { email: 'owner@pa-newco.test', password: PASSWORD, role: 'client_owner' },
      p.admin,
    );
    expect(owner.status).toBe(201);
    expect((await hub.api('POST', '/clients', { name: 'x' }, p.viewer)).status).toBe(403);
    expect((await hub.api('POST', '/clients', { name: 'x', partnerId: q.partnerId }, p.admin)).status).toBe(404);
    const invite = (body: Record<string, unknown>, who = p.admin) => hub.api('POST', '/users', body, who);
    expect((await invite({ email: 'pv2@pa.partner.test', password: PASSWORD, role: 'partner_viewer' })).status).toBe(
      201,
    );
    expect((await invite({ email: 'adm@pa.partner.test', password: PASSWORD, role: 'admin' })).status).toBe(403);
    expect(
      (await invite({ email: 'x@qb.partner.test', password: PASSWORD, role: 'partner_admin', partnerId: q.partnerId }))
        .status,
    ).toBe(404);
    expect(
      (await invite({ email: 'x@pa.partner.test', password: PASSWORD, role: 'partner_admin' }, hub.token)).status,
    ).toBe(400);
    await login(hub, 'pv2@pa.partner.test');
  });

  it('moves a client between partners, and refuses to delete a partner that still has clients', async () => {
    const moved = await hub.api('PUT', `/clients/${own.client}/partner`, { partnerId: q.partnerId });
    expect(moved.status).toBe(200);
    expect((await hub.api('GET', `/clients/${own.client}`, undefined, q.admin)).status).toBe(200);
    expect((await hub.api('GET', `/clients/${own.client}`, undefined, p.admin)).status).toBe(404);
    expect((await hub.api('PUT', `/clients/${own.client}/partner`, { partnerId: null }, q.admin)).status).toBe(403);
    expect((await hub.api('PUT', `/clients/${own.client}/partner`, { partnerId: 'ptn-nope' })).status).toBe(404);
    expect((await hub.api('DELETE', `/partners/${q.partnerId}`)).status).toBe(409);
    await hub.api('PUT', `/clients/${own.client}/partner`, { partnerId: null });
    await hub.api('PUT', `/clients/${q.client.client}/partner`, { partnerId: null });
    expect((await hub.api('DELETE', `/partners/${q.partnerId}`)).status).toBe(204);
    // Its people went with it.
    expect((await hub.api('GET', '/clients', undefined, q.admin)).status).toBe(401);
  });
});
