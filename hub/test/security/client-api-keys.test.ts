import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makeTenant, serviceToken, type Tenant } from './tenants.js';

interface Key {
  id: string;
  name: string;
  scopes: string[];
  prefix: string | null;
  token: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Client API keys: made by the client's owner, bound to that client, no wider than an owner. */
describe('client API keys', () => {
  let hub: TestHub;
  let a: Tenant;
  let b: Tenant;

  const mint = async (t: Tenant, body: unknown) => hub.api<Key>('POST', `/clients/${t.client}/api-keys`, body, t.owner);

  beforeAll(async () => {
    hub = await startTestHub();
    a = await makeTenant(hub, 'alpha');
    b = await makeTenant(hub, 'beta');
    // Generous: the hub's start and the tenant's setup are slow on a busy machine.
  }, 900_000);
  afterAll(async () => hub?.close());

  it('creates a key shown once, lists it hashed and with its last use', async () => {
    const made = await mint(a, { name: 'CRM sync', scopes: ['read'] });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^dsa_/);
    expect(made.body.prefix).toBe(made.body.token.slice(0, made.body.prefix?.length));
    expect(made.body.scopes).toEqual(['read']);

    const own = await hub.api<Array<{ id: string }>>('GET', '/instances', undefined, made.body.token);
    expect(own.status).toBe(200);
    const list = await hub.api<{ keys: Array<Key & { token?: string }> }>(
      'GET',
      `/clients/${a.client}/api-keys`,
      undefined,
      a.owner,
    );
    expect(list.status).toBe(200);
    const row = list.body.keys.find((k) => k.id === made.body.id);
    expect(row?.lastUsedAt).not.toBeNull();
    expect(row?.token).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(made.body.token);
  });

  it('refuses scopes wider than an owner, and bad input, with clear errors', async () => {
    for (const scopes of [['command:backup.create'], ['billing:review'], ['agent:report'], [], ['nope']]) {
      const r = await mint(a, { name: 'wide', scopes });
      expect(r.status, JSON.stringify(scopes)).toBe(400);
      expect((r.body as unknown as { error: { code: string } }).error.code).toBe('HUB_ERR_VALIDATION');
    }
    const past = await mint(a, { name: 'old', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(JSON.stringify(past.body)).toContain('future');
  });

  it('acts within its scopes as its client, never beyond', async () => {
    const reader = (await mint(a, { name: 'reader', scopes: ['read'] })).body.token;
    const pinger = (await mint(a, { name: 'pinger', scopes: ['read', 'command:ping'] })).body.token;
    const ping = { type: 'ping', params: {} };
    expect((await hub.api('POST', `/instances/${a.inst}/commands`, ping, reader)).status).toBe(403);
    expect((await hub.api('POST', `/instances/${a.inst}/commands`, ping, pinger)).status).toBe(202);
    // Another client's things are a 404, as for the owner.
    expect((await hub.api('GET', `/instances/${b.inst}`, undefined, pinger)).status).toBe(404);
    expect((await hub.api('POST', `/instances/${b.inst}/commands`, ping, pinger)).status).toBe(404);
    expect((await hub.api('GET', `/clients/${b.client}`, undefined, reader)).status).toBe(404);
    expect((await hub.api('GET', `/clients/${b.client}/api-keys`, undefined, b.owner)).status).toBe(200);
    // Never an operator.
    const clients = await hub.api<Array<{ id: string }>>('GET', '/clients', undefined, reader);
    expect(clients.body.map((c) => c.id)).toEqual([a.client]);
    expect((await hub.api('GET', '/tokens', undefined, reader)).status).toBe(403);
    expect((await hub.api('POST', '/clients', { name: 'x' }, pinger)).status).toBe(403);
  });

  it('cannot mint, list or revoke keys itself', async () => {
    const k = (await mint(a, { name: 'self', scopes: ['read', 'command:ping'] })).body;
    expect(
      (await hub.api('POST', `/clients/${a.client}/api-keys`, { name: 'x', scopes: ['read'] }, k.token)).status,
    ).toBe(403);
    expect((await hub.api('GET', `/clients/${a.client}/api-keys`, undefined, k.token)).status).toBe(403);
    expect((await hub.api('DELETE', `/clients/${a.client}/api-keys/${k.id}`, undefined, k.token)).status).toBe(403);
    // Nor can an operator's token, nor anyone but the owner create them.
    const bot = await serviceToken(hub, 'key-bot', ['read']);
    expect((await hub.api('GET', `/clients/${a.client}/api-keys`, undefined, bot.token)).status).toBe(403);
    expect((await hub.api('POST', `/clients/${a.client}/api-keys`, { name: 'x', scopes: ['read'] })).status).toBe(403);
    expect(
      (await hub.api('POST', `/clients/${a.client}/api-keys`, { name: 'x', scopes: ['read'] }, a.viewer)).status,
    ).toBe(403);
  });

  it("keeps clients apart: another client's keys are a 404", async () => {
    const k = (await mint(a, { name: 'private', scopes: ['read'] })).body;
    expect((await hub.api('GET', `/clients/${a.client}/api-keys`, undefined, b.owner)).status).toBe(404);
    expect((await hub.api('DELETE', `/clients/${a.client}/api-keys/${k.id}`, undefined, b.owner)).status).toBe(404);
    // b's own path with a's key id: not found either, and the key still works.
    expect((await hub.api('DELETE', `/clients/${b.client}/api-keys/${k.id}`, undefined, b.owner)).status).toBe(404);
    expect((await hub.api('GET', '/instances', undefined, k.token)).status).toBe(200);
    const listed = await hub.api<{ keys: Key[] }>('GET', `/clients/${b.client}/api-keys`, undefined, b.owner);
    expect(listed.body.keys.map((x) => x.id)).not.toContain(k.id);
  });

  it('stops working when revoked, by the owner or an admin', async () => {
    for (const revoker of ['owner', 'admin'] as const) {
      const k = (await mint(a, { name: `revoked by ${revoker}`, scopes: ['read'] })).body;
      expect((await hub.api('GET', '/instances', undefined, k.token)).status).toBe(200);
      const by = revoker === 'owner' ? a.owner : hub.token;
      expect((await hub.api('DELETE', `/clients/${a.client}/api-keys/${k.id}`, undefined, by)).status).toBe(204);
      expect((await hub.api('GET', '/instances', undefined, k.token)).status).toBe(401);
      const list = await hub.api<{ keys: Key[] }>('GET', `/clients/${a.client}/api-keys`, undefined, hub.token);
      expect(list.body.keys.find((x) => x.id === k.id)?.revokedAt).not.toBeNull();
    }
    expect((await hub.api('DELETE', `/clients/${a.client}/api-keys/tok-unknown00000`, undefined, a.owner)).status).toBe(
      404,
    );
  });

  it('stops working once expired', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const k = (await mint(a, { name: 'short', scopes: ['read'], expiresAt: soon })).body;
    expect(k.expiresAt).toBe(soon);
    expect((await hub.api('GET', '/instances', undefined, k.token)).status).toBe(200);
    await expect
      .poll(async () => (await hub.api('GET', '/instances', undefined, k.token)).status, { timeout: 30_000 })
      .toBe(401);
  });

  it('ends with its owner: a disabled owner’s keys stop', async () => {
    const k = (await mint(b, { name: 'owner-bound', scopes: ['read'] })).body;
    expect((await hub.api('GET', '/instances', undefined, k.token)).status).toBe(200);
    expect((await hub.api('PATCH', `/users/${b.ownerId}`, { disabled: true })).status).toBe(200);
    expect((await hub.api('GET', '/instances', undefined, k.token)).status).toBe(401);
  });
});
