import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { login, makeTenant, serviceToken, type Tenant } from './tenants.js';

/** Each role's allowed and refused actions, and service-account tokens with scopes and revocation. */
describe('roles and API tokens', () => {
  let hub: TestHub;
  let a: Tenant;
  let b: Tenant;
  let support: string;
  let readBot: { token: string; tokenId: string; accountId: string };
  let pingBot: { token: string; tokenId: string; accountId: string };

  beforeAll(async () => {
    hub = await startTestHub();
    a = await makeTenant(hub, 'alpha');
    b = await makeTenant(hub, 'beta');
    expect(
      (await hub.api('POST', '/users', { email: 'help@ops.test', password: 'support-pass-1', role: 'support' })).status,
    ).toBe(201);
    support = await login(hub, 'help@ops.test', 'support-pass-1');
    readBot = await serviceToken(hub, 'read-bot', ['read']);
    pingBot = await serviceToken(hub, 'ping-bot', ['read', 'command:ping']);
  });
  afterAll(async () => hub?.close());

  type Row = [who: string, method: string, path: string, body: unknown, expected: number];
  const check = async (rows: Row[], tokens: Record<string, string>) => {
    const bad: string[] = [];
    for (const [who, method, path, body, expected] of rows) {
      const r = await hub.api(method, path, body, tokens[who]);
      if (r.status !== expected)
        bad.push(`${who} ${method} ${path}: ${r.status} (want ${expected}) ${JSON.stringify(r.body)}`);
    }
    expect(bad).toEqual([]);
  };

  it('applies the roles matrix', async () => {
    const T = () => ({
      admin: hub.token,
      support,
      owner: a.owner,
      viewer: a.viewer,
      read: readBot.token,
      ping: pingBot.token,
    });
    const newUser = (n: string) => ({ email: `${n}@alpha.test`, password: 'password-123', role: 'client_viewer' });
    await check(
      [
        // Clients and users
        ['admin', 'POST', '/clients', { name: 'gamma' }, 201],
        ['support', 'POST', '/clients', { name: 'gamma2' }, 403],
        ['owner', 'POST', '/clients', { name: 'gamma3' }, 403],
        ['support', 'GET', '/clients', undefined, 200],
        ['viewer', 'GET', `/clients/${a.client}`, undefined, 200],
        ['admin', 'POST', `/clients/${a.client}/users`, newUser('v2'), 201],
        ['owner', 'POST', `/clients/${a.client}/users`, newUser('v3'), 403],
        ['support', 'POST', `/clients/${a.client}/users`, newUser('v4'), 403],
        ['owner', 'GET', '/users', undefined, 200],
        ['viewer', 'GET', '/users', undefined, 403],
        ['support', 'GET', '/users', undefined, 200],
        ['owner', 'PATCH', `/users/${a.viewerId}`, { role: 'admin' }, 400],
        ['viewer', 'PATCH', `/users/${a.ownerId}`, { disabled: true }, 403],
        ['support', 'PATCH', `/users/${a.viewerId}`, { disabled: true }, 403],
        ['owner', 'PATCH', `/users/${b.viewerId}`, { disabled: true }, 404],
        ['owner', 'POST', '/users', { email: 'x@ops.test', role: 'admin' }, 403],
        // Instances and commands
        ['owner', 'POST', '/instances', { clientId: a.client, hostname: 'h' }, 403],
        ['support', 'POST', '/instances', { clientId: a.client, hostname: 'h' }, 403],
        ['support', 'GET', `/instances/${b.inst}`, undefined, 200],
        ['support', 'POST', `/instances/${a.inst}/commands`, { type: 'openclaw.restart', params: {} }, 202],
        [
          'support',
          'POST',
          `/instances/${a.inst}/commands`,
          { type: 'openclaw.update', params: { version: '2026.1.1' } },
          403,
        ],
        ['owner', 'POST', `/instances/${a.inst}/commands`, { type: 'agent.pause', params: {} }, 202],
        ['viewer', 'POST', `/instances/${a.inst}/commands`, { type: 'ping', params: {} }, 403],
        // Settings, secrets, keys, data
        ['owner', 'PUT', `/clients/${a.client}/settings`, { retentionLogsDays: 30 }, 200],
        ['viewer', 'PUT', `/clients/${a.client}/settings`, { retentionLogsDays: 30 }, 403],
        ['support', 'PUT', `/clients/${a.client}/settings`, { retentionLogsDays: 30 }, 403],
        ['owner', 'PUT', `/clients/${a.client}/secrets/anthropic`, { value: 'sk-a' }, 200],
        ['viewer', 'PUT', `/clients/${a.client}/secrets/anthropic`, { value: 'sk-a' }, 403],
        ['viewer', 'GET', `/clients/${a.client}/secrets`, undefined, 403],
        ['support', 'GET', `/clients/${a.client}/secrets`, undefined, 200],
        ['owner', 'GET', `/clients/${a.client}/export`, undefined, 200],
        ['viewer', 'GET', `/clients/${a.client}/export`, undefined, 403],
        ['owner', 'DELETE', `/clients/${a.client}/data`, { scope: 'telemetry', confirm: a.client }, 403],
        ['owner', 'POST', `/clients/${a.client}/keys/rotate`, undefined, 200],
        // Operator-only security settings
        ['owner', 'POST', '/service-accounts', { name: 'evil' }, 403],
        ['support', 'POST', '/service-accounts', { name: 'evil' }, 403],
        ['support', 'GET', '/tokens', undefined, 200],
        ['owner', 'GET', '/tokens', undefined, 403],
        ['owner', 'PUT', '/security/admin-allowlist', { ipAllowlist: [] }, 403],
        ['support', 'POST', '/security/master-key/rotate', undefined, 403],
        // Service tokens: reads with `read`, only scoped command types, nothing else
        ['read', 'GET', `/instances/${b.inst}`, undefined, 200],
        ['read', 'POST', `/instances/${a.inst}/commands`, { type: 'ping', params: {} }, 403],
        ['ping', 'POST', `/instances/${a.inst}/commands`, { type: 'ping', params: {} }, 202],
        ['ping', 'POST', `/instances/${a.inst}/commands`, { type: 'openclaw.restart', params: {} }, 403],
        ['ping', 'POST', '/clients', { name: 'bot-client' }, 403],
        ['ping', 'PUT', `/clients/${a.client}/secrets/x`, { value: 'y' }, 403],
        // Last: a role change ends the user's sessions.
        ['owner', 'PATCH', `/users/${a.viewerId}`, { role: 'client_owner' }, 200],
        ['viewer', 'GET', '/auth/me', undefined, 401],
      ],
      T(),
    );
  });

  it('refuses password login for service accounts and revokes tokens', async () => {
    const r = await hub.api('POST', '/auth/login', { email: 'read-bot@service.deepsignal', password: 'x' }, '');
    expect(r.status).toBe(401);
    const list = await hub.api<{ id: string; lastUsedAt: string | null }[]>('GET', '/tokens');
    expect(list.body.find((t) => t.id === readBot.tokenId)?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(readBot.token);
    expect((await hub.api('DELETE', `/tokens/${readBot.tokenId}`)).status).toBe(204);
    expect((await hub.api('GET', '/instances', undefined, readBot.token)).status).toBe(401);
    expect((await hub.api('GET', '/instances', undefined, pingBot.token)).status).toBe(200);
    // Disabling the account revokes all its tokens.
    expect((await hub.api('DELETE', `/service-accounts/${pingBot.accountId}`)).status).toBe(204);
    expect((await hub.api('GET', '/instances', undefined, pingBot.token)).status).toBe(401);
    const audit = await hub.db.query<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'token.%'");
    expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['token.create', 'token.revoke']));
    // Unknown scopes are refused.
    const acct = await hub.api<{ id: string }>('POST', '/service-accounts', { name: 'odd-bot' });
    expect(
      (await hub.api('POST', `/service-accounts/${acct.body.id}/tokens`, { name: 't', scopes: ['command:rm'] })).status,
    ).toBe(400);
  });

  it('ends sessions of a disabled user and audits user changes', async () => {
    const t = await login(hub, 'v2@alpha.test');
    const id = (await hub.api<{ id: string }>('GET', '/auth/me', undefined, t)).body.id;
    expect((await hub.api('PATCH', `/users/${id}`, { disabled: true }, a.owner)).status).toBe(200);
    expect((await hub.api('GET', '/auth/me', undefined, t)).status).toBe(401);
    expect(
      (await hub.api('POST', '/auth/login', { email: 'v2@alpha.test', password: 'password-123' }, '')).status,
    ).toBe(401);
    const rows = await hub.db.query<{ action: string }>('SELECT action FROM audit_log WHERE target = $1', [id]);
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['user.create', 'user.update']));
  });
});
