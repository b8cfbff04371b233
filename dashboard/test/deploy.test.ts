/**
 * Mission Control deploys an instance in the browser: Deploy new instance with location, server
 * type and price, the live steps to `live`, then the instance page with its server; from there
 * the operator resizes it, moves it, pauses and resumes it, and releases it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../../hub/src/testing/cloud-settings.js';
import { FakeHetzner } from '../../hub/src/testing/hetzner-fake.js';
import { FakeTailscale } from '../../hub/src/testing/tailscale-fake.js';
import { VpsSimulator } from '../../hub/src/testing/vps-sim.js';
import { ADMIN, startTestHub, type TestHub } from '../../hub/test/helpers/hub.js';
import { CHROMIUM, hasChromium, launchBrowser, login, openPage, screenshot } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('Mission Control: deploy new instance', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({ bootMs: 1500, actionMs: 100, onBoot: sim.boot, onDelete: (s) => sim.halt(s.id) });
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    await Promise.all([hetzner.start(), tailscale.start()]);
    hub = await startTestHub({
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 200,
    });
    await hub.api('POST', '/clients', { name: 'Acme Retail', industry: 'retail', plan: 'starter' });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await sim.dispose();
    await hub?.close();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
  });

  it('picks location and server type with the price, follows the steps live, shows the server', async () => {
    const { page, errors } = await openPage(browser, hub.httpUrl);
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 });
    await page.goto('/clients/');
    await page.getByRole('button', { name: 'Deploy new instance for Acme Retail' }).click();
    const dialog = page.getByTestId('deploy-dialog');
    await expect
      .poll(() => dialog.getByTestId('deploy-price').textContent(), { timeout: 30_000 })
      .toContain('€4.51/month');
    await screenshot(page, 'deploy-dialog');
    await dialog.getByRole('button', { name: 'Deploy' }).click();
    const progress = dialog.getByTestId('deployment-progress');
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 20_000 }).not.toBe('queued');
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 150_000 }).toBe('live');
    expect(await dialog.locator('[data-status="done"]').count()).toBe(7);
    await screenshot(page, 'deploy-live');
    const inst = [...hetzner.servers.values()][0].labels['deepsignal/instance'];
    await page.goto(`/instance/?id=${inst}`);
    const card = page.getByTestId('instance-server');
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain('Hetzner Cloud');
    expect(await card.textContent()).toContain('€4.51/month');
    await screenshot(page, 'instance-server');

    const server = async () =>
      (
        await hub.api<{ serverType: string; location: string; state: string; monthlyPrice: number }>(
          'GET',
          `/instances/${inst}/server`,
        )
      ).body;
    const settled = async (what: string, ok: (s: Awaited<ReturnType<typeof server>>) => boolean) =>
      expect
        .poll(
          async () => {
            const s = await server();
            return ok(s) ? 'ok' : `${what}: ${JSON.stringify(s)}`;
          },
          { timeout: 150_000 },
        )
        .toBe('ok');

    // Resize: another type in the same location, with the price difference.
    await card.getByRole('button', { name: 'Resize' }).click();
    const resize = page.getByTestId('server-resize-dialog');
    await expect
      .poll(() => resize.getByTestId('server-change-price').textContent(), { timeout: 30_000 })
      .toContain('€8.09/month');
    expect(await resize.getByTestId('server-change-price').textContent()).toContain('+€3.58/month');
    await screenshot(page, 'server-resize-dialog');
    await resize.getByRole('button', { name: 'Resize' }).click();
    await settled('resized', (s) => s.serverType === 'cx32' && s.state === 'running');
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain('€8.09/month');

    // Move: the same type in another location.
    const before = (await server()).location;
    await card.getByRole('button', { name: 'Move' }).click();
    const move = page.getByTestId('server-move-dialog');
    await expect
      .poll(() => move.getByTestId('server-change-price').textContent(), { timeout: 30_000 })
      .toContain('against €8.09/month today');
    await move.getByRole('button', { name: 'Move' }).click();
    await settled('moved', (s) => s.location !== before && s.state === 'running');
    const after = (await server()).location;
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain(after);

    // Pause to a snapshot (no server), then resume from it.
    await card.getByRole('button', { name: 'Pause' }).click();
    await settled('paused', (s) => s.state === 'paused');
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain('nothing while paused');
    expect([...hetzner.servers.values()].filter((x) => x.labels['deepsignal/instance'] === inst)).toEqual([]);
    await card.getByRole('button', { name: 'Resume' }).click();
    await settled('resumed', (s) => s.state === 'running');
    await screenshot(page, 'instance-server-resumed');

    // Release: the server is deleted and the operator is back on the fleet.
    await card.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release' }).click();
    await page.waitForURL('**/fleet/', { timeout: 60_000 });
    await expect
      .poll(() => [...hetzner.servers.values()].filter((x) => x.labels['deepsignal/instance'] === inst).length, {
        timeout: 60_000,
      })
      .toBe(0);
    expect(errors).toEqual([]);
  }, 600_000);
});
