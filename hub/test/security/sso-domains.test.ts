import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { startDnsServer } from '../helpers/dns.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { browserLogin, startProvider } from './oidc-idp.js';
import { makeTenant, type Tenant } from './tenants.js';

interface Claim {
  clientId: string;
  domain: string;
  status: string;
  txtName: string;
  txtValue: string;
  expiresAt: string | null;
  verifiedBy: string | null;
}
const message = (b: unknown) => (b as { error: { message: string } }).error.message;

/**
 * SSO domain claims against a real local DNS server (UDP, the hub's resolver aimed at it with
 * DS_DNS_SERVERS) and a real OpenID provider: a claimed domain routes nobody until it is proved,
 * the first claimer cannot keep the rightful owner out, and the operator can approve and revoke.
 */
describe('SSO email domains need proof before they route logins', () => {
  let hub: TestHub;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let idp: Awaited<ReturnType<typeof startProvider>>;
  let alpha: Tenant;
  let mallory: Tenant;
  let gamma: Tenant;
  const sso = (domain: string) => ({
    issuer: idp.issuer,
    clientId: 'deepsignal-hub',
    clientSecret: 'sso-client-secret-123',
    allowedDomain: domain,
  });
  const startByEmail = (email: string) =>
    fetch(`${hub.httpUrl}/api/v1/auth/sso/start?email=${encodeURIComponent(email)}`, { redirect: 'manual' });
  const claimOf = async (t: Tenant, domain: string) =>
    (await hub.api<Claim[]>('GET', `/clients/${t.client}/sso/domains`, undefined, t.owner)).body.find(
      (c) => c.domain === domain,
    ) as Claim;

  beforeAll(async () => {
    dns = await startDnsServer();
    hub = await startTestHub({ ssoAllowInsecureIssuers: true, dnsServers: dns.server });
    idp = await startProvider(`${hub.httpUrl}/api/v1/auth/sso/callback`);
    alpha = await makeTenant(hub, 'alpha');
    mallory = await makeTenant(hub, 'mallory');
    gamma = await makeTenant(hub, 'gamma');
  });
  afterAll(async () => {
    await hub?.close();
    await idp?.close();
    await dns?.close();
  });

  it('lets a squatter claim a domain first, but the claim routes no login', async () => {
    // Public onboarding makes anyone a tenant: mallory claims alpha's domain before alpha does.
    const put = await hub.api<{ domainStatus: string }>(
      'PUT',
      `/clients/${mallory.client}/sso`,
      sso('alpha.test'),
      mallory.owner,
    );
    expect(put.status).toBe(200);
    expect(put.body.domainStatus).toBe('pending');
    const none = await startByEmail('client_viewer@alpha.test');
    expect(none.status).toBe(404);
    expect(none.headers.get('location')).toBeNull();
    const direct = await fetch(`${hub.httpUrl}/api/v1/auth/sso/${mallory.client}/start`, { redirect: 'manual' });
    expect(direct.status).toBe(409);
    expect(message(await direct.json())).toMatch(/verified/);
  });

  it('verifies a claim by its TXT record, and only then routes the domain to that client', async () => {
    const put = await hub.api<{ domainStatus: string }>(
      'PUT',
      `/clients/${alpha.client}/sso`,
      sso('alpha.test'),
      alpha.owner,
    );
    expect(put.status).toBe(200);
    expect(put.body.domainStatus).toBe('pending');
    const claim = await claimOf(alpha, 'alpha.test');
    expect(claim).toMatchObject({ status: 'pending', txtName: '_deepsignal-challenge.alpha.test' });
    expect(claim.txtValue).toMatch(/^deepsignal-verification=[\w-]{20,}$/);
    expect(new Date(claim.expiresAt as string).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    const verify = () =>
      hub.api<Claim>('POST', `/clients/${alpha.client}/sso/domains/alpha.test/verify`, undefined, alpha.owner);

    const missing = await verify();
    expect(missing.status).toBe(422);
    expect(message(missing.body)).toContain('no TXT record _deepsignal-challenge.alpha.test');
    expect(dns.queries).toContain('TXT _deepsignal-challenge.alpha.test');

    // mallory's own token in alpha's DNS is not alpha's.
    const malloryClaim = await claimOf(mallory, 'alpha.test');
    dns.zones['_deepsignal-challenge.alpha.test'] = { TXT: [malloryClaim.txtValue] };
    const wrong = await verify();
    expect(wrong.status).toBe(422);
    expect(message(wrong.body)).toMatch(/does not hold/);
    expect((await startByEmail('client_viewer@alpha.test')).status).toBe(404);

    dns.zones['_deepsignal-challenge.alpha.test'] = { TXT: ['v=spf1 -all', claim.txtValue] };
    const ok = await verify();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'verified', verifiedBy: 'dns', expiresAt: null });

    const r = await browserLogin(
      `${hub.httpUrl}/api/v1/auth/sso/start?email=client_viewer%40alpha.test`,
      'client_viewer@alpha.test',
    );
    expect(r.status, r.body).toBe(302);
    expect(r.cookies.some((c) => c.startsWith('ds_session='))).toBe(true);
  });

  it("keeps a second tenant's pending claim from verifying or taking over a verified domain", async () => {
    // Even with mallory's token in the record too, the domain is alpha's: mallory's proof is refused.
    const malloryClaim = await claimOf(mallory, 'alpha.test');
    dns.zones['_deepsignal-challenge.alpha.test'].TXT?.push(malloryClaim.txtValue);
    const verify = await hub.api(
      'POST',
      `/clients/${mallory.client}/sso/domains/alpha.test/verify`,
      undefined,
      mallory.owner,
    );
    expect(verify.status).toBe(409);
    expect(message(verify.body)).toMatch(/verified by another client/);
    expect((await hub.api('PUT', `/clients/${mallory.client}/sso`, sso('alpha.test'), mallory.owner)).status).toBe(409);
    expect((await claimOf(mallory, 'alpha.test')).status).toBe('pending');
    // mallory's provider could assert any alpha address: its login never starts.
    const r = await fetch(`${hub.httpUrl}/api/v1/auth/sso/${mallory.client}/start`, { redirect: 'manual' });
    expect(r.status).toBe(409);
    expect(r.headers.get('location')).toBeNull();
  });

  it('lets the operator approve a claim and revoke one, which frees the domain', async () => {
    expect((await hub.api('PUT', `/clients/${gamma.client}/sso`, sso('gamma.test'), gamma.owner)).status).toBe(200);
    // The owner cannot vouch for its own claim; nor can another tenant see it.
    const self = await hub.api(
      'POST',
      `/clients/${gamma.client}/sso/domains/gamma.test/approve`,
      undefined,
      gamma.owner,
    );
    expect(self.status).toBe(403);
    expect((await hub.api('GET', `/clients/${gamma.client}/sso/domains`, undefined, alpha.owner)).status).toBe(404);
    expect(
      (await hub.api('POST', `/clients/${gamma.client}/sso/domains/gamma.test/verify`, undefined, alpha.owner)).status,
    ).toBe(404);
    const approved = await hub.api<Claim>('POST', `/clients/${gamma.client}/sso/domains/gamma.test/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('verified');
    expect(approved.body.verifiedBy).toMatch(/^user:/);
    const exported = await hub.api<{ ssoDomains: { domain: string; status: string }[] }>(
      'GET',
      `/clients/${gamma.client}/export`,
      undefined,
      gamma.owner,
    );
    expect(exported.body.ssoDomains).toEqual([expect.objectContaining({ domain: 'gamma.test', status: 'verified' })]);
    const start = await startByEmail('client_viewer@gamma.test');
    expect(start.status).toBe(302);
    expect(start.headers.get('location')?.startsWith(`${idp.issuer}/`)).toBe(true);

    // Say alpha.test really is mallory's: the operator revokes alpha's claim.
    const list = await hub.api<Claim[]>('GET', '/sso/domains?domain=alpha.test');
    expect(list.body.map((c) => [c.clientId, c.status]).sort()).toEqual(
      [
        [alpha.client, 'verified'],
        [mallory.client, 'pending'],
      ].sort(),
    );
    expect((await hub.api('GET', '/sso/domains', undefined, alpha.owner)).status).toBe(403);
    expect((await hub.api('DELETE', `/clients/${alpha.client}/sso/domains/alpha.test`)).status).toBe(204);
    expect((await startByEmail('client_viewer@alpha.test')).status).toBe(404);
    const audit = await hub.db.query<{ detail: { was: string } }>(
      "SELECT detail FROM audit_log WHERE action = 'sso.domain_remove' AND client_id = $1",
      [alpha.client],
    );
    expect(audit.map((a) => a.detail.was)).toEqual(['verified']);
    const malloryVerify = await hub.api<Claim>(
      'POST',
      `/clients/${mallory.client}/sso/domains/alpha.test/verify`,
      undefined,
      mallory.owner,
    );
    expect(malloryVerify.status).toBe(200);
    expect(malloryVerify.body.status).toBe('verified');
  });

  it('lets an unproved claim lapse after 7 days, and a new claim start again', async () => {
    const c = await hub.api<Claim>(
      'POST',
      `/clients/${gamma.client}/sso/domains`,
      { domain: 'Late.Test' },
      gamma.owner,
    );
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ domain: 'late.test', status: 'pending' });
    expect(
      (await hub.api('POST', `/clients/${gamma.client}/sso/domains`, { domain: 'late.test' }, gamma.owner)).status,
    ).toBe(200);
    dns.zones['_deepsignal-challenge.late.test'] = { TXT: [c.body.txtValue] };
    await hub.db.query(
      "UPDATE sso_domain_claims SET expires_at = now() - interval '1 minute' WHERE client_id = $1 AND domain = 'late.test'",
      [gamma.client],
    );
    expect((await claimOf(gamma, 'late.test')).status).toBe('expired');
    const late = await hub.api('POST', `/clients/${gamma.client}/sso/domains/late.test/verify`, undefined, gamma.owner);
    expect(late.status).toBe(409);
    expect(message(late.body)).toMatch(/expired.*claim the domain again/);
    const again = await hub.api<Claim>(
      'POST',
      `/clients/${gamma.client}/sso/domains`,
      { domain: 'late.test' },
      gamma.owner,
    );
    expect(again.status).toBe(201);
    expect(again.body.status).toBe('pending');
    expect(again.body.txtValue).not.toBe(c.body.txtValue);
    dns.zones['_deepsignal-challenge.late.test'] = { TXT: [again.body.txtValue] };
    const ok = await hub.api<Claim>(
      'POST',
      `/clients/${gamma.client}/sso/domains/late.test/verify`,
      undefined,
      gamma.owner,
    );
    expect(ok.body.status).toBe('verified');
  });

  it('answers bad input and the wrong roles with clear errors', async () => {
    const bad = await hub.api('POST', `/clients/${gamma.client}/sso/domains`, { domain: 'not a domain' }, gamma.owner);
    expect(bad.status).toBe(400);
    expect(
      (await hub.api('POST', `/clients/${gamma.client}/sso/domains`, { domain: 'x.test' }, gamma.viewer)).status,
    ).toBe(403);
    expect(
      (await hub.api('POST', `/clients/${gamma.client}/sso/domains/nothing.test/verify`, undefined, gamma.owner))
        .status,
    ).toBe(404);
    expect(
      (await hub.api('DELETE', `/clients/${gamma.client}/sso/domains/gamma.test`, undefined, alpha.owner)).status,
    ).toBe(404);
  });
});

describe('SSO domains set up before claims needed proof', () => {
  it('get a pending claim on upgrade: they route no login until proved or approved', { timeout: 120_000 }, async () => {
    const db = await openPglite(null);
    try {
      await migrate(db);
      await db.query("INSERT INTO clients (id, name) VALUES ('c-old', 'Old'), ('c-none', 'None')");
      await db.query(
        `INSERT INTO client_settings (client_id, oidc) VALUES
         ('c-old', '{"issuer":"https://idp.old.test","clientId":"x","allowedDomain":"Old.Test","autoProvision":false}'),
         ('c-none', NULL)`,
      );
      // As if the hub had run every migration up to the claims table, then upgraded.
      await db.query("DELETE FROM schema_migrations WHERE tag = '0018_sso_domain_claims_existing'");
      expect(await migrate(db)).toEqual(['0018_sso_domain_claims_existing']);
      const claims = await db.query<{ client_id: string; domain: string; status: string; token: string }>(
        'SELECT client_id, domain, status, token FROM sso_domain_claims',
      );
      expect(claims.map(({ token: _t, ...c }) => c)).toEqual([
        { client_id: 'c-old', domain: 'old.test', status: 'pending' },
      ]);
      expect(claims[0].token).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await db.close();
    }
  });
});
