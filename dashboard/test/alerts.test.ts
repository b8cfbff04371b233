/**
 * Browser test of the Alerts page against a real hub serving the built export and a real
 * sidecar: the sidecar stops, instance_offline fires, the shell badge counts it, the operator
 * acknowledges it and then silences it from the alert; it moves to Silenced and the badge clears.
 * A ticket past its SLA fires an alert whose card leads to the ticket.
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
import { ADMIN, type FleetEnv, type SimSidecar, startFleetEnv } from './helpers/fleet-env.js';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('alerts page in a browser', () => {
  let env: FleetEnv;
  let browser: Browser;
  let agent: SimSidecar;
  let clientId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv({ alertsEvalSec: 1, alertsDataRefreshSec: 1 });
    const client = await env.createClient('Globex');
    clientId = client.id;
    agent = await env.addSidecar(client.id, 'globex-agent-1', 3);
    await env.api('PATCH', '/alert-rules/instance_offline', { forSec: 0 }, env.adminToken);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
  });

  it('an operator acknowledges and silences a firing alert from the Alerts page', async () => {
    const deadline = Date.now() + 30_000;
    while (env.hub.ctx.fleet.get(agent.instanceId)?.status !== 'online' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await agent.stop();
    const watched = await openPage(browser, env.baseURL);
    pages.push(watched);
    const { page, errors } = watched;
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.locator('[data-testid=alert-badge]').waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: /Alerts/ }).click();
    await page.waitForURL('**/alerts/');
    const card = page.locator(`[data-testid=alerts-firing] [data-testid=alert-card][data-rule=instance_offline]`);
    await card.waitFor({ timeout: 30_000 });
    await expect(card.innerText()).resolves.toContain('globex-agent-1 is offline');
    await screenshot(page, 'alerts-firing');

    // Acknowledged from the card: who is on it shows, and the hub recorded it.
    await card.locator('[data-testid=ack-alert]').click();
    await expect(card.locator('[data-testid=alert-acked]').innerText()).resolves.toContain(
      `acknowledged by ${ADMIN.email}`,
    );
    await card.locator('[data-testid=unack-alert]').waitFor();
    const alertId = await card.getAttribute('data-alert');
    const acked = await env.api<{ ackedBy: string | null; ackedAt: string | null }>(
      'GET',
      `/alerts/${alertId}`,
      undefined,
      env.adminToken,
    );
    expect(acked.ackedBy).toBe(ADMIN.email);
    expect(acked.ackedAt).not.toBeNull();
    await screenshot(page, 'alerts-acknowledged');

    await card.locator('[data-testid=silence-alert]').click();
    await page.fill('#silence-comment', 'moving the VPS to a new host');
    await screenshot(page, 'alerts-silence-dialog');
    await page.click('[data-testid=silence-submit]');
    await page.getByText('Silenced', { exact: true }).first().waitFor();
    await page.locator('[data-testid=alert-badge]').waitFor({ state: 'detached', timeout: 40_000 });

    await page.click('[data-testid=tab-silenced]');
    const silenced = page.locator('[data-testid=alerts-silenced] [data-testid=alert-card][data-rule=instance_offline]');
    await silenced.waitFor();
    await expect(silenced.locator('[data-testid=alert-muted]').innerText()).resolves.toContain('silenced');
    await screenshot(page, 'alerts-silenced');

    const silences = await env.api<
      { comment: string; createdBy: string; matchers: { name: string; value: string }[] }[]
    >('GET', '/silences', undefined, env.adminToken);
    expect(silences[0]).toMatchObject({ comment: 'moving the VPS to a new host', createdBy: ADMIN.email });
    expect(silences[0].matchers).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'instance', value: agent.instanceId })]),
    );
    expect(errors).toEqual([]);
  });

  it('a support ticket past its SLA fires an alert that leads to the ticket', async () => {
    const opened = await env.api<{ id: string }>(
      'POST',
      '/tickets',
      { clientId, subject: 'Nobody has answered me', body: 'Still waiting for an answer.' },
      env.adminToken,
    );
    // Opened ten days ago and never answered: far past any plan's first-response target.
    await env.hub.db.query("UPDATE tickets SET created_at = now() - interval '10 days' WHERE id = $1", [opened.id]);
    const watched = await openPage(browser, env.baseURL);
    pages.push(watched);
    const { page, errors } = watched;
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.goto('/alerts/');
    const card = page.locator('[data-testid=alerts-firing] [data-testid=alert-card][data-rule=ticket_sla_breached]');
    await card.waitFor({ timeout: 60_000 });
    await expect(card.innerText()).resolves.toContain('Nobody has answered me');
    await screenshot(page, 'alerts-ticket-sla');
    await card.locator('[data-testid=alert-ticket]').click();
    await page.waitForURL(`**/support/?ticket=${opened.id}`);
    await page.locator('[data-testid=ticket-view]', { hasText: 'Nobody has answered me' }).waitFor();
    expect(errors).toEqual([]);
  });
});
