/**
 * The onboarding portal's help chat in a browser, against a real hub serving the built export:
 * an instance reports WhatsApp's real status over MQTT (the protocol-level sidecar the agents'
 * tests use), the onboarding agent runs its help loop through the hub's API with its own token,
 * and the client's question is answered live on the page from that status.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpLoop } from '../../agents/src/onboarding/help.js';
import { OnboardingHub } from '../../agents/src/onboarding/hub-api.js';
import { simulatedSidecar, until } from '../../agents/test/helpers.js';
import { type FakeProviders, GOOD, startFakeProviders } from '../../hub/test/onboarding-fake-providers.js';
import { CHROMIUM, hasChromium, launchBrowser, openPage, screenshot, type WatchedPage } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

const OWNER = { email: 'owner@florist.test', password: 'florist-password-123' };
const WA_ERROR = 'logged out: the phone unlinked this device';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('onboarding help chat', () => {
  let env: FleetEnv;
  let fake: FakeProviders;
  let browser: Browser;
  let w: WatchedPage;
  let sidecar: Awaited<ReturnType<typeof simulatedSidecar>>;
  const agent = new AbortController();

  beforeAll(async () => {
    ensureDashboardBuilt();
    fake = await startFakeProviders();
    env = await startFleetEnv({ anthropicUrl: fake.url });
    browser = await launchBrowser();
    const { token, user, state } = await env.api<{ token: string; user: unknown; state: { clientId: string } }>(
      'POST',
      '/onboarding/start',
      { company: 'Florist Fern', ...OWNER },
    );
    await env.api('POST', '/onboarding/provider', { provider: 'anthropic', key: GOOD.anthropic }, token);
    await env.api('PUT', '/onboarding/channels/whatsapp', { enabled: true }, token);
    const inst = await env.api<{ id: string; secret: string }>(
      'POST',
      '/instances',
      { clientId: state.clientId, hostname: 'fern-agent-1' },
      env.adminToken,
    );
    sidecar = await simulatedSidecar(env.hub.mqttUrl, env.hub.hubPublicKey, inst.id, inst.secret);
    await sidecar.status('online');
    await sidecar.openclaw({
      present: true,
      up: true,
      ready: true,
      channels: [{ id: 'whatsapp', enabled: true, connected: false, error: WA_ERROR }],
    });
    await until(
      async () =>
        !!(await env.api<{ reportedChannels: Record<string, unknown> }>('GET', '/onboarding', undefined, token))
          .reportedChannels.whatsapp,
      'the channel status to reach the hub',
      60_000,
    );
    // The onboarding agent, with the token the hub mints for it.
    const minted = await env.api<{ token: string }>('POST', '/ops-agents/onboarding/token', {}, env.adminToken);
    const hub = new OnboardingHub({ baseUrl: env.hub.httpUrl, token: minted.token });
    void helpLoop({ hub, llm: null, signal: agent.signal, out: () => {}, waitSec: 5 });

    w = await openPage(browser, env.baseURL);
    await w.context.addInitScript(
      ([t, u]) => {
        localStorage.setItem('ds.token', t);
        localStorage.setItem('ds.user', u);
      },
      [token, JSON.stringify(user)],
    );
    await w.page.goto('/onboarding/');
  }, 300_000);

  afterAll(async () => {
    agent.abort();
    await w?.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await sidecar?.close().catch(() => {});
    await env?.close();
    await fake?.close();
  });

  it('a client asks “why is WhatsApp not connected?” and sees the channel’s real status, live', async () => {
    const page = w.page;
    await page.getByRole('button', { name: 'Ask for help' }).click();
    const panel = page.getByRole('region', { name: 'Setup help' });
    const input = panel.getByLabel('Your question');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);

    // Keyboard only: type and press Enter.
    await input.fill('why is WhatsApp not connected?');
    const t0 = Date.now();
    await input.press('Enter');
    const answer = panel.locator('li[data-author="agent"]');
    await answer.first().waitFor({ timeout: 60_000 });
    const ms = Date.now() - t0;
    console.log(`question -> answer in the browser: ${ms} ms`);
    const text = (await answer.first().textContent()) ?? '';
    expect(text).toContain('WhatsApp is disconnected');
    expect(text).toContain(WA_ERROR);
    expect(text).toContain('Pair WhatsApp');
    await expect.poll(() => input.inputValue()).toBe('');
    expect(await panel.getByRole('log').textContent()).toContain('why is WhatsApp not connected?');
    // Both themes (dark is the default), checked by eye in the screenshots.
    await screenshot(page, 'onboarding-help-dark');
    await page.evaluate(() => document.documentElement.classList.remove('dark'));
    await screenshot(page, 'onboarding-help-light');

    // Escape closes the panel; the thread is still there when it opens again (read from the hub).
    await input.press('Escape');
    await page.getByRole('button', { name: 'Ask for help' }).click();
    await expect.poll(() => panel.locator('li[data-author="agent"]').count()).toBe(1);
    expect(w.errors).toEqual([]);
  }, 180_000);
});
