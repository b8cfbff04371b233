/**
 * Browser test of a change held for the client's maintenance window: on the instance page the
 * operator changes the model with "wait for the maintenance window"; the change is listed with
 * when it will run (nothing reaches the sidecar), shows in the Alerts → Maintenance schedule, and
 * is canceled from there.
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

interface Scheduled {
  id: string;
  type: string;
  status: string;
  params: Record<string, unknown>;
  nextRunAt: string | null;
}

describe.skipIf(!hasChromium)('changes scheduled into the maintenance window, in a browser', () => {
  let env: FleetEnv;
  let browser: Browser;
  let agent: SimSidecar;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv();
    const client = await env.createClient('Initech');
    agent = await env.addSidecar(client.id, 'initech-agent-1', 5);
    // A one-off window a week from now: nothing opens during the test.
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await env.api(
      'POST',
      '/maintenance-windows',
      {
        clientId: client.id,
        name: 'Patch night',
        timeZone: 'Europe/Berlin',
        startDate: day,
        startTime: '02:00',
        durationMin: 120,
      },
      env.adminToken,
    );
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
  });

  it('an operator schedules a model change for the window, sees it in the schedule and cancels it', async () => {
    const watched = await openPage(browser, env.baseURL);
    pages.push(watched);
    const { page, errors } = watched;
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.goto(`${env.baseURL}/instance/?id=${encodeURIComponent(agent.instanceId)}`);
    await page.locator('[data-testid=action-model]').click();
    await page.fill('[data-testid=model-input]', 'anthropic/claude-opus-4');
    await page.locator('[data-testid=schedule-in-window]').check();
    await page.getByRole('dialog').getByRole('button', { name: 'Change model' }).click();

    const onInstance = page.locator('[data-testid=scheduled-changes] li[data-status=scheduled]');
    await onInstance.waitFor({ timeout: 30_000 });
    await expect(onInstance.innerText()).resolves.toMatch(/Change model → anthropic\/claude-opus-4[\s\S]*runs /);
    await screenshot(page, 'scheduled-change-instance');
    const [held] = await env.api<Scheduled[]>(
      'GET',
      `/scheduled-changes?instanceId=${agent.instanceId}`,
      undefined,
      env.adminToken,
    );
    expect(held).toMatchObject({
      type: 'model.set',
      status: 'scheduled',
      params: { model: 'anthropic/claude-opus-4' },
    });
    expect(Date.parse(held.nextRunAt ?? '')).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(agent.received.filter((t) => t === 'model.set')).toEqual([]);

    await page.getByRole('link', { name: /Alerts/ }).click();
    await page.waitForURL('**/alerts/');
    await page.getByRole('tab', { name: 'Maintenance' }).click();
    const inSchedule = page.locator('[data-testid=scheduled-changes] li[data-status=scheduled]');
    await inSchedule.waitFor();
    // The window is listed with its next start (formatting it once threw in Intl).
    await expect(page.locator('[data-testid=maintenance-list]').innerText()).resolves.toMatch(
      /Patch night[\s\S]*next /,
    );
    await expect(inSchedule.innerText()).resolves.toContain('initech-agent-1');
    await screenshot(page, 'scheduled-change-maintenance');
    await inSchedule.locator('[data-testid=cancel-scheduled]').click();
    await page.locator('[data-testid=scheduled-changes] li[data-status=canceled]').waitFor();
    const [after] = await env.api<Scheduled[]>(
      'GET',
      `/scheduled-changes?instanceId=${agent.instanceId}`,
      undefined,
      env.adminToken,
    );
    expect(after.status).toBe('canceled');
    expect(errors).toEqual([]);
  });
});
