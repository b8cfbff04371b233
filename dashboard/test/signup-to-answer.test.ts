/**
 * A new client walks from sign-up to a real answer in a browser, with nothing set up by hand:
 * sign-up with a server location, a provider key checked against the local fake provider, which
 * starts the client's deployment (DS_DEPLOY_APPROVAL=auto) against the Hetzner and Tailscale fakes
 * in that location; the Test drive follows it live; the simulated server boots its user data,
 * starts a REAL OpenClaw gateway from the openclaw.json it writes and the sidecar bundle from the
 * hub, takes the client's configuration; the test-drive message is answered by that gateway
 * through the sidecar; only then does the client go live. Then its dashboard says where the
 * server runs, the operator changes the location from the Clients table, and a resize is
 * announced on the client's dashboard with its downtime.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../../hub/src/testing/cloud-settings.js';
import { FakeHetzner } from '../../hub/src/testing/hetzner-fake.js';
import { FakeTailscale } from '../../hub/src/testing/tailscale-fake.js';
import { VpsSimulator } from '../../hub/src/testing/vps-sim.js';
import { ADMIN, startTestHub, type TestHub } from '../../hub/test/helpers/hub.js';
import { gatewayLogText, realGatewayStarter } from '../../hub/test/helpers/vps-openclaw.js';
import { type FakeProviders, GOOD, startFakeProviders } from '../../hub/test/onboarding-fake-providers.js';
import { keepLog } from '../../scripts/test/diagnostics.js';
import type { OpenclawGateway } from '../../sidecar/test/fixtures/openclaw-gateway.js';
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

const OWNER = { email: 'owner@fjord-coffee.test', password: 'fjord-password-123' };
/** The deliberate wrong key answers 422, which the browser logs as a failed resource. */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !(/Failed to load resource/.test(e) && /status of 422/.test(e)));

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('a new client: sign-up to a test-drive answer from its own server', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const gateways: OpenclawGateway[] = [];
  sim.openclaw = realGatewayStarter(gateways);
  // A failed run prints what the server's sidecar and gateway did (its link, changes, restarts).
  sim.sidecarLogLevel = 'info';
  sim.stderrLimit = 200_000;
  const forgetLogs = [
    keepLog('sidecar', () => [...sim.booted.values()].map((b) => `# ${b.server.name}\n${b.stderr()}`).join('\n')),
    keepLog('gateway', () => gateways.map((g) => gatewayLogText(g.logDir)).join('\n')),
  ];
  const hetzner = new FakeHetzner({ bootMs: 1500, actionMs: 100, onBoot: sim.boot, onDelete: (s) => sim.halt(s.id) });
  let fake: FakeProviders;
  let hub: TestHub;
  let browser: Browser;
  let w: WatchedPage;

  /** `wait`, but failing at once with the reason when the simulated server fails (e.g. its gateway did not start). */
  const unlessSimFails = async (wait: Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setInterval(
        () => sim.errors.length && reject(new Error(`simulated server: ${sim.errors.join('; ')}`)),
        500,
      );
    });
    try {
      await Promise.race([wait, failed]);
    } finally {
      clearInterval(timer);
    }
  };

  beforeAll(async () => {
    ensureDashboardBuilt();
    [fake] = await Promise.all([startFakeProviders(), hetzner.start(), tailscale.start()]);
    hub = await startTestHub({
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 200,
      deployApproval: 'auto',
      anthropicUrl: fake.url,
      openrouterUrl: fake.url,
      telegramUrl: fake.url,
      slackUrl: fake.url,
    });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    for (const forget of forgetLogs) forget();
    await w?.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await sim.dispose();
    for (const g of gateways) await g.stop().catch(() => {});
    await hub?.close();
    await Promise.all([hetzner.stop(), tailscale.stop(), fake?.close()]);
  });

  it('signs up in Helsinki, deploys there, boots OpenClaw and answers the test drive', async () => {
    const company = 'Fjord Coffee';
    w = await openPage(browser, hub.httpUrl, { width: 1280, height: 900 });
    const { page } = w;
    await page.goto('/onboarding/');
    await page.getByRole('button', { name: 'Get started' }).click();

    // Company, account and where the server runs (Hetzner's locations with city and country).
    const where = page.locator('#location');
    await expect
      .poll(() => where.locator('option').allTextContents(), { timeout: 30_000 })
      .toContain('Helsinki, Finland (hel1)');
    expect(await where.inputValue()).toBe('fsn1');
    await where.selectOption('hel1');
    await page.fill('#company', company);
    await page.selectOption('#industry', 'Food & hospitality');
    await page.fill('#useCase', 'Answer questions about beans, brewing and opening hours');
    await page.fill('#email', OWNER.email);
    await page.fill('#password', OWNER.password);
    await screenshot(page, 'signup-company-location');
    await page.getByRole('button', { name: /Create account/ }).click();
    await page.getByRole('heading', { name: 'Connect your AI provider' }).waitFor({ timeout: 60_000 });

    // A wrong key is refused in the provider's words; the good one starts the deployment.
    await page.getByLabel(/OpenRouter/).check();
    await page.fill('#apiKey', 'sk-or-v1-wrong-key-000000');
    await page.getByRole('button', { name: /Check key/ }).click();
    await expect
      .poll(() => page.locator('#apiKey-error').textContent(), { timeout: 20_000 })
      .toContain('OpenRouter refused this key');
    await page.fill('#apiKey', GOOD.openrouter);
    await page.getByRole('button', { name: /Check key/ }).click();
    await page.getByRole('heading', { name: 'Pick a model' }).waitFor({ timeout: 30_000 });
    const clientId = (await hub.api<{ id: string; name: string }[]>('GET', '/clients')).body.find(
      (c) => c.name === company,
    )?.id as string;
    const deployments = await hub.api<{ id: string; server: { location: string } }[]>(
      'GET',
      `/clients/${clientId}/deployments`,
    );
    expect(deployments.body).toHaveLength(1);
    expect(deployments.body[0].server.location).toBe('hel1');

    await page.getByLabel('Claude Haiku 4.5 (OpenRouter)', { exact: false }).check();
    await page.fill('#perDay', '40');
    await page.getByRole('button', { name: /Use this model/ }).click();
    await page.getByRole('heading', { name: /Where should your agent talk/ }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: /personality/ }).waitFor();
    await page.fill('#agentName', 'Fika');
    await page.fill('#instructions', 'Always suggest the bean of the week.');
    await page.getByRole('button', { name: /Save personality/ }).click();

    // Test drive: the deployment's live progress until the agent is online.
    await page.getByRole('heading', { name: 'Say hello to Fika' }).waitFor();
    const progress = page.getByTestId('deployment-progress');
    const seen = new Set<string>();
    await unlessSimFails(
      expect
        .poll(
          async () => {
            const st = await progress.getAttribute('data-status', { timeout: 1000 }).catch(() => null);
            if (st) seen.add(st);
            return page.getByText('Your settings are live on the agent.').count();
          },
          { timeout: 360_000, interval: 500 },
        )
        .toBe(1),
    );
    expect([...seen].some((st) => ['queued', 'creating', 'booting', 'joining'].includes(st))).toBe(true);
    await screenshot(page, 'signup-test-drive-ready');
    // Not live before the agent answered.
    expect(await page.getByRole('button', { name: /Skip for now/ }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Go live/ }).count()).toBe(0);

    // The server is the one in Helsinki, booted from its user data, running a real gateway.
    const [server] = hetzner.serversMatching(`deepsignal/client=${clientId}`);
    expect(server.location).toBe('hel1');
    const booted = sim.booted.get(server.id);
    expect(booted?.gateway).not.toBeNull();
    expect(sim.errors).toEqual([]);

    // OpenClaw restarts to take some settings (identity): while it does, the page shows the server
    // again and a send is refused with "try again in a moment", as a person would see it.
    const reply = page.locator('[data-role=agent][data-state=done]');
    const refusal = page.locator('#chat-error');
    const end = Date.now() + 240_000;
    for (;;) {
      await expect.poll(() => progress.count(), { timeout: 240_000, interval: 500 }).toBe(0);
      await page.fill('#chatMessage', 'Which beans do you recommend for espresso?');
      await page.getByRole('button', { name: 'Send' }).click();
      const outcome = await Promise.race([
        reply.waitFor({ timeout: 240_000 }).then(() => 'answered'),
        refusal.waitFor({ timeout: 240_000 }).then(() => 'refused'),
      ]).catch(() => 'nothing');
      if (outcome !== 'refused' || Date.now() > end) break;
      expect(await refusal.textContent()).toContain('try again in a moment');
      // Until the hub hears the gateway is back.
      await expect
        .poll(() => hub.ctx.fleet.get(booted?.sidecarJson.instanceId ?? '')?.status, { timeout: 240_000 })
        .toBe('online');
    }
    await reply.waitFor({ timeout: 1000 }).catch(async (e) => {
      // What the chat command, the sidecar and the gateway said, to tell where the answer stopped.
      const cmds = await hub.api('GET', `/instances/${booted?.sidecarJson.instanceId}/commands?limit=5`);
      throw new Error(
        `${e}\ncommands: ${JSON.stringify(cmds.body).slice(0, 3000)}\npage: ${await page.locator('main').textContent()}`,
      );
    });
    expect(await reply.textContent()).toContain('Hello from the fake model');
    await screenshot(page, 'signup-test-drive-answer');

    // Only now: Go live, and the success screen.
    await page.getByRole('button', { name: /Go live/ }).click();
    await page.getByRole('heading', { name: 'Fika is live!' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'signup-success');

    // Its own dashboard says where its server runs.
    await page.goto('/client/');
    await expect
      .poll(() => page.getByTestId('server-location').textContent(), { timeout: 30_000 })
      .toContain('Helsinki, Finland (hel1)');

    // Mission Control shows the client's location; the operator changes it from the Clients table.
    const admin = await openPage(browser, hub.httpUrl, { width: 1440, height: 900 });
    await login(admin.page, ADMIN.email, ADMIN.password);
    await admin.page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 });
    await admin.page.goto('/clients/');
    const row = admin.page.getByTestId('client-row').filter({ hasText: company });
    await expect
      .poll(() => row.getByTestId('client-location').textContent(), { timeout: 30_000 })
      .toBe('Helsinki, Finland (hel1)');
    await admin.page.getByRole('button', { name: `Change location of ${company}`, exact: true }).click();
    const dialog = admin.page.getByTestId('location-dialog');
    await dialog.getByRole('combobox', { name: 'Location' }).click();
    await admin.page.getByRole('option', { name: 'Nuremberg, Germany (nbg1)' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => row.getByTestId('client-location').textContent(), { timeout: 30_000 })
      .toBe('Nuremberg, Germany (nbg1)');
    await screenshot(admin.page, 'signup-clients-location');
    await admin.context.close();

    // A resize is announced on the client's dashboard with its downtime before the server goes down.
    const resize = await hub.api('POST', `/instances/${booted?.sidecarJson.instanceId}/server/resize`, {
      serverType: 'cx32',
    });
    expect(resize.status).toBe(202);
    await page.goto('/client/');
    await expect
      .poll(() => page.getByText('Short downtime: your agent’s server is being resized').count(), { timeout: 30_000 })
      .toBe(1);
    expect(await page.getByText(/offline for about 2 to 5 minutes/).count()).toBe(1);
    await screenshot(page, 'signup-resize-announced');
    await expect
      .poll(
        async () =>
          (await hub.api<{ state: string }>('GET', `/instances/${booted?.sidecarJson.instanceId}/server`)).body.state,
        { timeout: 120_000 },
      )
      .toBe('running');
    expect(unexpected([...w.errors, ...admin.errors])).toEqual([]);
  }, 600_000);
});
