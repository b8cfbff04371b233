import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makeTenant, type Tenant } from './tenants.js';

/** A real OpenID provider (oidc-provider, dev interactions) on a loopback port. */
async function startProvider(redirectUri: string) {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end();
  const server = createServer((q, s) => handler(q, s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'deepsignal-hub',
        client_secret: 'sso-client-secret-123',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // The login form's "login" field is the account id; we make it the email.
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: sub, email_verified: true }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true } },
  });
  handler = provider.callback();
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Follows redirects by hand with a cookie jar per origin, filling the provider's login and consent forms. */
async function browserLogin(startUrl: string, email: string) {
  const jar = new Map<string, Map<string, string>>();
  const cookieFor = (u: URL) => [...(jar.get(u.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (u: URL, res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const m = jar.get(u.host) ?? new Map<string, string>();
      m.set(pair.slice(0, i), pair.slice(i + 1));
      jar.set(u.host, m);
    }
  };
  let url = new URL(startUrl);
  let init: RequestInit = {};
  const hubCookies: string[] = [];
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers ?? {}), cookie: cookieFor(url) },
    });
    keep(url, res);
    if (url.pathname.startsWith('/api/v1/auth/sso/callback')) {
      hubCookies.push(...res.headers.getSetCookie());
      return { status: res.status, location: res.headers.get('location'), cookies: hubCookies, body: await res.text() };
    }
    const loc = res.headers.get('location');
    if (loc) {
      url = new URL(loc, url);
      init = {};
      continue;
    }
    const html = await res.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!prompt) throw new Error(`unexpected page at ${url}: ${res.status} ${html.slice(0, 200)}`);
    const form = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login: email, password: 'x' } : {}) });
    init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
  }
  throw new Error('too many redirects');
}

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
