/**
 * WhatsApp pairing on the onboarding channels screen, in a browser, against a real hub (PGlite,
 * embedded broker) serving the built export and a real sidecar running the real `channel.login`
 * handler: the precise reasons when there is no instance yet or it is offline, the QR codes
 * from OpenClaw shown live and replaced as they rotate, then connected; and WhatsApp unreachable.
 *
 * The sidecar talks to a local stand-in gateway (sidecar/test/fixtures/web-login-gateway.ts) that
 * speaks the real OpenClaw gateway's wire format for web.login.start / web.login.wait only,
 * answering in the WhatsApp plugin's own words. Why not the real gateway: a QR code exists only
 * once WhatsApp's servers have answered (their handshake is checked against WhatsApp's own
 * certificate, so that side cannot be faked either), and they cannot be reached from tests. What
 * the real gateway does offline is tested in sidecar/test/channel-login.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GatewayClient, type Sidecar, silentLogger, startSidecar } from '@deepsignal/sidecar';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, GOOD, startFakeProviders } from '../../hub/test/onboarding-fake-providers.js';
import { startWebLoginGateway, type WebLoginGateway } from '../../sidecar/test/fixtures/web-login-gateway.js';
import { CHROMIUM, hasChromium, launchBrowser, openPage, screenshot, type WatchedPage } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

const OWNER = { email: 'owner@sardines.test', password: 'sardines-password-123' };

/** The hub's 409s (no instance, offline) are expected: the browser logs each as a failed resource. */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !(/Failed to load resource/.test(e) && /status of 409/.test(e)));

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('WhatsApp pairing on the onboarding channels screen', () => {
  let env: FleetEnv;
  let fake: FakeProviders;
  let stand: WebLoginGateway;
  let browser: Browser;
  let w: WatchedPage;
  let sidecar: Sidecar | undefined;
  let instanceId: string;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'ds-wa-sidecar-'));

  beforeAll(async () => {
    ensureDashboardBuilt();
    fake = await startFakeProviders();
    [env, stand] = await Promise.all([
      startFleetEnv({ openrouterUrl: fake.url }),
      startWebLoginGateway({ rotateMs: 2500 }),
    ]);
    browser = await launchBrowser();
    // The owner signs up and gets to the channels screen with WhatsApp on.
    const { token, user } = await env.api<{ token: string; user: unknown }>('POST', '/onboarding/start', {
      company: 'Sardine Bar',
      ...OWNER,
    });
    await env.api('PUT', '/onboarding/company', { company: 'Sardine Bar', industry: 'Food & hospitality' }, token);
    await env.api('POST', '/onboarding/provider', { provider: 'openrouter', key: GOOD.openrouter }, token);
    await env.api(
      'PUT',
      '/onboarding/model',
      { model: 'openrouter/anthropic/claude-haiku-4.5', messagesPerDay: 50 },
      token,
    );
    await env.api('PUT', '/onboarding/channels/whatsapp', { enabled: true }, token);
    // Signed in as the owner the way the sign-up screen leaves the browser (token and user stored).
    w = await openPage(browser, env.baseURL);
    await w.context.addInitScript(
      ([t, u]) => {
        localStorage.setItem('ds.token', t);
        localStorage.setItem('ds.user', u);
      },
      [token, JSON.stringify(user)],
    );
    await w.page.goto('/onboarding/');
    // Turning WhatsApp on saved the channels step: the flow resumes after it; go back to it.
    await w.page
      .getByRole('navigation', { name: 'Onboarding steps' })
      .getByRole('button', { name: /Channels/ })
      .click();
    await w.page
      .getByRole('heading', { name: /Where should your agent talk/ })
      .waitFor()
      .catch(async (e) => {
        throw new Error(`${e}\n${w.errors.join('\n')}\n${await w.page.locator('body').textContent()}`);
      });
  }, 300_000);

  afterAll(async () => {
    await w?.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await sidecar?.stop().catch(() => {});
    await env?.close();
    await stand?.close();
    await fake?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const card = () => w.page.getByRole('region', { name: 'WhatsApp' });
  const reason = () => w.page.getByTestId('whatsapp-pair-reason').textContent();
  const qr = () => w.page.getByRole('img', { name: /WhatsApp pairing QR code/ });
  /** Reloads the page and goes back to the channels screen (the flow resumes after it). */
  const channelsScreen = async () => {
    await w.page.reload();
    await w.page
      .getByRole('navigation', { name: 'Onboarding steps' })
      .getByRole('button', { name: /Channels/ })
      .click();
    await w.page.getByRole('heading', { name: /Where should your agent talk/ }).waitFor();
  };

  it('says precisely why not when there is no instance yet, then when it is not connected', async () => {
    await card().getByRole('button', { name: 'Pair WhatsApp' }).click();
    await expect.poll(reason).toContain('has not been set up yet');
    const clients = await env.api<{ id: string; name: string }[]>('GET', '/clients', undefined, env.adminToken);
    const clientId = clients.find((c) => c.name === 'Sardine Bar')!.id;
    const inst = await env.api<{ id: string; secret: string; hubPublicKey: string; mqttUrl: string }>(
      'POST',
      '/instances',
      { clientId, hostname: 'sardine-agent-1' },
      env.adminToken,
    );
    instanceId = inst.id;
    await card().getByRole('button', { name: 'Try pairing again' }).click();
    await expect.poll(reason).toContain('has not connected to Deep Signal yet');
    await expect.poll(() => card().textContent()).toContain('Not paired');

    // The instance's sidecar comes up, its OpenClaw gateway reachable over WebSocket.
    const gateway = new GatewayClient({ url: stand.wsUrl, token: () => stand.token, log: silentLogger });
    sidecar = await startSidecar(
      {
        hub: inst.mqttUrl,
        instanceId: inst.id,
        secret: inst.secret,
        hubKey: inst.hubPublicKey,
        stateDir,
        batchIntervalMs: 300,
      },
      { collectors: [], gateway, log: silentLogger, hostname: 'sardine-agent-1', backoffMs: { min: 100, max: 400 } },
    );
    await expect
      .poll(
        async () =>
          (await env.api<{ status: string }>('GET', `/instances/${inst.id}`, undefined, env.adminToken)).status,
        {
          timeout: 30_000,
        },
      )
      .toBe('online');
  }, 120_000);

  it('shows the QR code live, replaces it as OpenClaw rotates it, then connected', async () => {
    stand.mode = 'qr';
    await card().getByRole('button', { name: 'Try pairing again' }).click();
    await qr().waitFor({ timeout: 30_000 });
    const first = await qr().getAttribute('src');
    expect(first).toMatch(/^data:image\/png;base64,/);
    expect(stand.qrs).toContain(first);
    expect(await w.page.getByTestId('whatsapp-pair-status').getAttribute('aria-live')).toBe('polite');
    expect(await w.page.getByTestId('whatsapp-pair-status').textContent()).toContain('Linked Devices');
    // OpenClaw rotates the code: the page shows the newest one.
    await expect.poll(() => qr().getAttribute('src'), { timeout: 20_000 }).not.toBe(first);
    const second = await qr().getAttribute('src');
    expect(stand.qrs.indexOf(second!)).toBeGreaterThan(stand.qrs.indexOf(first!));
    expect(await w.page.getByTestId('whatsapp-pair-status').textContent()).toContain('QR refreshed');
    await screenshot(w.page, 'onboarding-5-whatsapp-qr');
    // The phone scans it.
    stand.scan();
    await expect
      .poll(() => w.page.getByTestId('whatsapp-pair-status').textContent(), { timeout: 20_000 })
      .toContain('Connected');
    expect(await qr().count()).toBe(0);
    await expect.poll(() => card().getByTestId('connected').textContent()).toContain('Paired');
    expect(stand.calls.filter((c) => c === 'web.login.start')).toHaveLength(1);
    expect(stand.calls.filter((c) => c === 'web.login.wait').length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('WhatsApp unreachable from the server: the reason, from OpenClaw, on the page', async () => {
    stand.mode = 'unreachable';
    const button = card().getByRole('button', { name: 'Pair another phone' });
    await button.focus();
    await w.page.keyboard.press('Enter');
    await expect.poll(reason, { timeout: 20_000 }).toContain("cannot reach WhatsApp's servers");
    expect(await reason()).toContain('ENOTFOUND web.whatsapp.com');
    await expect.poll(() => card().textContent()).toContain('Not paired');
  }, 60_000);

  it('instance offline: says so with when it was last connected', async () => {
    await sidecar?.stop();
    sidecar = undefined;
    await expect
      .poll(
        async () =>
          (await env.api<{ status: string }>('GET', `/instances/${instanceId}`, undefined, env.adminToken)).status,
        {
          timeout: 30_000,
        },
      )
      .toBe('offline');
    await card().getByRole('button', { name: 'Try pairing again' }).click();
    await expect.poll(reason).toMatch(/server is offline \(last connected \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    // After a reload the card keeps the last pairing's outcome.
    await channelsScreen();
    await expect
      .poll(() => card().textContent())
      .toContain("Last pairing failed: this server cannot reach WhatsApp's servers");

    // What the agent itself reports wins over the last pairing command: OpenClaw's channels status
    // says WhatsApp is linked (the phone was linked another way), then that it lost the session.
    const report = (whatsapp: { connected: boolean; error?: string }) =>
      env.hub.ctx.fleet.setOpenclaw(instanceId, {
        present: true,
        up: true,
        channels: [{ id: 'whatsapp', ...whatsapp }],
      });
    report({ connected: true });
    await channelsScreen();
    await expect.poll(() => card().getByTestId('connected').textContent()).toContain('Paired');
    report({ connected: false, error: 'logged out from the phone' });
    await channelsScreen();
    await expect.poll(() => card().textContent()).toContain('Agent reports: logged out from the phone');
    expect(unexpected(w.errors)).toEqual([]);
  }, 90_000);
});
