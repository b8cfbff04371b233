import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { clientIp } from '../../src/security/proxy.js';
import { newId } from '../../src/util/ids.js';
import { ADMIN, startTestHub, type TestHub } from '../helpers/hub.js';
import { startMailSink } from './mail-sink.js';
import { login, makeTenant, PASSWORD, serviceToken, type Tenant } from './tenants.js';

/** A raw HTTP call, so Host and other headers fetch() will not send can be set. */
function rawHttp(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(base);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((res, rej) => {
    const r = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        headers: {
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          ...headers,
        },
      },
      (m) => {
        let text = '';
        m.on('data', (c) => {
          text += c;
        });
        m.on('end', () => res({ status: m.statusCode ?? 0, body: text, headers: m.headers }));
      },
    );
    r.on('error', rej);
    r.end(data);
  });
}

describe('settings and address rules', () => {
  it('DS_TRUST_PROXY: true is one hop, numbers are hops, lists are proxy addresses', () => {
    expect(parseConfig({ trustProxy: 'true' }).trustProxy).toBe(1);
    expect(parseConfig({ trustProxy: true }).trustProxy).toBe(1);
    expect(parseConfig({ trustProxy: 'false' }).trustProxy).toBe(false);
    expect(parseConfig({ trustProxy: '2' }).trustProxy).toBe(2);
    expect(parseConfig({ trustProxy: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => parseConfig({ trustProxy: 'everything' })).toThrow(ConfigError);
  });

  it('takes the client address from the right of X-Forwarded-For, never what a client prepended', () => {
    const chain = '10.0.0.1, 192.0.2.9';
    expect(clientIp('127.0.0.1', chain, false)).toBe('127.0.0.1');
    expect(clientIp('127.0.0.1', chain, 1)).toBe('192.0.2.9');
    expect(clientIp('127.0.0.1', chain, 2)).toBe('10.0.0.1');
    expect(clientIp('127.0.0.1', chain, ['127.0.0.1'])).toBe('192.0.2.9');
    expect(clientIp('127.0.0.1', '10.0.0.1, 172.16.0.2', ['127.0.0.1', '172.16.0.0/12'])).toBe('10.0.0.1');
    // A peer that is not a listed proxy: its header is not read at all.
    expect(clientIp('198.51.100.1', chain, ['127.0.0.1'])).toBe('198.51.100.1');
  });
});

describe('hardening behind a proxy (one trusted hop)', () => {
  let hub: TestHub;
  let sink: Awaited<ReturnType<typeof startMailSink>>;
  let a: Tenant;

  beforeAll(async () => {
    sink = await startMailSink();
    // No DS_PUBLIC_URL: links must use the hub's own address.
    hub = await startTestHub({
      mailTransport: sink.url,
      trustProxy: true,
      adminIpAllowlist: '10.0.0.0/8,127.0.0.1',
    });
    a = await makeTenant(hub, 'harden');
  }, 180_000);
  afterAll(async () => {
    await hub?.close();
    await sink?.close();
  });

  it('builds reset and invitation links from the hub address, never from Host or X-Forwarded-Host', async () => {
    const evil = { host: 'attacker.example', 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'https' };
    const r = await rawHttp(hub.httpUrl, 'POST', '/api/v1/auth/password-reset', evil, { email: ADMIN.email });
    expect(r.status).toBe(202);
    const inv = await rawHttp(
      hub.httpUrl,
      'POST',
      `/api/v1/clients/${a.client}/users`,
      { ...evil, authorization: `Bearer ${hub.token}` },
      { email: 'invited@harden.test', role: 'client_viewer' },
    );
    expect(inv.status).toBe(201);
    const mails = sink.mails.filter((m) => m.to === ADMIN.email || m.to === 'invited@harden.test');
    expect(mails).toHaveLength(2);
    for (const m of mails) {
      expect(m.text).not.toContain('attacker.example');
      expect(m.text).toContain(`${hub.httpUrl}/reset-password/?token=`);
    }
  });

  it('refuses a spoofed X-Forwarded-For chain against the admin allowlist', async () => {
    const loginVia = (xff: string) =>
      rawHttp(hub.httpUrl, 'POST', '/api/v1/auth/login', { 'x-forwarded-for': xff }, ADMIN).then((r) => r.status);
    // The proxy appends the real peer (192.0.2.9); what the client wrote before it is not believed.
    expect(await loginVia('10.0.0.1, 192.0.2.9')).toBe(403);
    expect(await loginVia('10.0.0.1,192.0.2.9')).toBe(403);
    expect(await loginVia('192.0.2.9, 10.0.0.1')).toBe(200);
    const call = (xff: string) =>
      rawHttp(hub.httpUrl, 'GET', '/api/v1/instances', {
        authorization: `Bearer ${hub.token}`,
        'x-forwarded-for': xff,
      }).then((r) => r.status);
    expect(await call('10.0.0.1, 192.0.2.9')).toBe(403);
    expect(await call('10.0.0.7')).toBe(200);
  });

  it('keeps the login rate limit when the client rotates X-Forwarded-For entries', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 34; i++) {
      const r = await rawHttp(
        hub.httpUrl,
        'POST',
        '/api/v1/auth/login',
        { 'x-forwarded-for': `203.0.113.${i}, 198.51.100.77` },
        { email: `nobody${i}@harden.test`, password: 'x' },
      );
      codes.push(r.status === 429 ? (JSON.parse(r.body) as { error: { code: string } }).error.code : String(r.status));
    }
    expect(codes.slice(0, 30).every((c) => c === '401')).toBe(true);
    expect(codes.slice(30)).toEqual(Array(4).fill('HUB_ERR_RATE_LIMITED'));
  });

  it('guards /metrics on the route: encoded, trailing-slash and case variants leak nothing', async () => {
    const outside = { 'x-forwarded-for': '198.51.100.8' };
    const variants = ['/metrics', '/%6detrics', '/%6D%65trics', '/metrics/', '/METRICS', '/Metrics', '/metrics?x=1'];
    for (const path of variants) {
      for (const headers of [
        outside,
        { ...outside, authorization: `Bearer ${a.owner}` },
        { ...outside, authorization: `Bearer ${a.viewer}` },
      ]) {
        const r = await rawHttp(hub.httpUrl, 'GET', path, headers);
        expect(r.status, `${path} ${Object.keys(headers)}`).not.toBe(200);
        expect(r.body, path).not.toContain('ds_');
      }
    }
    expect((await rawHttp(hub.httpUrl, 'GET', '/%6detrics', outside)).status).toBe(401);
    expect(
      (await rawHttp(hub.httpUrl, 'GET', '/%6detrics', { ...outside, authorization: `Bearer ${a.owner}` })).status,
    ).toBe(403);
    // The operator still reads it, and so does a loopback scraper.
    const op = await rawHttp(hub.httpUrl, 'GET', '/%6detrics', {
      authorization: `Bearer ${hub.token}`,
      'x-forwarded-for': '10.0.0.3',
    });
    expect(op.status).toBe(200);
    expect(op.body).toContain('ds_');
    expect((await rawHttp(hub.httpUrl, 'GET', '/metrics', {})).status).toBe(200);
    // The API prefix encoded is the API all the same: anonymous callers get 401.
    expect((await rawHttp(hub.httpUrl, 'GET', '/%61pi/v1/clients', outside)).status).toBe(401);
    expect(
      (await rawHttp(hub.httpUrl, 'GET', `/%61pi/v1/instances`, { ...outside, authorization: `Bearer ${hub.token}` }))
        .status,
    ).toBe(403);
  });

  it('lets only admins read console recordings', async () => {
    const sid = newId('con');
    const dir = join(hub.config.dataDir, 'recordings');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${sid}.cast`);
    writeFileSync(file, '{"version":2,"width":80,"height":24}\n[0.1,"o","root# cat /etc/shadow\\r\\n"]\n');
    await hub.db.query(
      `INSERT INTO console_sessions (id, instance_id, client_id, user_id, status, cols, rows, recording)
       VALUES ($1,$2,$3,$4,'closed',80,24,$5)`,
      [sid, a.inst, a.client, 'usr-x', file],
    );
    const path = `/instances/${a.inst}/console/${sid}/recording`;
    expect(
      (await hub.api('POST', '/users', { email: 'help@harden.test', password: PASSWORD, role: 'support' })).status,
    ).toBe(201);
    const support = await login(hub, 'help@harden.test');
    const reader = await serviceToken(hub, 'reader', ['read']);
    const status = async (token: string) =>
      (await fetch(`${hub.httpUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await status(support)).toBe(403);
    expect(await status(reader.token)).toBe(403);
    expect(await status(a.owner)).toBe(404);
    const admin = await fetch(`${hub.httpUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${hub.token}` } });
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('cat /etc/shadow');
  });

  it('answers a cookie POST with Origin: null with 403, not 500', async () => {
    const res = await fetch(`${hub.httpUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'client_owner@harden.test', password: PASSWORD }),
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    for (const origin of ['null', 'not a url', 'https://evil.test']) {
      const r = await rawHttp(
        hub.httpUrl,
        'POST',
        `/api/v1/instances/${a.inst}/commands`,
        { cookie, 'x-ds-csrf': '1', origin },
        { type: 'ping', params: {} },
      );
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe('HUB_ERR_CSRF');
    }
  });

  it('locks an account per source: guessing from one address does not lock the owner out elsewhere', async () => {
    const email = 'client_viewer@harden.test';
    const from = (ip: string, password: string) =>
      rawHttp(hub.httpUrl, 'POST', '/api/v1/auth/login', { 'x-forwarded-for': ip }, { email, password }).then(
        (r) => r.status,
      );
    for (let i = 0; i < 5; i++) expect(await from('198.51.100.20', 'wrong')).toBe(401);
    expect(await from('198.51.100.20', PASSWORD)).toBe(429);
    // The rightful owner, from their own address, still gets in.
    expect(await from('198.51.100.21', PASSWORD)).toBe(200);
    expect(await from('198.51.100.20', PASSWORD)).toBe(429);

    // Guessing spread over many addresses locks the account everywhere; a reset link lifts it.
    const owner = 'client_owner@harden.test';
    const ownerFrom = (ip: string, password: string) =>
      rawHttp(hub.httpUrl, 'POST', '/api/v1/auth/login', { 'x-forwarded-for': ip }, { email: owner, password }).then(
        (r) => r.status,
      );
    for (let i = 0; i < 25; i++) await ownerFrom(`198.18.${i}.1`, 'wrong');
    expect(await ownerFrom('198.51.100.30', PASSWORD)).toBe(429);
    expect((await hub.api('POST', '/auth/password-reset', { email: owner }, '')).status).toBe(202);
    const token = /token=([A-Za-z0-9_-]+)/.exec(sink.mails.filter((m) => m.to === owner).at(-1)?.text ?? '')?.[1];
    expect(token).toBeTruthy();
    expect(
      (await hub.api('POST', '/auth/password-reset/confirm', { token, password: 'new-password-123' }, '')).status,
    ).toBe(204);
    expect(await ownerFrom('198.51.100.30', 'new-password-123')).toBe(200);
  });
});

describe('API documentation setting', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ apiDocs: false });
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
  });

  it('does not serve /docs when turned off (the default in production)', async () => {
    for (const path of ['/docs/json', '/docs', '/docs/yaml'])
      expect((await fetch(`${hub.httpUrl}${path}`)).status, path).toBe(404);
    expect((await fetch(`${hub.httpUrl}/healthz`)).status).toBe(200);
  });
});
