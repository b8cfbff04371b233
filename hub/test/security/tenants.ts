import { expect } from 'vitest';
import type { TestHub } from '../helpers/hub.js';

/** One client's people and things, as the security tests use them. */
export interface Tenant {
  client: string;
  name: string;
  inst: string;
  owner: string;
  viewer: string;
  ownerId: string;
  viewerId: string;
  cmd: string;
}

export const PASSWORD = 'password-123';

export async function login(hub: TestHub, email: string, password = PASSWORD): Promise<string> {
  const r = await hub.api<{ token: string }>('POST', '/auth/login', { email, password }, '');
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** A client with an instance, an owner, a viewer and one command. */
export async function makeTenant(hub: TestHub, name: string): Promise<Tenant> {
  const client = (await hub.api<{ id: string }>('POST', '/clients', { name, industry: 'x', plan: 'growth' })).body.id;
  const inst = (await hub.newInstance(client)).id;
  const ids: Record<string, string> = {};
  for (const role of ['client_owner', 'client_viewer']) {
    const r = await hub.api<{ id: string }>('POST', `/clients/${client}/users`, {
      email: `${role}@${name}.test`,
      password: PASSWORD,
      role,
    });
    expect(r.status).toBe(201);
    ids[role] = r.body.id;
  }
  const owner = await login(hub, `client_owner@${name}.test`);
  const cmd = await hub.api<{ id: string }>('POST', `/instances/${inst}/commands`, { type: 'ping', params: {} }, owner);
  expect(cmd.status).toBe(202);
  return {
    client,
    name,
    inst,
    owner,
    viewer: await login(hub, `client_viewer@${name}.test`),
    ownerId: ids.client_owner,
    viewerId: ids.client_viewer,
    cmd: cmd.body.id,
  };
}

/** A service account with a token of the given scopes. */
export async function serviceToken(hub: TestHub, name: string, scopes: string[]) {
  const acct = await hub.api<{ id: string }>('POST', '/service-accounts', { name });
  expect(acct.status).toBe(201);
  const tok = await hub.api<{ id: string; token: string }>('POST', `/service-accounts/${acct.body.id}/tokens`, {
    name: `${name}-token`,
    scopes,
  });
  expect(tok.status).toBe(201);
  return { accountId: acct.body.id, tokenId: tok.body.id, token: tok.body.token };
}
