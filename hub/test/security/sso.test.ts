import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { browserLogin, startProvider } from './oidc-idp.js';
import { makeTenant, type Tenant } from './tenants.js';

describe('single sign-on with OpenID Connect against a local provider', () => {
  let hub: TestHub;
  let idp: Awaited<ReturnType<typeof startProvider>>;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    // The provider is plain http on loopback: allowed only with this setting (sso-outbound.test.ts refuses it).
    hub = await startTestHub({ ssoAllowInsecureIssuers: true });
    idp = await startProvider(`${hub.httpUrl}/api/v1/auth/sso/callback`);
    a = await makeTenant(hub, 'alpha');
    b = await makeTenant(hub, 'beta');
    const cfg = await hub.api<{ hasClientSecret: boolean }>(
      'PUT',
      `/clients/${a.client}/sso`,
      {
        issuer: idp.issuer,
        clientId: 'deepsignal-hub',
        clientSecret: 'sso-client-secret-123',
        allowedDomain: 'alpha.test',
      },
      a.owner,
    );
    expect(cfg.status).toBe(200);
    expect(cfg.body.hasClientSecret).toBe(true);
    expect(JSON.stringify(cfg.body)).not.toContain('sso-client-secret-123');
    // The domain is the operator's word here; DNS proofs are in sso-domains.test.ts.
    expect((await hub.api('POST', `/clients/${a.client}/sso/domains/alpha.test/approve`)).status).toBe(200);
  });
  afterAll(async () => {
    await hub?.close();
    await idp?.close();
  });

  it('logs an invited user of the client in through the provider and sets the session cookie', async () => {
    const r = await browserLogin(`${hub.httpUrl}/api/v1/auth/sso/${a.client}/start`, 'client_viewer@alpha.test');
    expect(r.status, r.body).toBe(302);
    const cookie = r.cookies.find((c) => c.startsWith('ds_session='))?.split(';')[0] as string;
    expect(cookie).toBeTruthy();
    const me = await fetch(`${hub.httpUrl}/api/v1/auth/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({
      email: 'client_viewer@alpha.test',
      role: 'client_viewer',
      clientId: a.client,
    });
    const audit = await hub.db.query<{ detail: { method: string } }>(
      "SELECT detail FROM audit_log WHERE action = 'auth.login' AND target = $1",
      [a.viewerId],
    );
    expect(audit.map((x) => x.detail.method)).toContain('oidc');
  });

  it('refuses another domain, another client’s user, and uninvited users unless auto-provisioning is on', async () => {
    const start = `${hub.httpUrl}/api/v1/auth/sso/${a.client}/start`;
    expect((await browserLogin(start, 'mallory@evil.test')).status).toBe(401);
    // beta's owner has the right domain for beta, not alpha: domain check refuses first.
    expect((await browserLogin(start, 'client_owner@beta.test')).status).toBe(401);
    expect((await browserLogin(start, 'stranger@alpha.test')).status).toBe(403);
    await hub.api('PUT', `/clients/${a.client}/sso`, {
      issuer: idp.issuer,
      clientId: 'deepsignal-hub',
      allowedDomain: 'alpha.test',
      autoProvision: true,
    });
    const r = await browserLogin(start, 'stranger@alpha.test');
    expect(r.status).toBe(302);
    const users = await hub.db.query<{ role: string; client_id: string }>(
      "SELECT role, client_id FROM users WHERE email = 'stranger@alpha.test'",
    );
    expect(users).toEqual([{ role: 'client_viewer', client_id: a.client }]);
  });

  it('finds the client by the email domain, case-insensitively', async () => {
    const r = await browserLogin(
      `${hub.httpUrl}/api/v1/auth/sso/start?email=${encodeURIComponent('Client_Viewer@ALPHA.test')}`,
      'client_viewer@alpha.test',
    );
    expect(r.status).toBe(302);
    expect(r.cookies.some((c) => c.startsWith('ds_session='))).toBe(true);
    const none = await fetch(`${hub.httpUrl}/api/v1/auth/sso/start?email=someone%40beta.test`, { redirect: 'manual' });
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/email domain/);
    const bad = await fetch(`${hub.httpUrl}/api/v1/auth/sso/start?email=not-an-email`, { redirect: 'manual' });
    expect(bad.status).toBe(400);
  });

  it('gives a domain to one client only', async () => {
    const r = await hub.api(
      'PUT',
      `/clients/${b.client}/sso`,
      { issuer: idp.issuer, clientId: 'x', allowedDomain: 'Alpha.test' },
      b.owner,
    );
    expect(r.status).toBe(409);
    expect((await fetch(`${hub.httpUrl}/api/v1/auth/sso/${b.client}/start`, { redirect: 'manual' })).status).toBe(404);
  });

  it('answers 404 for a client without SSO, and keeps SSO settings per tenant', async () => {
    expect((await fetch(`${hub.httpUrl}/api/v1/auth/sso/${b.client}/start`, { redirect: 'manual' })).status).toBe(404);
    expect((await hub.api('GET', `/clients/${a.client}/sso`, undefined, b.owner)).status).toBe(404);
    expect(
      (
        await hub.api(
          'PUT',
          `/clients/${a.client}/sso`,
          { issuer: idp.issuer, clientId: 'x', allowedDomain: 'beta.test' },
          b.owner,
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await hub.api('PUT', `/clients/${a.client}/sso`, {
          issuer: 'file:///etc/passwd',
          clientId: 'x',
          allowedDomain: 'alpha.test',
        })
      ).status,
    ).toBe(400);
    const forged = await fetch(`${hub.httpUrl}/api/v1/auth/sso/callback?code=abc&state=forged`);
    expect(forged.status).toBe(401);
  });
});
