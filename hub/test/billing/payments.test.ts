import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripe } from '../../src/billing/stripe.js';
import { parseConfig } from '../../src/config.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/sidecar-proc.js';
import { type LocalSmtp, startSmtp } from '../helpers/smtp.js';
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js';
import { makeTenant } from '../security/tenants.js';

type Invoice = {
  id: string;
  number: string;
  status: string;
  total: number;
  payUrl: string | null;
  stripeInvoiceId: string | null;
  dueAt: string;
};
const DAY = 86_400_000;

describe('payments: Stripe and reminders', () => {
  let hub: TestHub;
  let stripe: StripeFake;
  let smtp: LocalSmtp;
  let now = new Date(Date.UTC(2026, 10, 1));
  const billing = () => hub.ctx.billing as NonNullable<TestHub['ctx']['billing']>;

  beforeAll(async () => {
    [stripe, smtp] = await Promise.all([startStripeFake(), startSmtp()]);
    hub = await startTestHub({
      stripeUrl: stripe.url,
      stripeSecretKey: stripe.secretKey,
      stripeWebhookSecret: stripe.webhookSecret,
      mailTransport: smtp.url,
      billingPauseAfterDunning: true,
    });
    stripe.webhookUrl = `${hub.httpUrl}/webhooks/stripe`;
    // The test drives time and the background pass itself.
    await billing().stop();
    billing().clock = () => now;
  });
  afterAll(async () => {
    await hub?.close();
    await Promise.all([stripe?.close(), smtp?.close()]);
  });

  it('creates the customer and a hosted invoice in Stripe with idempotency keys, and follows payment by signed webhooks', async () => {
    const t = await makeTenant(hub, 'paying');
    await hub.api('PUT', `/clients/${t.client}/billing`, { billingEmail: 'ap@paying.test', country: 'DE' });
    await hub.api('PATCH', `/clients/${t.client}`, { status: 'active' });
    now = new Date(Date.UTC(2026, 11, 1, 8));
    const r = await hub.api<Invoice>('POST', `/clients/${t.client}/invoices`, { period: '2026-11' });
    expect(r.status).toBe(201);
    const inv = (await hub.api<Invoice>('GET', `/invoices/${r.body.id}`)).body;
    expect(inv.stripeInvoiceId).toMatch(/^in_/);
    expect(inv.payUrl).toBe(`${stripe.url}/i/${inv.stripeInvoiceId}`);
    const si = stripe.invoices.get(inv.stripeInvoiceId as string) as Record<string, unknown>;
    expect(si).toMatchObject({
      status: 'open',
      amount_due: inv.total,
      currency: 'eur',
      collection_method: 'send_invoice',
    });
    expect((si.metadata as Record<string, string>).invoiceId).toBe(inv.id);
    const customer = stripe.customers.get(String(si.customer)) as Record<string, unknown>;
    expect(customer).toMatchObject({ email: 'ap@paying.test', metadata: { clientId: t.client } });
    // Every write carried an idempotency key; form-encoded bodies were read as Stripe reads them.
    const writes = stripe.requests.filter((q) => q.method === 'POST');
    expect(writes.map((w) => w.path)).toEqual([
      '/v1/customers',
      '/v1/invoices',
      '/v1/invoiceitems',
      `/v1/invoices/${inv.stripeInvoiceId}/finalize`,
    ]);
    expect(writes.every((w) => w.idempotencyKey?.includes(t.client) || w.idempotencyKey?.includes(inv.id))).toBe(true);
    // The invoice mail went out with its PDF.
    const mail = await smtp.waitFor(
      (m) => m.to.includes('ap@paying.test') && /Invoice INV-/.test(m.parsed.subject ?? ''),
    );
    expect(mail.parsed.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    expect(mail.parsed.text).toContain(inv.payUrl as string);

    // Webhooks: tampered, stale and wrongly signed events are refused; the real one is applied once.
    const paid = stripe.event('invoice.paid', { ...si, status: 'paid' });
    expect((await stripe.send(paid, { tamper: true })).status).toBe(400);
    expect((await stripe.send(paid, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(400);
    expect((await stripe.send(paid, { secret: 'whsec_wrong' })).status).toBe(400);
    expect((await hub.api<Invoice>('GET', `/invoices/${inv.id}`)).body.status).toBe('open');
    const ok = await stripe.send(paid);
    expect(ok).toEqual({ status: 200, body: { received: true, outcome: 'handled' } });
    expect((await stripe.send(paid)).body).toMatchObject({ outcome: 'duplicate' });
    expect((await hub.api<Invoice>('GET', `/invoices/${inv.id}`)).body.status).toBe('paid');
    const metrics = await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${hub.token}` } }).then(
      (x) => x.text(),
    );
    expect(metrics).toMatch(/ds_billing_webhooks_rejected_total 3/);
    // A request without a signature is a 400, never a 500.
    const bare = await fetch(stripe.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bare.status).toBe(400);
  });

  it('surfaces Stripe errors in its error shape', async () => {
    const bad = createStripe(parseConfig({ stripeUrl: stripe.url, stripeSecretKey: 'sk_test_wrong' }));
    await expect(bad?.customer({ id: 'cli-x', name: 'x', email: null })).rejects.toMatchObject({
      type: 'StripeAuthenticationError',
      statusCode: 401,
    });
    const good = createStripe(parseConfig({ stripeUrl: stripe.url, stripeSecretKey: stripe.secretKey }));
    await expect(
      good?.invoice('cus_missing', {
        id: 'inv-x',
        total: 100,
        currency: 'EUR',
        dueAt: new Date().toISOString(),
        number: 'N',
        period: '2026-11',
      } as never),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      param: 'customer',
    });
  });

  it('reminds before the due date and at +3, +7 and +14 days, pauses after the last, and resumes on payment', async () => {
    const t = await makeTenant(hub, 'late');
    await hub.api('PUT', `/clients/${t.client}/billing`, { billingEmail: 'ap@late.test' });
    now = new Date(Date.UTC(2026, 10, 1));
    await hub.api('PATCH', `/clients/${t.client}`, { status: 'active' });
    now = new Date(Date.UTC(2026, 11, 1, 8));
    const inv = (await hub.api<Invoice>('POST', `/clients/${t.client}/invoices`, { period: '2026-11' })).body;
    const due = new Date(inv.dueAt).getTime();
    const reminders = () =>
      smtp.mails.filter((m) => m.to.includes('ap@late.test') && !/\(\d{4}-\d{2}\):/.test(m.parsed.subject ?? ''));
    const log = async () =>
      (
        await hub.db.query<{ stage: string; action: string }>(
          'SELECT stage, action FROM dunning_log WHERE invoice_id = $1 ORDER BY at, stage',
          [inv.id],
        )
      ).map((r) => `${r.stage}:${r.action}`);

    now = new Date(due - 4 * DAY);
    expect(await billing().dunning()).toEqual({ sent: 0, paused: 0 });
    now = new Date(due - 3 * DAY + 60_000);
    expect(await billing().dunning()).toEqual({ sent: 1, paused: 0 });
    expect(await billing().dunning()).toEqual({ sent: 0, paused: 0 }); // once per stage
    await until(() => reminders().length === 1, 10_000, 'first reminder');
    expect(reminders()[0].parsed.subject).toBe(`Invoice ${inv.number} is due on ${inv.dueAt.slice(0, 10)}`);
    for (const [days, subject] of [
      [3, /Overdue: .* \(3 days\)/],
      [7, /Overdue: .* \(7 days\)/],
      [14, /Overdue: .* \(14 days\)/],
    ] as const) {
      now = new Date(due + days * DAY + 60_000);
      await billing().dunning();
      await until(() => reminders().some((m) => subject.test(m.parsed.subject ?? '')), 10_000, `reminder +${days}`);
    }
    expect(reminders().at(-1)?.parsed.text).toContain('This is the last reminder.');
    expect(await log()).toEqual(['before:mail', 'd3:mail', 'd7:mail', 'd14:mail+pause']);
    const cmds = async () =>
      (
        await hub.db.query<{ type: string }>('SELECT type FROM commands WHERE instance_id = $1 ORDER BY issued_at', [
          t.inst,
        ])
      ).map((c) => c.type);
    expect(await cmds()).toEqual(['ping', 'agent.pause']);
    const overview = await hub.api<{ clients: { clientId: string; billingStatus: string }[] }>(
      'GET',
      '/billing/overview',
    );
    expect(overview.body.clients.find((c) => c.clientId === t.client)?.billingStatus).toBe('overdue');

    // Paying (through Stripe) resumes the agent.
    const si = stripe.invoices.get(inv.stripeInvoiceId as string) as Record<string, unknown>;
    expect((await stripe.pay(String(si.id))).status).toBe(200);
    expect((await hub.api<Invoice>('GET', `/invoices/${inv.id}`)).body.status).toBe('paid');
    expect(await cmds()).toEqual(['ping', 'agent.pause', 'agent.resume']);
    // A failed payment of another invoice marks it failed.
    const t2 = await makeTenant(hub, 'failing');
    now = new Date(Date.UTC(2026, 10, 1));
    await hub.api('PATCH', `/clients/${t2.client}`, { status: 'active' });
    now = new Date(Date.UTC(2026, 11, 1, 8));
    const inv2 = (await hub.api<Invoice>('POST', `/clients/${t2.client}/invoices`, { period: '2026-11' })).body;
    expect((await stripe.fail(String(inv2.stripeInvoiceId))).status).toBe(200);
    expect((await hub.api<Invoice>('GET', `/invoices/${inv2.id}`)).body.status).toBe('failed');
  });
});
