import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedAuthorizationEndpoint } from '../../src/routes/sso/oidc.js';
import { guardedFetch, type OutboundPolicy, publicAddresses } from '../../src/security/outbound.js';
import { nonPublicReason as nonPublicKind } from '../../src/security/public-address.js';
import { startDnsServer } from '../helpers/dns.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makeTenant, type Tenant } from './tenants.js';

const PUBLIC = '93.184.216.34';
const message = (b: unknown) => (b as { error: { message: string } }).error.message;
const staticResolve =
  (answers: Record<string, string[]>): OutboundPolicy['resolve'] =>
  async (host) => {
    const a = answers[host];
    if (!a) throw new Error('ENOTFOUND');
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('which addresses count as public', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.5', 'private (RFC 1918)'],
    ['172.16.4.4', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['100.64.0.1', 'carrier-grade NAT (100.64/10)'],
    ['100.127.255.254', 'carrier-grade NAT (100.64/10)'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique-local (fc00::/7)'],
    ['fd12:3456::1', 'unique-local (fc00::/7)'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::10.0.0.1', 'private (RFC 1918)'],
    ['64:ff9b::7f00:1', 'loopback'],
  ])('%s is %s', (address, kind) => {
    expect(nonPublicKind(address)).toBe(kind);
  });
  it.each([PUBLIC, '8.8.8.8', '100.128.0.1', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is public',
    (address) => {
      expect(nonPublicKind(address)).toBeNull();
    },
  );

  it('refuses a name when any of its addresses is not public, and names the address', async () => {
    const p = { allowInsecure: false, resolve: staticResolve({ 'mixed.test': [PUBLIC, '10.9.9.9'] }) };
    await expect(publicAddresses('mixed.test', p)).rejects.toThrow('mixed.test resolves to 10.9.9.9, a private');
    await expect(publicAddresses('nowhere.test', p)).rejects.toThrow(/does not resolve/);
  });
});

describe('guarded fetch: the connection goes only to an address that passed the check', () => {
  it('checks the name again when connecting, so a rebinding answer never gets a connection', async () => {
    let connections = 0;
    const server = createTcpServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    let calls = 0;
    // First answer (the URL check) public, then loopback (the connection): a DNS rebinding.
    const resolve: OutboundPolicy['resolve'] = async () => [
      { address: calls++ === 0 ? PUBLIC : '127.0.0.1', family: 4 },
    ];
    const f = guardedFetch({ allowInsecure: false, resolve });
    const err = await f(`https://rebind.test:${port}/.well-known/openid-configuration`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const cause = String(((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
    expect(cause).toMatch(/127\.0\.0\.1, a loopback/);
    expect(calls).toBe(2);
    expect(connections).toBe(0);
    await expect(f('http://example.test/')).rejects.toThrow(/not an https URL/);
    await expect(f(`https://127.0.0.1:${port}/`)).rejects.toThrow(/127\.0\.0\.1 is a loopback address/);
    expect(connections).toBe(0);
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('checks the authorization endpoint: https, the issuer origin or a listed one, a public address', async () => {
    const p = {
      allowInsecure: false,
      resolve: staticResolve({
        'idp.test': [PUBLIC],
        'login.partner.test': [PUBLIC],
        'inside.partner.test': ['10.0.0.8'],
      }),
    };
    const issuer = new URL('https://idp.test');
    const partners = ['https://login.partner.test', 'https://inside.partner.test'];
    await expect(checkedAuthorizationEndpoint(issuer, 'https://idp.test/authorize', [], p)).resolves.toBeInstanceOf(
      URL,
    );
    await expect(checkedAuthorizationEndpoint(issuer, 'http://idp.test/authorize', [], p)).rejects.toThrow(
      /not on the issuer's origin/,
    );
    await expect(checkedAuthorizationEndpoint(issuer, 'https://evil.test/authorize', [], p)).rejects.toThrow(
      /not on the issuer's origin/,
    );
    await expect(checkedAuthorizationEndpoint(issuer, undefined, [], p)).rejects.toThrow(/no authorization_endpoint/);
    await expect(
      checkedAuthorizationEndpoint(issuer, 'https://login.partner.test/oauth2/authorize', partners, p),
    ).resolves.toBeInstanceOf(URL);
    await expect(checkedAuthorizationEndpoint(issuer, 'https://inside.partner.test/a', partners, p)).rejects.toThrow(
      /resolves to 10\.0\.0\.8, a private/,
    );
  });
});

describe('the hub refuses SSO issuers that are not public https hosts', () => {
  let hub: TestHub;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let t: Tenant;
  let rebinds = 0;

  beforeAll(async () => {
    dns = await startDnsServer({
      'idp.public.test': { A: [PUBLIC] },
      'idp.internal.test': { A: ['192.168.10.20'] },
      'rebind.test': { A: () => (rebinds++ === 0 ? [PUBLIC] : ['127.0.0.1']) },
    });
    hub = await startTestHub({ dnsServers: dns.server });
    t = await makeTenant(hub, 'strict');
  });
  afterAll(async () => {
    await hub?.close();
    await dns?.close();
  });
  const put = (issuer: string) =>
    hub.api('PUT', `/clients/${t.client}/sso`, { issuer, clientId: 'x', allowedDomain: 'strict.test' }, t.owner);

  it.each([
    ['http://idp.public.test', /is not an https URL/],
    ['https://127.0.0.1', /127\.0\.0\.1 is a loopback address/],
    ['https://[::1]:8443', /is a loopback address/],
    ['https://[::ffff:127.0.0.1]', /is a loopback address/],
    ['https://10.1.2.3', /private \(RFC 1918\)/],
    ['https://100.64.7.7', /carrier-grade NAT/],
    ['https://169.254.169.254/latest', /cloud metadata/],
    ['https://[fd00::1]', /unique-local/],
    ['https://0.0.0.0', /unspecified/],
    ['https://239.1.1.1', /multicast/],
    ['https://idp.internal.test', /idp\.internal\.test resolves to 192\.168\.10\.20, a private/],
    ['https://nowhere.test', /does not resolve/],
    ['https://user:pw@idp.public.test', /user name or password/],
  ])('%s is refused', async (issuer, why) => {
    const r = await put(issuer);
    expect(r.status).toBe(400);
    expect(message(r.body)).toMatch(why);
  });

  it('takes a public https issuer, and re-checks the name on every fetch (no rebinding to loopback)', async () => {
    let connections = 0;
    const trap = createTcpServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
    const port = (trap.address() as { port: number }).port;
    expect((await put('https://idp.public.test')).status).toBe(200);
    expect((await put(`https://rebind.test:${port}`)).status).toBe(200);
    expect((await hub.api('POST', `/clients/${t.client}/sso/domains/strict.test/approve`)).status).toBe(200);
    const start = await fetch(`${hub.httpUrl}/api/v1/auth/sso/${t.client}/start`, { redirect: 'manual' });
    expect(start.status).toBe(502);
    expect(start.headers.get('location')).toBeNull();
    expect(message(await start.json())).toMatch(/rebind\.test resolves to 127\.0\.0\.1, a loopback address/);
    expect(connections).toBe(0);
    await new Promise<void>((r) => trap.close(() => r()));
  });
});

describe('the SSO start route redirects only to the checked authorization endpoint', () => {
  let hub: TestHub;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let t: Tenant;
  let issuer = '';
  let authorizationEndpoint = '';
  const idp = createHttpServer((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') return res.writeHead(404).end();
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        issuer,
        authorization_endpoint: authorizationEndpoint,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }),
    );
  });

  beforeAll(async () => {
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', () => r()));
    issuer = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;
    dns = await startDnsServer({ 'login.partner.test': { A: [PUBLIC] } });
    hub = await startTestHub({
      ssoAllowInsecureIssuers: true,
      ssoAuthorizationOrigins: 'https://login.partner.test',
      dnsServers: dns.server,
    });
    t = await makeTenant(hub, 'redir');
    const cfg = await hub.api(
      'PUT',
      `/clients/${t.client}/sso`,
      { issuer, clientId: 'hub', allowedDomain: 'redir.test' },
      t.owner,
    );
    expect(cfg.status).toBe(200);
    expect((await hub.api('POST', `/clients/${t.client}/sso/domains/redir.test/approve`)).status).toBe(200);
  });
  afterAll(async () => {
    await hub?.close();
    await dns?.close();
    await new Promise<void>((r) => idp.close(() => r()));
  });
  const start = () => fetch(`${hub.httpUrl}/api/v1/auth/sso/start?email=someone%40redir.test`, { redirect: 'manual' });

  it.each([
    ['another host', () => 'https://evil.test/authorize', /not on the issuer's origin/],
    ['another port of the same host', () => 'http://127.0.0.1:1/authorize', /not on the issuer's origin/],
    ['a javascript: URL', () => 'javascript:alert(1)', /not on the issuer's origin/],
    ['nothing', () => '', /no authorization_endpoint/],
  ])('refuses a discovery document whose authorization_endpoint is %s', async (_what, endpoint, why) => {
    authorizationEndpoint = endpoint();
    const r = await start();
    expect(r.status).toBe(502);
    expect(r.headers.get('location')).toBeNull();
    expect(message(await r.json())).toMatch(why);
  });

  it("sends the browser to the issuer's own endpoint, or to an origin DS_SSO_AUTHORIZATION_ORIGINS lists", async () => {
    authorizationEndpoint = 'https://login.partner.test/oauth2/authorize';
    const partner = await start();
    expect(partner.status).toBe(302);
    const to = new URL(partner.headers.get('location') as string);
    expect(`${to.origin}${to.pathname}`).toBe('https://login.partner.test/oauth2/authorize');
    expect(to.searchParams.get('redirect_uri')).toBe(`${hub.httpUrl}/api/v1/auth/sso/callback`);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    // A changed configuration is read anew (PUT forgets the cached discovery).
    authorizationEndpoint = `${issuer}/auth`;
    await hub.api('PUT', `/clients/${t.client}/sso`, { issuer, clientId: 'hub', allowedDomain: 'redir.test' }, t.owner);
    const own = await start();
    expect(own.status).toBe(302);
    expect(own.headers.get('location')?.startsWith(`${issuer}/auth?`)).toBe(true);
  });
});
