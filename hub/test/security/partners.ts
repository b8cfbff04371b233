import { expect } from 'vitest';
import type { TestHub } from '../helpers/hub.js';
import { login, makeTenant, PASSWORD, type Tenant } from './tenants.js';

/** A partner with one client (a full tenant) and its admin and viewer, logged in. */
export interface PartnerTenant {
  partnerId: string;
  client: Tenant;
  admin: string;
  viewer: string;
  adminId: string;
  viewerId: string;
}

export async function makePartner(hub: TestHub, name: string): Promise<PartnerTenant> {
  const p = await hub.api<{ id: string }>('POST', '/partners', { name: `${name} Partner` });
  expect(p.status).toBe(201);
  const client = await makeTenant(hub, `${name}-client`);
  expect((await hub.api('PUT', `/clients/${client.client}/partner`, { partnerId: p.body.id })).status).toBe(200);
  const ids: Record<string, string> = {};
  for (const role of ['partner_admin', 'partner_viewer']) {
    const r = await hub.api<{ id: string }>('POST', '/users', {
      email: `${role}@${name}.partner.test`,
      password: PASSWORD,
      role,
      partnerId: p.body.id,
    });
    expect(r.status).toBe(201);
    ids[role] = r.body.id;
  }
  return {
    partnerId: p.body.id,
    client,
    admin: await login(hub, `partner_admin@${name}.partner.test`),
    viewer: await login(hub, `partner_viewer@${name}.partner.test`),
    adminId: ids.partner_admin,
    viewerId: ids.partner_viewer,
  };
}
