import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/users.js';
import { contrast, contrastProblem } from '../../src/brands/colors.js';
import { domainAllowed } from '../../src/brands/domains.js';
import { startDnsServer } from '../helpers/dns.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { type LocalSmtp, startSmtp } from '../helpers/smtp.js';
import { login, PASSWORD } from '../security/tenants.js';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const DEEP_SIGNAL = /deep ?signal/i;
const BRAND = {
  productName: 'Acme Agents',
  primaryColor: '#b45309',
  accentColor: '#0e7490',
  supportEmail: 'help@acme.test',
  mailFromName: 'Acme Agents Team',
  mailFromAddress: 'hello@acme.test',
  invoiceHeader: 'Acme Reseller Ltd\n1 Market Street, Leeds',
  invoiceFooter: 'Thank you for choosing Acme Agents.',
  poweredBy: false,
};

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'brand-pdf-'));
  try {
    writeFileSync(join(dir, 'x.pdf'), pdf);
    return execFileSync('pdftotext', ['-layout', join(dir, 'x.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('brand colour contrast (pure)', () => {
  it('names the failing pair and its ratio', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastProblem('primaryColor', '#b45309')).toBeNull();
    expect(contrastProblem('primaryColor', '#ffeb3b')).toMatch(
      /^primaryColor #ffeb3b against the light background #f8fafc has contrast 1\.\d+:1, below 3:1$/,
    );
    expect(contrastProblem('accentColor', '#1a365d')).toMatch(/against the dark background #0f172a/);
    expect(contrastProblem('accentColor', '#777777')).toBeNull();
    expect(contrastProblem('accentColor', 'teal')).toMatch(/hex colour/);
  });

  it('matches the operator allowlist, wildcards below their domain only', () => {
    const list = '*.partners.test,agents.acme.test';
    expect(domainAllowed('agents.acme.test', list)).toBe(true);
    expect(domainAllowed('x.partners.test', list)).toBe(true);
    expect(domainAllowed('partners.test', list)).toBe(false);
    expect(domainAllowed('evilpartners.test', list)).toBe(false);
    expect(domainAllowed('other.acme.test', list)).toBe(false);
    expect(domainAllowed('agents.acme.test', undefined)).toBe(false);
  });
});

/**
 * White-label end to end against a real hub: a local DNS server (TXT proofs and A records), a
 * local http server for the well-known proof, a local SMTP server for mails, pdftotext for invoices.
 */
describe('partner brands and custom domains', () => {
  let hub: TestHub;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let smtp: LocalSmtp;
  let web: Server;
  let wellKnownBody = '';
  let partnerAdmin: string;
  let otherAdmin: string;
  let viewer: string;
  let clientId: string;
  let now = new Date(Date.UTC(2026, 10, 1));
  const PUBLIC_URL = 'http://hub.operator.test';

  const api = <T = unknown>(method: string, path: string, body?: unknown, token?: string) =>
    hub.api<T>(method, path, body, token);
  const onHost = async <T>(host: string, url: string) => {
    const r = await hub.app.inject({ method: 'GET', url, headers: { host } });
    return { status: r.statusCode, body: r.json() as T, raw: r };
  };
  const upload = (partnerId: string, kind: string, body: Buffer, type: string, token: string) =>
    hub.app.inject({
      method: 'PUT',
      url: `/api/v1/partners/${partnerId}/brand/${kind}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      payload: body,
    });
  const refusals = async () =>
    Number(/ds_brand_refusals_total\{reason="contrast"\} (\d+)/.exec(await hub.ctx.stats.registry.metrics())?.[1] ?? 0);

  beforeAll(async () => {
    dns = await startDnsServer();
    web = createServer((req, res) => {
      if (req.url === '/.well-known/deepsignal-verify' && wellKnownBody) res.end(wellKnownBody);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    smtp = await startSmtp();
    hub = await startTestHub({
      postgres: true,
      dnsServers: dns.server,
      partnerDomains: '*.partners.test,agents.acme.test',
      partnerVerifyHttpPort: (web.address() as AddressInfo).port,
      partnerVerifyAllowPrivate: true,
      mailTransport: smtp.url,
      publicUrl: PUBLIC_URL,
      billingCompanyName: 'Deep Signal GmbH',
    });
    (hub.ctx.billing as NonNullable<typeof hub.ctx.billing>).clock = () => now;
    await hub.db.query("INSERT INTO partners (id, name) VALUES ('ptn_acme', 'Acme'), ('ptn_other', 'Other')");
    const users = [
      ['pa@acme.test', 'partner_admin', 'ptn_acme'],
      ['pv@acme.test', 'partner_viewer', 'ptn_acme'],
      ['pa@other.test', 'partner_admin', 'ptn_other'],
    ] as const;
    for (const [email, role, partner] of users) {
      const u = await createUser(hub.db, { email, password: PASSWORD, role, clientId: null });
      await hub.db.query('UPDATE users SET partner_id = $2 WHERE id = $1', [u.id, partner]);
    }
    partnerAdmin = await login(hub, 'pa@acme.test');
    viewer = await login(hub, 'pv@acme.test');
    otherAdmin = await login(hub, 'pa@other.test');
    clientId = (await api<{ id: string }>('POST', '/clients', { name: 'Bakery', industry: 'food', plan: 'starter' }))
      .body.id;
    await hub.db.query("UPDATE clients SET partner_id = 'ptn_acme' WHERE id = $1", [clientId]);
    expect(
      (
        await api('POST', `/clients/${clientId}/users`, {
          email: 'owner@bakery.test',
          password: PASSWORD,
          role: 'client_owner',
        })
      ).status,
    ).toBe(201);
  }, 300_000);
  afterAll(async () => {
    await hub?.close();
    await smtp?.close();
    await dns?.close();
    await new Promise((r) => web?.close(r));
  });

  it('refuses unreadable colours with the failing pair, and keeps other partners out', async () => {
    const before = await refusals();
    const bad = await api<{ error: { message: string } }>(
      'PUT',
      '/partners/ptn_acme/brand',
      { ...BRAND, primaryColor: '#ffeb3b' },
      partnerAdmin,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/primaryColor #ffeb3b against the light background #f8fafc has contrast/);
    expect(await refusals()).toBe(before + 1);

    expect((await api('PUT', '/partners/ptn_acme/brand', BRAND, otherAdmin)).status).toBe(404);
    expect((await api('GET', '/partners/ptn_acme/brand', undefined, otherAdmin)).status).toBe(404);
    expect((await api('PUT', '/partners/ptn_acme/brand', BRAND, viewer)).status).toBe(404);
    expect((await api('GET', '/partners/nope/brand')).status).toBe(404);

    const ok = await api<{ productName: string; primaryForeground: string }>(
      'PUT',
      '/partners/ptn_acme/brand',
      BRAND,
      partnerAdmin,
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ productName: 'Acme Agents', primaryForeground: '#f8fafc' });
    const read = await api<{ productName: string }>('GET', '/partners/ptn_acme/brand', undefined, viewer);
    expect(read.body.productName).toBe('Acme Agents');
  });

  it('answers 404 to client users and other partners before the body is read, 401 to anonymous callers', async () => {
    const owner = await login(hub, 'owner@bakery.test');
    const calls: [string, string, unknown][] = [
      ['GET', '/partners/ptn_acme/brand', undefined],
      ['PUT', '/partners/ptn_acme/brand', { bogus: true }],
      ['GET', '/partners/ptn_acme/domains', undefined],
      ['POST', '/partners/ptn_acme/domains', { bogus: true }],
      ['POST', '/partners/ptn_acme/domains/not-a-domain/verify', {}],
      ['DELETE', '/partners/ptn_acme/domains/not-a-domain', undefined],
    ];
    for (const [method, path, body] of calls) {
      for (const who of [owner, otherAdmin])
        expect([method, path, (await api(method, path, body, who)).status]).toEqual([method, path, 404]);
      expect((await api(method, path, body, '')).status).toBe(401);
    }
    expect((await upload('ptn_acme', 'logo', PNG, 'image/png', owner)).statusCode).toBe(404);
  });

  it('takes a checked logo and favicon and refuses other bytes', async () => {
    expect((await upload('ptn_acme', 'logo', PNG, 'image/png', partnerAdmin)).statusCode).toBe(200);
    expect((await upload('ptn_acme', 'favicon', PNG, 'image/png', partnerAdmin)).statusCode).toBe(200);
    const svg = await upload(
      'ptn_acme',
      'logo',
      Buffer.from('<svg onload="alert(1)"/>'),
      'image/svg+xml',
      partnerAdmin,
    );
    expect(svg.statusCode).toBe(400);
    expect(svg.json().error.message).toMatch(/logo must be image\/png, image\/jpeg, image\/webp/);
    const big = Buffer.concat([PNG, Buffer.alloc(70 * 1024)]);
    expect((await upload('ptn_acme', 'favicon', big, 'image/png', partnerAdmin)).statusCode).toBe(413);
    expect((await upload('ptn_acme', 'logo', PNG, 'image/png', otherAdmin)).statusCode).toBe(404);
  });

  it('serves the brand only on a domain verified by DNS TXT or the well-known file', async () => {
    const off = await api<{ error: { message: string } }>(
      'POST',
      '/partners/ptn_acme/domains',
      { domain: 'acme.evil.test' },
      partnerAdmin,
    );
    expect(off.status).toBe(422);
    expect(off.body.error.message).toMatch(/not among the domains partners may use/);

    const added = await api<{ domain: string; token: string; txtName: string; status: string }>(
      'POST',
      '/partners/ptn_acme/domains',
      { domain: 'agents.acme.test' },
      partnerAdmin,
    );
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ status: 'pending', txtName: '_deepsignal.agents.acme.test' });
    expect((await api('POST', '/partners/ptn_other/domains', { domain: 'agents.acme.test' }, otherAdmin)).status).toBe(
      409,
    );

    // Pending: the domain shows Deep Signal.
    expect((await onHost<{ productName: string }>('agents.acme.test', '/api/v1/brand')).body.productName).toBe(
      'Deep Signal',
    );
    const early = await api<{ error: { message: string } }>(
      'POST',
      '/partners/ptn_acme/domains/agents.acme.test/verify',
      undefined,
      partnerAdmin,
    );
    expect(early.status).toBe(422);
    expect(early.body.error.message).toMatch(/no TXT record _deepsignal\.agents\.acme\.test.*well-known/);

    dns.zones['_deepsignal.agents.acme.test'] = { TXT: [added.body.token] };
    const verified = await api<{ status: string; verifiedBy: string }>(
      'POST',
      '/partners/ptn_acme/domains/agents.acme.test/verify',
      undefined,
      partnerAdmin,
    );
    expect(verified.body).toMatchObject({ status: 'verified', verifiedBy: 'dns' });

    const branded = await onHost<{ productName: string; primaryColor: string; poweredBy: null; faviconUrl: string }>(
      'Agents.Acme.test:8080',
      '/api/v1/brand',
    );
    expect(branded.body).toMatchObject({
      productName: 'Acme Agents',
      primaryColor: '#b45309',
      poweredBy: null,
      faviconUrl: '/api/v1/brand/favicon',
    });
    expect(JSON.stringify(branded.body)).not.toMatch(DEEP_SIGNAL);
    const icon = await hub.app.inject({ url: '/api/v1/brand/favicon', headers: { host: 'agents.acme.test' } });
    expect(icon.headers['content-type']).toBe('image/png');
    expect(icon.rawPayload.equals(PNG)).toBe(true);
    expect((await hub.app.inject({ url: '/api/v1/brand/favicon', headers: { host: 'other.test' } })).statusCode).toBe(
      404,
    );
    expect((await onHost<{ productName: string }>('hub.operator.test', '/api/v1/brand')).body.productName).toBe(
      'Deep Signal',
    );

    // The well-known file: the name resolves (A record on the local DNS server) to the local web server.
    const second = await api<{ token: string }>(
      'POST',
      '/partners/ptn_acme/domains',
      { domain: 'x.partners.test' },
      partnerAdmin,
    );
    dns.zones['x.partners.test'] = { A: ['127.0.0.1'] };
    wellKnownBody = `${second.body.token}\n`;
    const byHttp = await api<{ status: string; verifiedBy: string }>(
      'POST',
      '/partners/ptn_acme/domains/x.partners.test/verify',
      undefined,
      partnerAdmin,
    );
    expect(byHttp.body).toMatchObject({ status: 'verified', verifiedBy: 'http' });
    const list = await api<{ domain: string; status: string }[]>(
      'GET',
      '/partners/ptn_acme/domains',
      undefined,
      viewer,
    );
    expect(list.body.map((d) => `${d.domain}:${d.status}`)).toEqual([
      'agents.acme.test:verified',
      'x.partners.test:verified',
    ]);
    expect((await api('DELETE', '/partners/ptn_acme/domains/x.partners.test', undefined, otherAdmin)).status).toBe(404);
    expect((await api('DELETE', '/partners/ptn_acme/domains/x.partners.test', undefined, partnerAdmin)).status).toBe(
      204,
    );
    expect((await onHost<{ productName: string }>('x.partners.test', '/api/v1/brand')).body.productName).toBe(
      'Deep Signal',
    );
  });

  it("mails a partner's client in the partner's brand, links on its domain whatever the Host header", async () => {
    const r = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      headers: { host: 'attacker.test', 'x-forwarded-host': 'attacker.test', 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'owner@bakery.test' }),
    });
    expect(r.statusCode).toBe(202);
    const mail = await smtp.waitFor((m) => m.to.includes('owner@bakery.test'), 30_000);
    const p = mail.parsed;
    expect(p.from?.value[0]).toMatchObject({ name: 'Acme Agents Team', address: 'hello@acme.test' });
    expect(p.replyTo?.value[0]?.address).toBe('help@acme.test');
    expect(p.subject).toBe('Reset your Acme Agents password');
    expect(p.text).toMatch(/https:\/\/agents\.acme\.test\/reset-password\/\?token=/);
    expect(p.text).toContain('help@acme.test');
    expect(p.text).not.toContain('attacker');
    expect(mail.raw.toString('utf8')).not.toMatch(DEEP_SIGNAL);

    // The operator's own people still get Deep Signal.
    await api('POST', '/auth/password-reset', { email: 'admin@test.local' }, '');
    const own = await smtp.waitFor((m) => m.to.includes('admin@test.local'), 30_000);
    expect(own.parsed.subject).toBe('Reset your Deep Signal password');
    expect(own.parsed.text).toContain(`${PUBLIC_URL}/reset-password/`);
  });

  it("prints the partner's name, header, footer and logo on its client's invoice PDF, powered-by only when on", async () => {
    expect((await api('PATCH', `/clients/${clientId}`, { status: 'active' })).status).toBe(200);
    await api('PUT', `/clients/${clientId}/billing`, { billingEmail: 'ap@bakery.test', country: 'DE' });
    now = new Date(Date.UTC(2026, 11, 1, 6));
    const inv = await api<{ id: string; number: string }>('POST', `/clients/${clientId}/invoices`, {
      period: '2026-11',
    });
    expect(inv.status).toBe(201);

    const mail = await smtp.waitFor((m) => m.to.includes('ap@bakery.test'), 30_000);
    expect(mail.parsed.from?.value[0]?.name).toBe('Acme Agents Team');
    expect(`${mail.parsed.subject}\n${mail.parsed.text}`).not.toMatch(DEEP_SIGNAL);
    const attached = mail.parsed.attachments[0]?.content as Buffer;
    const mailed = pdfText(attached);
    expect(mailed).toContain('Acme Agents');
    expect(mailed).not.toMatch(DEEP_SIGNAL);

    const res = await hub.app.inject({
      url: `/api/v1/invoices/${inv.body.id}/pdf`,
      headers: { authorization: `Bearer ${hub.token}` },
    });
    const pdf = res.rawPayload;
    expect(pdf.includes(Buffer.from('/Subtype /Image'))).toBe(true); // the logo
    const text = pdfText(pdf);
    expect(text).toContain('Acme Agents');
    expect(text).toContain('Acme Reseller Ltd');
    expect(text).toContain('1 Market Street, Leeds');
    expect(text).toContain('Thank you for choosing Acme Agents.');
    expect(text).toContain(inv.body.number);
    expect(text).not.toMatch(DEEP_SIGNAL);
    expect(pdf.toString('latin1')).not.toMatch(DEEP_SIGNAL);

    await api('PUT', '/partners/ptn_acme/brand', { ...BRAND, poweredBy: true }, partnerAdmin);
    const again = await hub.app.inject({
      url: `/api/v1/invoices/${inv.body.id}/pdf`,
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect(pdfText(again.rawPayload)).toContain('Powered by Deep Signal');
    expect((await onHost<{ poweredBy: string }>('agents.acme.test', '/api/v1/brand')).body.poweredBy).toBe(
      'Powered by Deep Signal',
    );
    await api('PUT', '/partners/ptn_acme/brand', BRAND, partnerAdmin);
  });

  it("names the product the client bought in the support agent's automatic reply and in onboarding's refusals", async () => {
    expect((await api('PUT', '/support/settings/categories/billing', { autoReply: true })).status).toBe(200);
    const own = (await api<{ id: string }>('POST', '/clients', { name: 'Own shop', industry: 'x', plan: 'starter' }))
      .body.id;
    await api('POST', `/clients/${own}/users`, { email: 'owner@own.test', password: PASSWORD, role: 'client_owner' });
    const autoReply = async (email: string) => {
      const token = await login(hub, email);
      const t = await api<{ id: string }>('POST', '/tickets', { subject: 'Invoice', body: 'Where is it?' }, token);
      expect(t.status).toBe(201);
      const r = await api<{ autoReplied: boolean; entry: { body: string } | null }>(
        'POST',
        `/tickets/${t.body.id}/triage`,
        { note: 'billing question', category: 'billing', autoReply: 'Invoices are under Settings > Billing.' },
      );
      expect(r.status).toBe(200);
      expect(r.body.autoReplied).toBe(true);
      return r.body.entry?.body ?? '';
    };
    const partners = await autoReply('owner@bakery.test');
    expect(partners).toContain('This is an automatic reply from the Acme Agents support agent.');
    expect(partners).not.toMatch(DEEP_SIGNAL);
    expect(await autoReply('owner@own.test')).toContain('automatic reply from the Deep Signal support agent');

    // Onboarding's refusals name it too.
    const drive = await api<{ error: { message: string } }>(
      'POST',
      '/onboarding/test-drive',
      { message: 'hello' },
      await login(hub, 'owner@bakery.test'),
    );
    expect(drive.status).toBe(409);
    expect(drive.body.error.message).toBe('your agent is not online yet: its server has not connected to Acme Agents');
  });
});
