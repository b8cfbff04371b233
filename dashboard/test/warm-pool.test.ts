/**
 * Mission Control shows the warm pool on the Clients page: per location how many pre-booted
 * servers are ready of how many are wanted, what they cost a month, and each server's state.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../../hub/src/testing/cloud-settings.js';
import { FakeHetzner } from '../../hub/src/testing/hetzner-fake.js';
import { FakeTailscale } from '../../hub/src/testing/tailscale-fake.js';
import { VpsSimulator } from '../../hub/src/testing/vps-sim.js';
import { ADMIN, startTestHub, type TestHub } from '../../hub/test/helpers/hub.js';
import { until } from '../../hub/test/helpers/sidecar-proc.js';
import { CHROMIUM, hasChromium, launchBrowser, login, openPage, screenshot } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('Mission Control: the warm pool', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({ bootMs: 300, actionMs: 100, onBoot: sim.boot, onDelete: (s) => sim.halt(s.id) });
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    await Promise.all([hetzner.start(), tailscale.start()]);
    hub = await startTestHub({
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 100,
      warmPool: 'fsn1:2',
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

  it('shows the ready servers per location with their monthly cost', async () => {
    await until(
      async () =>
        (await hub.api<{ locations: { ready: number }[] }>('GET', '/deploy/pool')).body.locations[0]?.ready === 2,
      60_000,
      'pool ready',
    );
    const { page, errors } = await openPage(browser, hub.httpUrl);
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 });
    await page.goto('/clients/');
    const row = page.getByTestId('warm-pool-fsn1');
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('2 of 2 ready');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('€9.02/month');
    expect(await row.getByText('ready', { exact: true }).count()).toBe(2);
    await screenshot(page, 'warm-pool');
    // A deploy takes one; the card follows the refill without a reload (the new server's name).
    const before = new Set(hetzner.serversMatching('deepsignal/role=warm-pool').map((s) => s.name));
    const client = (await hub.api<{ id: string }[]>('GET', '/clients')).body[0].id;
    const d = await hub.api('POST', `/clients/${client}/deployments`, { location: 'fsn1', serverType: 'cx22' });
    expect(d.status).toBe(202);
    const fresh = await until(
      () => hetzner.serversMatching('deepsignal/role=warm-pool').find((s) => !before.has(s.name)) ?? null,
      60_000,
      'refill server',
    );
    await expect.poll(() => row.locator(`[title="${fresh.name}"]`).count(), { timeout: 30_000 }).toBe(1);
    expect(errors).toEqual([]);
  }, 120_000);
});
