/**
 * Browser test of the held invoices on Agent Ops against a real hub serving the built export: the
 * billing agent (with its minted token) holds an invoice before it goes out; the operator sees the
 * reason and evidence on the page, clears it with a note, and the hub issues the invoice.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { ADMIN, type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

const PERIOD = (() => {
  const n = new Date();
  return new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
})();

describe.skipIf(!hasChromium)('held invoices on the Agent Ops page', () => {
  let env: FleetEnv;
  let browser: Browser;
  let clientId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv();
    clientId = (await env.createClient('Globex')).id;
    const agent = await env.api<{ token: string }>('POST', '/ops-agents/billing/token', {}, env.adminToken);
    const res = await fetch(`${env.baseURL}/api/v1/billing/holds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.token}` },
      body: JSON.stringify({
        clientId,
        period: PERIOD,
        reason: `1200 messages in ${PERIOD} against a forecast of 100 (12.0×)`,
        evidence: { messages: 1200, forecast: 100 },
      }),
    });
    expect(res.status).toBe(201);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
  });

  it('shows the hold with its reason; an admin clears it and the invoice is issued', async () => {
    const watched = await openPage(browser, env.baseURL);
    pages.push(watched);
    const { page, errors } = watched;
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.getByRole('link', { name: /Agent Ops/ }).click();
    await page.waitForURL('**/agents/');
    await page.click('[data-testid=tab-held]');
    const card = page.locator(`[data-testid=held-invoice][data-client=${clientId}]`);
    await card.waitFor({ timeout: 30_000 });
    await expect(card.innerText()).resolves.toContain('against a forecast of 100');
    await expect(card.innerText()).resolves.toContain('agent-billing@service.deepsignal');
    await screenshot(page, 'agent-ops-held-invoices');

    await card.getByPlaceholder('Why it is right (optional)').fill('their campaign month');
    await card.locator('[data-testid=clear-hold]').click();
    await card.waitFor({ state: 'detached', timeout: 30_000 });
    const invoices = await env.api<{ period: string }[]>(
      'GET',
      `/clients/${clientId}/invoices`,
      undefined,
      env.adminToken,
    );
    expect(invoices.map((i) => i.period)).toEqual([PERIOD]);
    const holds = await env.api<{ clearNote: string }[]>('GET', '/billing/holds?all=true', undefined, env.adminToken);
    expect(holds[0].clearNote).toBe('their campaign month');
    expect(errors).toEqual([]);
  });
});
