import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceLines, segmentsOf } from '../../src/billing/invoice-math.js';
import { meterMessages } from '../../src/billing/meter.js';
import { DEFAULT_PLANS } from '../../src/billing/plans.js';
import { taxCents, taxFor } from '../../src/billing/tax.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makeTenant } from '../security/tenants.js';

type Invoice = {
  id: string;
  number: string;
  period: string;
  status: string;
  currency: string;
  lines: { description: string; quantity: number; unitPrice: number; amount: number }[];
  subtotal: number;
  tax: number;
  total: number;
  taxNote: string | null;
  dueAt: string;
};

/** pdftotext (poppler-utils) must be here: with CI set a missing tool fails the test, not skips it. */
function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'inv-pdf-'));
  try {
    writeFileSync(join(dir, 'x.pdf'), pdf);
    return execFileSync('pdftotext', ['-layout', join(dir, 'x.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('invoice arithmetic (pure)', () => {
  const plans = (id: string) => DEFAULT_PLANS.find((p) => p.id === id) ?? DEFAULT_PLANS[0];

  it('prorates a mid-month plan change by time and rounds overage to cents', () => {
    const segs = segmentsOf(
      '2026-11',
      { plan: 'starter', status: 'active' },
      [{ at: new Date(Date.UTC(2026, 10, 16)), toPlan: 'growth', toStatus: 'active' }],
      plans,
    );
    const lines = invoiceLines('2026-11', segs, 25_003);
    expect(lines.map((l) => l.amount)).toEqual([2450, 9950, 3]); // 15/30 of 49.00, 15/30 of 199.00, 3 × 0.9 ct
    expect(lines[0].description).toContain('1 Nov – 15 Nov (15 of 30 days)');
    expect(lines[2]).toMatchObject({ quantity: 3, unitPrice: 0.9 });
  });

  it('bills nothing for onboarding or churned time', () => {
    const segs = segmentsOf(
      '2026-11',
      { plan: 'growth', status: 'onboarding' },
      [
        { at: new Date(Date.UTC(2026, 10, 11)), toPlan: null, toStatus: 'active' },
        { at: new Date(Date.UTC(2026, 10, 21)), toPlan: null, toStatus: 'churned' },
      ],
      plans,
    );
    expect(invoiceLines('2026-11', segs, 0).map((l) => l.amount)).toEqual([Math.round((19900 * 10) / 30)]);
  });

  it('chooses VAT by country and rounds half up on cents', () => {
    expect(taxFor('DE', { country: 'DE' })).toEqual({ rate: 0.19, note: null });
    expect(taxFor('DE', { country: 'FR', vatId: 'FR12345678901' })).toMatchObject({ rate: 0 });
    expect(taxFor('DE', { country: 'FR', vatId: 'FR12345678901' }).note).toContain('Reverse charge');
    expect(taxFor('DE', { country: 'FR' }).rate).toBe(0.2);
    expect(taxFor('DE', { country: 'US', vatId: 'X' })).toMatchObject({ rate: 0 });
    expect(taxFor('DE', {}).rate).toBe(0.19);
    expect(taxCents(1005, 0.19)).toBe(191); // 190.95
    expect(taxCents(-1005, 0.19)).toBe(-191);
    expect(taxCents(12402, 0.19)).toBe(2356); // 2356.38
  });
});

describe('invoices through the API', () => {
  let hub: TestHub;
  let now = new Date(Date.UTC(2026, 10, 1));
  beforeAll(async () => {
    hub = await startTestHub({
      billingCompanyName: 'Deep Signal GmbH',
      billingCompanyAddress: 'Torstrasse 1|10119 Berlin',
      billingCompanyCountry: 'DE',
      billingCompanyVatId: 'DE999999999',
    });
    (hub.ctx.billing as NonNullable<typeof hub.ctx.billing>).clock = () => now;
  });
  afterAll(async () => hub?.close());

  const usage = async (instanceId: string, n: number, t: number) =>
    hub.db.tx((q) =>
      meterMessages(
        q,
        Array.from({ length: n }, (_, i) => ({
          instanceId,
          t: t + i * 1000,
          channel: 'slack',
          role: 'user',
          model: null,
          tokensIn: 10,
          tokensOut: 0,
          cost: 0.001,
        })),
      ),
    );

  it('issues a prorated invoice with VAT, numbers without gaps, immutable, with credit notes and a PDF', async () => {
    const t = await makeTenant(hub, 'acme');
    expect((await hub.api('PATCH', '/plans/growth', { includedMessages: 2 })).status).toBe(200);
    // Active on starter from 1 Nov; growth from 16 Nov.
    now = new Date(Date.UTC(2026, 10, 1));
    expect((await hub.api('PATCH', `/clients/${t.client}`, { plan: 'starter', status: 'active' })).status).toBe(200);
    now = new Date(Date.UTC(2026, 10, 16));
    const patched = await hub.api<{ plan: string }>('PATCH', `/clients/${t.client}`, { plan: 'growth' });
    expect(patched.body.plan).toBe('growth');
    expect((await hub.api('PATCH', `/clients/${t.client}`, { status: 'sleeping' })).status).toBe(400);
    expect((await hub.api('PATCH', `/clients/${t.client}`, { plan: 'platinum' })).status).toBe(400);
    expect((await hub.api('PATCH', `/clients/${t.client}`, { plan: 'growth' }, t.owner)).status).toBe(403);
    const audit = await hub.db.query<{ action: string; detail: { to: { plan: string } } }>(
      `SELECT action, detail FROM audit_log WHERE action = 'client.update' AND client_id = $1 ORDER BY id`,
      [t.client],
    );
    expect(audit.map((a) => a.detail.to.plan)).toEqual(['starter', 'growth']);
    await usage(t.inst, 4, Date.UTC(2026, 10, 20));
    expect(
      (await hub.api('PUT', `/clients/${t.client}/billing`, { country: 'de', billingEmail: 'ap@acme.test' })).status,
    ).toBe(200);

    now = new Date(Date.UTC(2026, 11, 1, 6));
    const r = await hub.api<Invoice>('POST', `/clients/${t.client}/invoices`, { period: '2026-11' });
    expect(r.status).toBe(201);
    const inv = r.body;
    expect(inv).toMatchObject({ period: '2026-11', status: 'open', currency: 'EUR', number: 'INV-2026-000001' });
    expect(inv.lines.map((l) => l.amount)).toEqual([2450, 9950, 2]); // 2 messages over × 0.9 ct = 1.8 -> 2
    expect(inv.subtotal).toBe(inv.lines.reduce((s, l) => s + l.amount, 0));
    expect(inv.tax).toBe(2356);
    expect(inv.total).toBe(12402 + 2356);
    expect(inv.dueAt).toBe('2026-12-15T06:00:00.000Z');

    // A second invoice for the period is refused and takes no number.
    expect((await hub.api('POST', `/clients/${t.client}/invoices`, { period: '2026-11' })).status).toBe(409);
    expect((await hub.api('POST', `/clients/${t.client}/invoices`, { period: '2026-13' })).status).toBe(400);
    expect((await hub.api('POST', `/clients/${t.client}/invoices`, { period: '2027-01' })).status).toBe(400);
    expect((await hub.api('POST', `/clients/${t.client}/invoices`, { period: '2026-10' }, t.owner)).status).toBe(403);

    // Issued invoices cannot change; payment state can.
    await expect(hub.db.query('UPDATE invoices SET total = 1 WHERE id = $1', [inv.id])).rejects.toThrow(/immutable/);
    await expect(hub.db.query('DELETE FROM invoices WHERE id = $1', [inv.id])).rejects.toThrow(/cannot be deleted/);

    // Reverse charge for an EU business elsewhere; several clients at once get consecutive numbers.
    const others = await Promise.all(['b1', 'b2', 'b3'].map((n) => makeTenant(hub, n)));
    for (const o of others) {
      now = new Date(Date.UTC(2026, 10, 1));
      await hub.api('PATCH', `/clients/${o.client}`, { status: 'active' });
    }
    await hub.api('PUT', `/clients/${others[0].client}/billing`, { country: 'FR', vatId: 'FR12345678901' });
    now = new Date(Date.UTC(2026, 11, 1, 6));
    const many = await Promise.all(
      others.map((o) => hub.api<Invoice>('POST', `/clients/${o.client}/invoices`, { period: '2026-11' })),
    );
    expect(many.map((m) => m.status)).toEqual([201, 201, 201]);
    expect(many.map((m) => m.body.number).sort()).toEqual(['INV-2026-000002', 'INV-2026-000003', 'INV-2026-000004']);
    const fr = many[0].body;
    expect([fr.subtotal, fr.tax, fr.total]).toEqual([19900, 0, 19900]);
    expect(fr.taxNote).toContain('Reverse charge');
    // The monthly run skips clients that already have the invoice.
    const run = await hub.api<{ issued: number; skipped: number }>('POST', '/billing/run', { period: '2026-11' });
    expect(run.body).toMatchObject({ issued: 0, skipped: 4 });

    // Credit notes: a partial one taxed at the invoice's rate, then the rest; never more than billed.
    const part = await hub.api<Invoice>('POST', `/invoices/${inv.id}/credit-notes`, {
      reason: 'outage on 20 Nov',
      lines: [{ description: 'Service credit', amount: 1005 }],
    });
    expect(part.status).toBe(201);
    expect(part.body).toMatchObject({ number: 'CN-2026-000001', subtotal: -1005, tax: -191, total: -1196 });
    const rest = await hub.api<Invoice>('POST', `/invoices/${inv.id}/credit-notes`, {
      reason: 'too much',
      lines: [{ description: 'x', amount: 12402 }],
    });
    expect(rest.status).toBe(409);
    const full = await hub.api<Invoice>('POST', `/invoices/${many[1].body.id}/credit-notes`, { reason: 'wrong plan' });
    expect(full.body).toMatchObject({
      subtotal: -many[1].body.subtotal,
      tax: -many[1].body.tax,
      total: -many[1].body.total,
    });
    expect(full.body.lines[0].description).toMatch(/^Credit: /);

    // The PDF says what the invoice says.
    const pdf = await fetch(`${hub.httpUrl}/api/v1/invoices/${inv.id}/pdf`, {
      headers: { authorization: `Bearer ${t.owner}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(Buffer.from(await pdf.arrayBuffer()));
    for (const s of [
      'Invoice',
      'INV-2026-000001',
      'Deep Signal GmbH',
      '10119 Berlin',
      'VAT ID DE999999999',
      'acme',
      'ap@acme.test',
      'Starter plan, 1 Nov – 15 Nov (15 of 30 days)',
      'Growth plan, 16 Nov – 30 Nov (15 of 30 days)',
      'Messages above the 2 included',
      '124.02 EUR',
      '23.56 EUR',
      '147.58 EUR',
      'Due: 2026-12-15',
    ])
      expect(text).toContain(s);
    const cnText = pdfText(
      Buffer.from(
        await (
          await fetch(`${hub.httpUrl}/api/v1/invoices/${part.body.id}/pdf`, {
            headers: { authorization: `Bearer ${hub.token}` },
          })
        ).arrayBuffer(),
      ),
    );
    expect(cnText).toContain('Credit note');
    expect(cnText).toContain('-11.96 EUR');
    expect(cnText).toContain('outage on 20 Nov');
    // Another client's invoice does not exist for this one.
    expect((await hub.api('GET', `/invoices/${fr.id}/pdf`, undefined, t.owner)).status).toBe(404);
    expect((await hub.api('GET', `/invoices/${fr.id}`, undefined, t.owner)).status).toBe(404);
    const mine = await hub.api<Invoice[]>('GET', '/invoices', undefined, t.owner);
    expect(mine.body.map((i) => i.number).sort()).toEqual(['CN-2026-000001', 'INV-2026-000001']);

    // Margins and overview from the same figures.
    const m = await hub.api<{
      clients: { clientId: string; revenueCents: number; invoiced: boolean }[];
      fleet: { mrrCents: number };
    }>('GET', '/billing/margins?period=2026-11');
    expect(m.body.clients.find((c) => c.clientId === t.client)).toMatchObject({
      revenueCents: 12402 - 1005,
      invoiced: true,
    });
    const csv = await fetch(`${hub.httpUrl}/api/v1/billing/margins?period=2026-11&format=csv`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const csvText = await csv.text();
    expect(csvText.split('\n')[0]).toBe(
      'client_id,name,plan,status,instances,revenue,model_cost,server_cost,backup_cost,cost,margin,margin_pct,invoiced',
    );
    expect(csvText).toContain(`${t.client},acme,growth,active,1,113.97,0.00,15.00,0.00,15.00,98.97,86.8,yes`);
    // A deployed server costs its recorded monthly price; one paused to a snapshot costs nothing.
    await hub.db.query(
      `INSERT INTO instance_hosts (instance_id, provider, server_name, server_type, location, monthly_price, state)
       VALUES ($1, 'hetzner', 'ds-b2', 'cx32', 'fsn1', 8.33, 'running'), ($2, 'hetzner', 'ds-b3', 'cx22', 'fsn1', 4.59, 'paused')`,
      [others[1].inst, others[2].inst],
    );
    const m2 = await hub.api<{ clients: { clientId: string; serverCostCents: number }[] }>(
      'GET',
      '/billing/margins?period=2026-11',
    );
    const server = (id: string) => m2.body.clients.find((c) => c.clientId === id)?.serverCostCents;
    expect([server(others[1].client), server(others[2].client), server(t.client)]).toEqual([833, 0, 1500]);
    const ov = await hub.api<{ clients: { clientId: string; billingStatus: string }[] }>('GET', '/billing/overview');
    expect(ov.body.clients.find((c) => c.clientId === t.client)?.billingStatus).toBe('due');
    expect((await hub.api('GET', '/billing/overview', undefined, t.owner)).status).toBe(403);
  });

  it('the monthly run invoices in batches with the same arithmetic, consecutive numbers, each client once', async () => {
    const billing = hub.ctx.billing as NonNullable<typeof hub.ctx.billing>;
    billing.runBatchSize = 2;
    now = new Date(Date.UTC(2027, 0, 1));
    const run = await Promise.all(['run1', 'run2', 'run3', 'run4', 'run5'].map((n) => makeTenant(hub, n)));
    for (const [k, r] of run.entries()) {
      expect((await hub.api('PATCH', `/clients/${r.client}`, { status: 'active' })).status).toBe(200);
      expect((await hub.api('PUT', `/clients/${r.client}/billing`, { country: k === 4 ? 'US' : 'DE' })).status).toBe(
        200,
      );
      // run1 and run2 alike; the others differ in usage (growth includes 2 messages: overage).
      await usage(r.inst, k <= 1 ? 7 : 3 + k * 5, Date.UTC(2027, 0, 10));
    }
    // Mid-month plan change on run3, prorated by the run as by a single issue.
    now = new Date(Date.UTC(2027, 0, 17));
    expect((await hub.api('PATCH', `/clients/${run[2].client}`, { plan: 'starter' })).status).toBe(200);

    now = new Date(Date.UTC(2027, 1, 1, 6));
    const single = await hub.api<Invoice>('POST', `/clients/${run[0].client}/invoices`, { period: '2027-01' });
    expect(single.status).toBe(201);
    const billed = await hub.db.query<{ id: string }>(
      "SELECT id FROM clients WHERE status IN ('active', 'paused') ORDER BY id",
    );
    const r1 = await hub.api<{ issued: number; skipped: number; failed: number }>('POST', '/billing/run', {
      period: '2027-01',
    });
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual({ period: '2027-01', issued: billed.length - 1, skipped: 1, held: 0, failed: 0 });
    await billing.deliveriesDone();

    const all = await hub.db.query<{ client_id: string; number: string }>(
      "SELECT client_id, number FROM invoices WHERE period = '2027-01' AND kind = 'invoice' ORDER BY number",
    );
    expect(all.map((a) => a.number)).toEqual(
      Array.from({ length: billed.length }, (_, k) => `INV-2027-${String(k + 1).padStart(6, '0')}`),
    );
    expect(new Set(all.map((a) => a.client_id)).size).toBe(billed.length);
    const get = async (client: string) =>
      (await hub.api<Invoice[]>('GET', `/clients/${client}/invoices`)).body.find(
        (i) => i.period === '2027-01',
      ) as Invoice;
    // Same inputs, same invoice, whichever path issued it.
    const [a, b] = [single.body, await get(run[1].client)];
    expect({ lines: b.lines, subtotal: b.subtotal, tax: b.tax, total: b.total }).toEqual({
      lines: a.lines,
      subtotal: a.subtotal,
      tax: a.tax,
      total: a.total,
    });
    expect(a.lines.at(-1)).toMatchObject({ quantity: 5, unitPrice: 0.9, amount: 5 }); // 7 messages, 2 included: 4.5 ct
    const prorated = await get(run[2].client);
    expect(prorated.lines.map((l) => l.amount).slice(0, 2)).toEqual([
      Math.round((19900 * 16) / 31),
      Math.round((4900 * 15) / 31),
    ]);
    expect((await get(run[4].client)).tax).toBe(0); // outside the EU
    const audits = await hub.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'invoice.issue' AND target = ANY($1::text[])",
      [(await hub.db.query<{ id: string }>("SELECT id FROM invoices WHERE period = '2027-01'")).map((r) => r.id)],
    );
    expect(Number(audits[0].n)).toBe(billed.length);

    // Run again: nothing new, no number taken.
    const r2 = await hub.api('POST', '/billing/run', { period: '2027-01' });
    expect(r2.body).toMatchObject({ issued: 0, skipped: billed.length, failed: 0 });
    const counter = await hub.db.query<{ last: number }>("SELECT last FROM invoice_counters WHERE series = 'INV-2027'");
    expect(Number(counter[0].last)).toBe(billed.length);
  }, 180_000);
});
