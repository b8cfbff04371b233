/**
 * Browser tests: Debian's Chromium (playwright-core) against a real hub serving the built
 * dashboard, with real sidecars reporting simulated machine figures over MQTT.
 */
import { readFileSync } from 'node:fs';
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

const OWNER = { email: 'owner@acme.test', password: 'owner-password-123' };

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('dashboard in a browser against a real hub', () => {
  let env: FleetEnv;
  let browser: Browser;
  let acme: { id: string };
  let acme1: SimSidecar;
  let globex1: SimSidecar;
  let globex2: SimSidecar;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv();
    acme = await env.createClient('Acme Retail');
    const globex = await env.createClient('Globex');
    await env.api('POST', `/clients/${acme.id}/users`, { ...OWNER, role: 'client_owner' }, env.adminToken);
    acme1 = await env.addSidecar(acme.id, 'acme-agent-1', 1);
    globex1 = await env.addSidecar(globex.id, 'globex-agent-1', 2);
    globex2 = await env.addSidecar(globex.id, 'globex-agent-2', 3);
    browser = await launchBrowser();
    // A first build of the export takes up to a minute on a busy machine; cached runs take none.
  }, 300_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
  });

  const newPage = async (viewport?: { width: number; height: number }) => {
    const p = await openPage(browser, env.baseURL, viewport);
    pages.push(p);
    return p;
  };

  it('the operator logs in, sees the fleet live, and a stopped sidecar turns offline without a reload', async () => {
    const { page, errors } = await newPage();
    await page.goto('/');
    await page.waitForURL('**/login/');
    await screenshot(page, 'login');
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    const tiles = page.locator('[data-testid=instance-tile]');
    await expect.poll(() => tiles.count(), { timeout: 30_000 }).toBe(3);
    for (const s of [acme1, globex1, globex2])
      await page.locator(`[data-instance-id="${s.instanceId}"][data-status=online]`).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('[data-testid=live-indicator]').getAttribute('data-status')).toBe('connected');
    // Live metrics reach the tiles (the CPU meter shows a number, not a dash).
    await expect
      .poll(() => page.locator(`[data-instance-id="${acme1.instanceId}"]`).innerText(), { timeout: 20_000 })
      .toMatch(/CPU\s*\d+%/);
    await screenshot(page, 'fleet-overview');

    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    await globex2.stop();
    await page.locator(`[data-instance-id="${globex2.instanceId}"][data-status=offline]`).waitFor({ timeout: 30_000 });
    await expect(page.locator(`[data-instance-id="${globex2.instanceId}"]`).getAttribute('data-health')).resolves.toBe(
      'red',
    );
    expect(navigations).toEqual([]);
    await screenshot(page, 'fleet-one-offline');

    // The other Mission Control pages render with live data.
    let conversationReads = 0;
    page.on('request', (r) => {
      if (r.url().includes('/conversations')) conversationReads++;
    });
    await page.click('a[href="/system/"]');
    await page.locator('[data-testid=system-page]').waitFor();
    await page.locator('[data-testid=fleet-live-chart]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=cost-per-client]').waitFor({ timeout: 20_000 });
    await screenshot(page, 'system-monitor');
    // Usage is read once per instance, not again on every live metrics frame.
    await page.waitForTimeout(2000);
    expect(conversationReads).toBeLessThanOrEqual(3);
    await page.getByRole('tab', { name: '24 h' }).click();
    // Minutes-old data may not be rolled up into 10-minute buckets yet: a chart or a clear empty state.
    await page
      .locator('[data-testid=fleet-history-chart]')
      .or(page.getByText('No samples in this range yet'))
      .first()
      .waitFor({ timeout: 20_000 });
    await page.click('a[href="/clients/"]');
    await expect.poll(() => page.locator('[data-testid=client-row]').count(), { timeout: 15_000 }).toBe(2);
    await screenshot(page, 'clients');
    await page.click('a[href="/operations/"]');
    await page.locator('[data-testid=rollout-wizard]').waitFor();
    await screenshot(page, 'batch-operations');
    // Walk the wizard; the hub either starts the rollout or says rollouts are not there yet.
    await page.getByRole('button', { name: 'Next' }).click();
    await page.fill('#rollout-param', '2026.9.6');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.click('[data-testid=rollout-start]');
    await page
      .locator('[data-testid=rollout-progress]')
      .or(page.getByText('Rollouts are not available on this hub yet'))
      .first()
      .waitFor({ timeout: 15_000 });
    await screenshot(page, 'batch-operations-started');
    await page.click('a[href="/fleet/"]');

    // Search narrows the grid.
    await page.fill('[data-testid=fleet-search]', 'acme');
    await expect.poll(() => tiles.count()).toBe(1);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500); // let the entrance animations settle for the capture
    await screenshot(page, 'fleet-phone');
    expect(errors).toEqual([]);
  });

  it('an instance page shows live charts that grow as samples arrive', async () => {
    const { page, errors } = await newPage();
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.locator(`[data-instance-id="${acme1.instanceId}"]`).click();
    await page.waitForURL(`**/instance/?id=${acme1.instanceId}`);
    await page.locator('[data-testid=instance-hostname]', { hasText: 'acme-agent-1' }).waitFor();
    const chart = page.locator('[data-testid=chart-cpu]');
    await chart.waitFor({ timeout: 30_000 });
    const first = Number(await chart.getAttribute('data-points'));
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 })
      .toBeGreaterThan(first);
    await expect(page.locator('[data-testid=chart-memory]').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid=chart-net_rx]').count()).resolves.toBe(1);
    // The recharts surface has drawn a line.
    await expect.poll(() => chart.locator('path.recharts-curve').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await screenshot(page, 'instance-live');

    // Console: the backend may not exist yet; the page says so instead of failing.
    await page.click('[data-testid=action-console]');
    await page.waitForSelector('[data-testid=console-unavailable], .xterm', { timeout: 15_000 });
    await screenshot(page, 'instance-console');
    await page.keyboard.press('Escape');

    // A quick action goes through its confirmation, and its state follows the command events.
    await page.click('[data-testid=action-restart]');
    await page.getByRole('button', { name: 'Restart', exact: true }).last().click();
    await page.getByRole('tab', { name: 'Commands' }).click();
    // The console opened above left its own commands in the history: follow the restart's row.
    const status = page
      .locator('[data-testid=command-history] li[data-command-type="openclaw.restart"] [data-testid=command-status]')
      .first();
    await status.waitFor({ timeout: 15_000 });
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    expect(acme1.received).toContain('openclaw.restart');
    await screenshot(page, 'instance-commands');

    // The timeline has the restart, with its state and who issued it.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    const entry = page
      .locator('[data-testid=timeline-entries] li[data-kind=command]', { hasText: 'openclaw.restart' })
      .first();
    await entry.waitFor({ timeout: 15_000 });
    await expect.poll(() => entry.textContent(), { timeout: 15_000 }).toContain('succeeded');
    await screenshot(page, 'instance-timeline');

    // A 1-hour range reads history from the metrics API.
    await page.click('[data-testid=range-1h]');
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 200_000); // its waits add up to more than the default on a loaded machine

  it('a client owner sees only their own instance, its conversations and usage, and pause reaches the sidecar', async () => {
    const { page, errors } = await newPage({ width: 1280, height: 900 });
    await login(page, OWNER.email, OWNER.password);
    await page.waitForURL('**/client/');
    const dash = page.locator('[data-testid=client-dashboard]');
    await dash.waitFor({ timeout: 30_000 });
    expect(await dash.getAttribute('data-instance-id')).toBe(acme1.instanceId);
    await expect(page.locator('body').innerText()).resolves.not.toMatch(/globex/i);
    await page.locator('[data-testid=conversation-item]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=conversation-item]').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid=hero-messages-value]').innerText()).toBe('1');
    await page.locator('[data-testid=usage-billing]').waitFor();
    await expect(page.locator('[data-testid=usage-billing]').innerText()).resolves.toMatch(/160 tokens/);
    await screenshot(page, 'client-dashboard');

    // The operator pages are not theirs: they are sent back to their dashboard.
    await page.goto('/fleet/');
    await page.waitForURL('**/client/');

    // Open a conversation.
    await page.locator('[data-testid=conversation-item]').first().click();
    await page.locator('[data-testid=conversation-thread]').waitFor();
    await expect(page.locator('[data-testid=conversation-thread]').innerText()).resolves.toMatch(/Happy to help/);
    await page.keyboard.press('Escape');

    // Export the conversations of the last week as CSV.
    await page.click('[data-testid=export-conversations]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-run]')]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^time,sessionKey,channel,role,text/);
    expect(csv).toContain('Happy to help, Alice.');
    expect(csv).not.toMatch(/globex/i);

    // Pause, confirm, and the signed command reaches the sidecar.
    await page.click('[data-testid=action-pause]');
    await page.getByRole('button', { name: 'Pause agent' }).click();
    await expect.poll(() => acme1.received, { timeout: 30_000 }).toContain('agent.pause');
    await page.getByText('Pause agent: done').waitFor({ timeout: 15_000 });
    expect(globex1.received).toEqual([]);
    await screenshot(page, 'client-paused');

    // The light theme, remembered across a reload.
    await page.click('[data-testid=theme-toggle]');
    await page.reload();
    await dash.waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
    await screenshot(page, 'client-dashboard-light');

    // Phone width still lays out.
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'client-dashboard-phone');
    expect(errors).toEqual([]);
  });
});
