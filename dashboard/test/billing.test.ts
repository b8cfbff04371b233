/**
 * The client's Usage & Billing card in a browser: usage from the hub's meter, the plan's
 * limits and what happens at them, an issued invoice with its payment link (a local Stripe) and
 * its PDF downloaded with the session.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeFake, startStripeFake } from '../../hub/test/helpers/stripe-fake.js';
import {
  CHROMIUM,
  hasChromium,
  launchBrowser,
  login,
  openPage,
  screenshot,
  type WatchedPage,
} from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

const OWNER = { email: 'owner@billing.test', password: 'owner-password-123' };

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('Usage & Billing in a browser', () => {
  let env: FleetEnv;
  let stripe: StripeFake;
  let browser: Browser;
  let client: { id: string };
  let invoice: { id: string; number: string; payUrl: string };
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    stripe = await startStripeFake();
    env = await startFleetEnv({
      stripeUrl: stripe.url,
      stripeSecretKey: stripe.secretKey,
      stripeWebhookSecret: stripe.webhookSecret,
    });
    client = await env.createClient('Billing Bakery');
    await env.api('POST', `/clients/${client.id}/users`, { ...OWNER, role: 'client_owner' }, env.adminToken);
    const sc = await env.addSidecar(client.id, 'bakery-agent-1', 4);
    // The sidecar's conversation (160 tokens) is metered by the hub.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const u = await env.api<{ tokensIn: number }>('GET', `/clients/${client.id}/usage`, undefined, env.adminToken);
      if (u.tokensIn === 120) break;
      if (Date.now() > deadline) throw new Error(`usage not metered: ${JSON.stringify(u)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    void sc;
    // Active since the start of the month, with a budget, then this month's invoice.
    const billing = env.hub.ctx.billing as NonNullable<typeof env.hub.ctx.billing>;
    const now = new Date();
    billing.clock = () => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    await env.api('PATCH', `/clients/${client.id}`, { status: 'active' }, env.adminToken);
    billing.clock = () => new Date();
    await env.api(
      'PUT',
      `/clients/${client.id}/billing`,
      { budgetSoftCents: 4000, budgetHardCents: 5000, hardLimit: 'pause', country: 'DE' },
      env.adminToken,
    );
    invoice = await env.api(
      'POST',
      `/clients/${client.id}/invoices`,
      { period: now.toISOString().slice(0, 7) },
      env.adminToken,
    );
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
    await stripe?.close();
  });

  it('shows usage against the plan, the limits, and the invoice with its pay link and PDF', async () => {
    const w = await openPage(browser, env.baseURL, { width: 1280, height: 1000 });
    pages.push(w);
    const { page, errors } = w;
    await login(page, OWNER.email, OWNER.password);
    await page.waitForURL('**/client/');
    const card = page.locator('[data-testid=usage-billing]');
    await card.waitFor({ timeout: 30_000 });
    const text = await card.innerText();
    expect(text).toMatch(/Starter plan/);
    expect(text).toMatch(/1 messages, 160 tokens/);
    expect(text).toMatch(/5,000 messages included/);
    expect(text).toMatch(/the agent is paused until the next month or a higher budget/);
    expect(await page.locator('[data-testid=limit-messages]').getAttribute('data-level')).toBe('ok');

    const row = page.locator('[data-testid=invoice-row]');
    await expect.poll(() => row.count()).toBe(1);
    const rowText = await row.innerText();
    expect(rowText).toContain(invoice.number);
    expect(rowText).toMatch(/€58\.31/); // 49.00 + 19 % VAT
    expect(rowText).toMatch(/due/);
    expect(invoice.payUrl).toMatch(new RegExp(`^${stripe.url}/i/in_`));
    expect(await row.getByRole('link', { name: /Pay/ }).getAttribute('href')).toBe(invoice.payUrl);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: `Download ${invoice.number} as PDF` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${invoice.number}.pdf`);
    const file = await download.path();
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    await screenshot(page, 'client-usage-billing');
    expect(errors).toEqual([]);
  }, 120_000);
});
