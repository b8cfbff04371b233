import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makeTenant, type Tenant } from '../security/tenants.js';

/** Invoices reviewed before they go out: preview, holds, the run skipping them, the admin's clear. */
describe('invoice review through the API', () => {
  let hub: TestHub;
  let a: Tenant;
  let b: Tenant;
  let now = new Date(Date.UTC(2026, 9, 1));
  const PERIOD = '2026-10';

  beforeAll(async () => {
    hub = await startTestHub({ billingReviewHours: 6 });
    const billing = hub.ctx.billing as NonNullable<typeof hub.ctx.billing>;
    billing.clock = () => now;
    a = await makeTenant(hub, 'reva');
    b = await makeTenant(hub, 'revb');
    for (const t of [a, b])
      expect((await hub.api('PATCH', `/clients/${t.client}`, { status: 'active' })).status).toBe(200);
    now = new Date(Date.UTC(2026, 10, 1, 3)); // three hours into November
  });
  afterAll(async () => hub?.close());

  it('previews the period for operators only; clients and bad periods are refused', async () => {
    const p = await hub.api<{
      period: string;
      invoices: { clientId: string; subtotal: number; invoiceId: string | null }[];
    }>('GET', '/billing/invoice-preview');
    expect(p.status).toBe(200);
    expect(p.body.period).toBe(PERIOD);
    expect(p.body.invoices.find((i) => i.clientId === a.client)).toMatchObject({ subtotal: 19900, invoiceId: null });
    expect((await hub.api('GET', '/billing/invoice-preview', undefined, a.owner)).status).toBe(403);
    expect((await hub.api('GET', '/billing/holds', undefined, a.owner)).status).toBe(403);
    expect((await hub.api('GET', '/billing/invoice-preview?period=2026-13')).status).toBe(400);
  });

  it("waits the review window before the hub's own run, and the run skips held invoices", async () => {
    const billing = hub.ctx.billing as NonNullable<typeof hub.ctx.billing>;
    await hub.db.query(`INSERT INTO hub_settings (key, value) VALUES ('billing.lastRun', '"2026-09"')
      ON CONFLICT (key) DO UPDATE SET value = '"2026-09"'`);
    await billing.tick(); // 3 h after the period ended: inside the 6 h review window
    expect((await hub.api<unknown[]>('GET', `/clients/${a.client}/invoices`)).body).toHaveLength(0);

    const hold = await hub.api<{ active: boolean; reason: string }>('POST', '/billing/holds', {
      clientId: a.client,
      period: PERIOD,
      reason: 'usage looks wrong',
      evidence: { messages: 1 },
    });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ active: true, reason: 'usage looks wrong' });
    // Holding again keeps the first one.
    expect(
      (await hub.api('POST', '/billing/holds', { clientId: a.client, period: PERIOD, reason: 'again' })).status,
    ).toBe(200);
    // Clients never hold, nor see holds; unknown clients are a 404.
    expect(
      (await hub.api('POST', '/billing/holds', { clientId: a.client, period: PERIOD, reason: 'x' }, a.owner)).status,
    ).toBe(403);
    expect((await hub.api('POST', '/billing/holds', { clientId: 'nope', period: PERIOD, reason: 'x' })).status).toBe(
      404,
    );

    now = new Date(Date.UTC(2026, 10, 1, 7));
    await billing.tick();
    const issuedA = (await hub.api<unknown[]>('GET', `/clients/${a.client}/invoices`)).body;
    const issuedB = (await hub.api<{ period: string }[]>('GET', `/clients/${b.client}/invoices`)).body;
    expect(issuedA).toHaveLength(0);
    expect(issuedB.map((i) => i.period)).toEqual([PERIOD]);
    const direct = await hub.api<{ error: { code: string } }>('POST', `/clients/${a.client}/invoices`, {
      period: PERIOD,
    });
    expect(direct.body.error.code).toBe('HUB_ERR_INVOICE_HELD');
    // An issued invoice cannot be held.
    expect((await hub.api('POST', '/billing/holds', { clientId: b.client, period: PERIOD, reason: 'x' })).status).toBe(
      409,
    );
  });

  it('an admin clears the hold, which issues the invoice; it is not held again', async () => {
    const r = await hub.api<{ hold: { active: boolean; clearedBy: string }; invoice: { period: string } }>(
      'POST',
      `/billing/holds/${a.client}/${PERIOD}/clear`,
      { note: 'checked' },
    );
    expect(r.status).toBe(200);
    expect(r.body.hold.active).toBe(false);
    expect(r.body.invoice.period).toBe(PERIOD);
    expect((await hub.api('POST', `/billing/holds/${a.client}/${PERIOD}/clear`, {})).status).toBe(404);
    expect((await hub.api<unknown[]>('GET', '/billing/holds')).body).toHaveLength(0);
    expect((await hub.api<unknown[]>('GET', '/billing/holds?all=true')).body).toHaveLength(1);
  });
});
