/**
 * The onboarding portal walked in a browser, all eight screens, against a real hub (PGlite,
 * embedded broker) serving the built export, with a real sidecar attached to a REAL OpenClaw
 * gateway (openclaw under Node 24, local fake model server). Providers (OpenRouter, Telegram,
 * Slack) are local servers speaking their wire formats. Checks: the key check, the channel
 * checks, config.apply on the instance (persona files and config on disk), a streamed reply in
 * the test drive, and the operator's view of progress and drift.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Sidecar, silentLogger, startSidecar } from '@deepsignal/sidecar';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, GOOD, startFakeProviders } from '../../hub/test/onboarding-fake-providers.js';
import { patchConfig } from '../../sidecar/src/openclaw/ops.js';
import { type OpenclawGateway, startOpenclawGateway } from '../../sidecar/test/fixtures/openclaw-gateway.js';
import { CHROMIUM, hasChromium, launchBrowser, openPage, screenshot, type WatchedPage } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

const OWNER = { email: 'owner@crumbs.test', password: 'crumbs-password-123' };
const MODEL = 'openrouter/anthropic/claude-haiku-4.5';
/** The wrong keys and tokens typed on purpose answer 4xx; the browser logs each as a failed resource. */
const expectedRefusals = (errors: string[]) =>
  errors.filter(
    (e) => !(/Failed to load resource/.test(e) && /the server responded with a status of 4(22|09)/.test(e)),
  );

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('onboarding portal in a browser, with a real OpenClaw gateway', () => {
  let env: FleetEnv;
  let fake: FakeProviders;
  let gw: OpenclawGateway;
  let browser: Browser;
  let sidecar: Sidecar | undefined;
  let stateDir: string;
  let w: WatchedPage;

  beforeAll(async () => {
    ensureDashboardBuilt();
    fake = await startFakeProviders();
    [gw, env] = await Promise.all([
      startOpenclawGateway(),
      startFleetEnv({ anthropicUrl: fake.url, openrouterUrl: fake.url, telegramUrl: fake.url, slackUrl: fake.url }),
    ]);
    browser = await launchBrowser();
    stateDir = mkdtempSync(path.join(tmpdir(), 'ds-onb-sidecar-'));
  }, 300_000);

  afterAll(async () => {
    await w?.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await sidecar?.stop().catch(() => {});
    await env?.close();
    await gw?.stop();
    await fake?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  /** The operator provisions the client's instance; its sidecar attaches to the real gateway. */
  async function provision(clientId: string) {
    const inst = await env.api<{ id: string; secret: string; hubPublicKey: string; mqttUrl: string }>(
      'POST',
      '/instances',
      { clientId, hostname: 'crumbs-agent-1' },
      env.adminToken,
    );
    sidecar = await startSidecar(
      {
        hub: inst.mqttUrl,
        instanceId: inst.id,
        secret: inst.secret,
        hubKey: inst.hubPublicKey,
        stateDir,
        openclawUrl: gw.wsUrl,
        openclawConfig: gw.configPath,
        openclawLogDir: gw.logDir,
        openclawPollMs: 1000,
        batchIntervalMs: 300,
      },
      { log: silentLogger, hostname: 'crumbs-agent-1', backoffMs: { min: 100, max: 400 } },
    );
    // This test gateway reaches "OpenRouter" at the local fake model server (no internet here):
    // the same provider name and model id the client picks, so the real config.apply is used as is.
    await expect.poll(() => sidecar?.gateway?.hello?.version ?? null, { timeout: 30_000 }).not.toBeNull();
    await patchConfig(sidecar!.gateway!, {
      models: {
        providers: {
          openrouter: {
            baseUrl: `http://127.0.0.1:${gw.modelPort}/v1`,
            api: 'openai-completions',
            apiKey: 'placeholder-until-onboarding',
            models: [
              {
                id: 'anthropic/claude-haiku-4.5',
                name: 'Claude Haiku 4.5',
                contextWindow: 200000,
                maxTokens: 4096,
                input: ['text'],
                cost: { input: 1, output: 5, cacheRead: 0, cacheWrite: 0 },
                reasoning: false,
              },
            ],
          },
        },
      },
    });
    return inst.id;
  }

  it('walks welcome to success: checks, config on the instance, streamed test drive', async () => {
    w = await openPage(browser, env.baseURL, { width: 390, height: 844 });
    const { page } = w;
    await page.goto('/onboarding/');
    // 1 Welcome
    await page.getByRole('button', { name: 'Get started' }).click();
    // 2 Company + account (validation next to the fields first)
    await page.getByRole('button', { name: /Create account/ }).click();
    await expect.poll(() => page.locator('#company-error').textContent()).toContain('company name');
    await page.fill('#company', 'Crumbs & Co');
    await page.selectOption('#industry', 'Food & hospitality');
    await page.fill('#useCase', 'Answer questions about orders, opening hours and allergens');
    await page.fill('#email', OWNER.email);
    await page.fill('#password', OWNER.password);
    await screenshot(page, 'onboarding-2-company-phone');
    await page.getByRole('button', { name: /Create account/ }).click();
    await page
      .getByRole('heading', { name: 'Connect your AI provider' })
      .waitFor()
      .catch(async (e) => {
        await screenshot(page, 'onboarding-debug');
        throw new Error(`${e}\n${w.errors.join('\n')}\n${await page.locator('main').textContent()}`);
      });
    await page.setViewportSize({ width: 1280, height: 900 });

    const clients = await env.api<{ id: string; name: string }[]>('GET', '/clients', undefined, env.adminToken);
    const clientId = clients.find((c) => c.name === 'Crumbs & Co')!.id;
    const provisioned = provision(clientId);

    // 3 Provider key: a wrong key is refused with the provider's reason, the good one passes
    await page.getByLabel(/OpenRouter/).check();
    await page.fill('#apiKey', 'sk-or-v1-wrong-key-000000');
    await page.getByRole('button', { name: /Check key/ }).click();
    await expect
      .poll(() => page.locator('#apiKey-error').textContent(), { timeout: 10_000 })
      .toContain('OpenRouter refused this key');
    await page.fill('#apiKey', GOOD.openrouter);
    await page.getByRole('button', { name: /Check key/ }).click();
    // 4 Model picker with the monthly estimate
    await page.getByRole('heading', { name: 'Pick a model' }).waitFor();
    await page.getByLabel('Claude Haiku 4.5 (OpenRouter)', { exact: false }).check();
    await page.fill('#perDay', '50');
    await expect.poll(() => page.getByTestId('estimate').textContent()).toContain('$6.38'); // 1500 * (2500*1 + 350*5) / 1e6
    await screenshot(page, 'onboarding-4-model');
    await page.getByRole('button', { name: /Use this model/ }).click();
    // 5 Channels
    await page.getByRole('heading', { name: /Where should your agent talk/ }).waitFor();
    await page.fill('#tgToken', '123456789:AAHwrongTokenForTheFakeBotApi_012345');
    await page.getByRole('button', { name: 'Connect Telegram' }).click();
    await expect
      .poll(() => page.locator('#tgToken-error').textContent(), { timeout: 10_000 })
      .toContain('Unauthorized');
    await page.fill('#tgToken', GOOD.telegram);
    await page.getByRole('button', { name: 'Connect Telegram' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Telegram' }).textContent(), { timeout: 10_000 })
      .toContain('@acme_helper_bot');
    await page.fill('#slackBot', GOOD.slackBot);
    await page.fill('#slackApp', 'xapp-1-wrong');
    await page.getByRole('button', { name: 'Connect Slack' }).click();
    await expect
      .poll(() => page.locator('#slackApp-error').textContent(), { timeout: 10_000 })
      .toContain('App-level token');
    expect(await page.getByRole('region', { name: 'Email' }).textContent()).toContain('Gmail hook');
    await screenshot(page, 'onboarding-5-channels');
    await page.getByRole('button', { name: 'Continue' }).click();
    // 6 Personality with live preview
    await page.getByRole('heading', { name: /personality/ }).waitFor();
    await page.fill('#agentName', 'Crumb');
    await page.getByLabel('Avatar 🥐').check({ force: true });
    await page.fill('#instructions', 'Always mention our sourdough of the day.');
    await expect.poll(() => page.getByTestId('preview').textContent()).toContain("I'm Crumb from Crumbs & Co");
    await page.getByRole('button', { name: /Save personality/ }).click();
    // 7 Test drive: once the settings are live on the real instance, chat
    await page.getByRole('heading', { name: 'Say hello to Crumb' }).waitFor();
    await provisioned;
    await expect
      .poll(() => page.getByText('Your settings are live on the agent.').count(), { timeout: 90_000, interval: 1000 })
      .toBe(1);
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __partials: string[] }).__partials = seen;
      new MutationObserver(() => {
        const b = document.querySelector('[data-role=agent][data-state=streaming]');
        if (b?.textContent) seen.push(b.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.fill('#chatMessage', 'Do you have croissants today?');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = page.locator('[data-role=agent][data-state=done]');
    await reply.waitFor({ timeout: 90_000 });
    expect(await reply.textContent()).toContain('Hello from the fake model');
    const partials = await page.evaluate(() => (window as unknown as { __partials: string[] }).__partials);
    expect(partials.length).toBeGreaterThan(0);
    await screenshot(page, 'onboarding-7-test-drive');

    // On the instance: OpenClaw's config and persona files as the client set them
    const cfg = JSON.parse(readFileSync(gw.configPath, 'utf8'));
    expect(cfg.agents.defaults.model.primary).toBe(MODEL);
    expect(cfg.models.providers.openrouter.apiKey).toBe(GOOD.openrouter);
    expect(JSON.stringify(cfg.agents)).toContain('Crumb');
    expect(readFileSync(path.join(gw.workspace, 'SOUL.md'), 'utf8')).toContain(
      'You are Crumb, the assistant of Crumbs & Co',
    );
    expect(readFileSync(path.join(gw.workspace, 'AGENTS.md'), 'utf8')).toContain(
      'Always mention our sourdough of the day.',
    );
    expect(readFileSync(path.join(gw.workspace, 'IDENTITY.md'), 'utf8')).toContain('- Emoji: 🥐');

    // 8 Success
    await page.getByRole('button', { name: 'Go live' }).click();
    await page.getByRole('heading', { name: 'Crumb is live!' }).waitFor();
    expect(await page.getByRole('link', { name: 'Open your dashboard' }).getAttribute('href')).toBe('/client/');
    await screenshot(page, 'onboarding-8-success');

    // The operator's view: progress and no drift
    const progress = await env.api<
      { clientId: string; completed: string[]; clientStatus: string; instances: { drift: string }[] }[]
    >('GET', '/onboarding/progress', undefined, env.adminToken);
    const mine = progress.find((p) => p.clientId === clientId)!;
    expect(mine.clientStatus).toBe('active');
    expect(mine.completed).toEqual(
      expect.arrayContaining(['company', 'provider', 'model', 'channels', 'personality', 'test', 'success']),
    );
    expect(mine.instances[0].drift).toBe('in_sync');
    expect(expectedRefusals(w.errors)).toEqual([]);
  }, 300_000);

  it('resumes where the person left off after a reload', async () => {
    await w.page.goto('/onboarding/');
    await w.page.getByRole('heading', { name: 'Crumb is live!' }).waitFor({ timeout: 15_000 });
    await w.page.getByRole('button', { name: /Personality/ }).click();
    expect(await w.page.locator('#agentName').inputValue()).toBe('Crumb');
  }, 60_000);
});
