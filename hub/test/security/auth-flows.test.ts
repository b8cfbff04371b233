import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestHub, type TestHub } from '../helpers/hub.js';
import { startMailSink } from './mail-sink.js';
import { login, makeTenant, PASSWORD, type Tenant } from './tenants.js';

/** Lockout, rate limits, password reset and invitations, CSRF, headers, CORS, size limits, IP allowlists. */
describe('auth flows and web protections', () => {
  let hub: TestHub;
  let sink: Awaited<ReturnType<typeof startMailSink>>;
  let a: Tenant;
  const raw = (path: string, init: RequestInit = {}) => fetch(`${hub.httpUrl}/api/v1${path}`, init);
  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  beforeAll(async () => {
    sink = await startMailSink();
    hub = await startTestHub({ mailTransport: sink.url, trustProxy: true, publicUrl: 'https://hub.example.test' });
    a = await makeTenant(hub, 'alpha');
  });
  afterAll(async () => {
    await hub?.close();
    await sink?.close();
  });

  it('locks an account after 5 failed logins, even for the right password, and audits it', async () => {
    const email = 'client_viewer@alpha.test';
    for (let i = 0; i < 5; i++)
      expect((await hub.api('POST', '/auth/login', { email, password: 'wrong' }, '')).status).toBe(401);
    const locked = await hub.api<{ error: { code: string } }>('POST', '/auth/login', { email, password: PASSWORD }, '');
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('HUB_ERR_LOCKED');
    const actions = (
      await hub.db.query<{ action: string }>('SELECT action FROM audit_log WHERE target = $1', [email])
    ).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.login_failed', 'auth.lockout', 'auth.login_locked']));
    // An admin (or the client's owner) lifts it.
    expect((await hub.api('POST', `/users/${a.viewerId}/unlock`, undefined, a.owner)).status).toBe(204);
    expect((await hub.api('POST', '/auth/login', { email, password: PASSWORD }, '')).status).toBe(200);
    const ok = await hub.db.query("SELECT 1 FROM audit_log WHERE action = 'auth.login' AND target = $1", [a.viewerId]);
    expect(ok.length).toBeGreaterThan(0);
  });

  it('resets a password through a one-time link sent by the mail transport', async () => {
    const before = await login(hub, 'client_owner@alpha.test');
    expect((await hub.api('POST', '/auth/password-reset', { email: 'client_owner@alpha.test' }, '')).status).toBe(202);
    expect((await hub.api('POST', '/auth/password-reset', { email: 'nobody@alpha.test' }, '')).status).toBe(202);
    const mail = sink.mails.find((m) => m.to === 'client_owner@alpha.test');
    expect(sink.mails).toHaveLength(1);
    const link = /https:\/\/hub\.example\.test\/reset-password\/\?token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '');
    expect(link).not.toBeNull();
    const token = link?.[1] as string;
    expect(
      (await hub.api('POST', '/auth/password-reset/confirm', { token, password: 'a-new-password-1' }, '')).status,
    ).toBe(204);
    expect(
      (await hub.api('POST', '/auth/password-reset/confirm', { token, password: 'another-one-22' }, '')).status,
    ).toBe(400);
    expect((await hub.api('GET', '/auth/me', undefined, before)).status).toBe(401);
    expect(
      (await hub.api('POST', '/auth/login', { email: 'client_owner@alpha.test', password: PASSWORD }, '')).status,
    ).toBe(401);
    a.owner = await login(hub, 'client_owner@alpha.test', 'a-new-password-1');
  });

  it('invites a user without a password: the link lets them choose one', async () => {
    const r = await hub.api<{ id: string }>('POST', `/clients/${a.client}/users`, {
      email: 'new@alpha.test',
      role: 'client_viewer',
    });
    expect(r.status).toBe(201);
    const mail = sink.mails.find((m) => m.to === 'new@alpha.test');
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1] as string;
    expect(
      (await hub.api('POST', '/auth/password-reset/confirm', { token, password: 'chosen-password-1' }, '')).status,
    ).toBe(204);
    expect(await login(hub, 'new@alpha.test', 'chosen-password-1')).toMatch(/^dst_/);
  });

  it('rate-limits password-reset requests per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push((await hub.api('POST', '/auth/password-reset', { email: 'x@y.test' }, '')).status);
    expect(codes).toContain(429);
  });

  it('sets httpOnly SameSite cookies, Secure behind HTTPS, and needs the CSRF header with them', async () => {
    const res = await raw(
      '/auth/login',
      json({ email: 'client_owner@alpha.test', password: 'a-new-password-1' }, { 'x-forwarded-proto': 'https' }),
    );
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Secure/);
    const plain = await raw('/auth/login', json({ email: 'client_owner@alpha.test', password: 'a-new-password-1' }));
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    const cookie = setCookie.split(';')[0];
    const body = { type: 'ping', params: {} };
    const noHeader = await raw(`/instances/${a.inst}/commands`, json(body, { cookie }));
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { error: { code: string } }).error.code).toBe('HUB_ERR_CSRF');
    const crossSite = await raw(
      `/instances/${a.inst}/commands`,
      json(body, { cookie, 'x-ds-csrf': '1', origin: 'https://evil.test' }),
    );
    expect(crossSite.status).toBe(403);
    expect((await raw(`/instances/${a.inst}/commands`, json(body, { cookie, 'x-ds-csrf': '1' }))).status).toBe(202);
    // Reads with the cookie need nothing extra; bearer calls never need the header.
    expect((await raw('/auth/me', { headers: { cookie } })).status).toBe(200);
  });

  it('sends security headers, keeps CORS closed and limits request size', async () => {
    const r = await raw('/auth/me', { headers: { authorization: `Bearer ${a.owner}`, origin: 'https://evil.test' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await raw('/clients', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const big = await raw(
      '/clients',
      json({ name: 'x'.repeat(2 * 1024 * 1024) }, { authorization: `Bearer ${hub.token}` }),
    );
    expect(big.status).toBe(413);
    const bigSecret = await hub.api('PUT', `/clients/${a.client}/secrets/k`, { value: 'x'.repeat(20_000) });
    expect(bigSecret.status).toBe(413);
  });

  it('keeps /metrics for operators: client users get 403', async () => {
    const m = (headers: Record<string, string>) => fetch(`${hub.httpUrl}/metrics`, { headers });
    expect((await m({ authorization: `Bearer ${a.owner}` })).status).toBe(403);
    expect((await m({ authorization: `Bearer ${hub.token}` })).status).toBe(200);
    expect((await m({})).status).toBe(200); // loopback scraper
    expect((await m({ 'x-forwarded-for': '198.51.100.7' })).status).toBe(401);
  });

  it('enforces client and admin IP allowlists', async () => {
    const viaIp = (ip: string, token: string) =>
      raw('/instances', { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip } }).then((r) => r.status);
    // The owner cannot lock themselves out...
    expect(
      (await hub.api('PUT', `/clients/${a.client}/settings`, { ipAllowlist: ['10.0.0.0/8'] }, a.owner)).status,
    ).toBe(400);
    // ...the admin sets it for them.
    expect(
      (await hub.api('PUT', `/clients/${a.client}/settings`, { ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'] })).status,
    ).toBe(200);
    expect(await viaIp('10.1.2.3', a.owner)).toBe(200);
    expect(await viaIp('2001:db8::5', a.owner)).toBe(200);
    expect(await viaIp('192.0.2.1', a.owner)).toBe(403);
    expect(await viaIp('192.0.2.1', hub.token)).toBe(200); // the admin is not under the client's list
    const loginFrom = (ip: string) =>
      raw(
        '/auth/login',
        json({ email: 'client_owner@alpha.test', password: 'a-new-password-1' }, { 'x-forwarded-for': ip }),
      );
    expect((await loginFrom('192.0.2.1')).status).toBe(403);
    expect((await loginFrom('10.9.9.9')).status).toBe(200);
    expect((await hub.api('PUT', '/clients/' + a.client + '/settings', { ipAllowlist: ['not-an-ip'] })).status).toBe(
      400,
    );

    // Admin side: refused if it would lock out the caller; then enforced for admin callers.
    expect((await hub.api('PUT', '/security/admin-allowlist', { ipAllowlist: ['10.0.0.0/8'] })).status).toBe(400);
    const set = await raw('/security/admin-allowlist', {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${hub.token}`,
        'x-forwarded-for': '10.0.0.1',
      },
      body: JSON.stringify({ ipAllowlist: ['10.0.0.0/8'] }),
    });
    expect(set.status).toBe(200);
    expect(await viaIp('10.0.0.1', hub.token)).toBe(200);
    expect(await viaIp('192.0.2.1', hub.token)).toBe(403);
    const adminLogin = await raw('/auth/login', json(ADMIN, { 'x-forwarded-for': '192.0.2.1' }));
    expect(adminLogin.status).toBe(403);
    // The live stream applies the client's list too.
    const { io } = await import('socket.io-client');
    const live = (ip: string) =>
      new Promise<string>((res) => {
        const sock = io(hub.httpUrl, {
          auth: { token: a.owner },
          transports: ['websocket'],
          reconnection: false,
          extraHeaders: { 'x-forwarded-for': ip },
        });
        sock.on('connect', () => {
          sock.close();
          res('ok');
        });
        sock.on('connect_error', (e) => {
          sock.close();
          res(e.message);
        });
      });
    expect(await live('10.1.2.3')).toBe('ok');
    expect(await live('192.0.2.1')).toBe('forbidden');
  });
});
