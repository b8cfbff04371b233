/**
 * What a newcomer and an operator see, at 1440 px and 390 px in both themes, against a real hub
 * serving the built export with real sidecars: the fleet (tiles and the dense view), an
 * instance, a client dashboard, onboarding (light-mode colours, readable step pills, test mode,
 * an honest last screen) and settings. Every combination asserts: nothing wider than the screen,
 * the live indicator follows the socket, the page's own checks; screenshots are kept as artifacts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, login, openPage, screenshot, type WatchedPage } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { ADMIN, type FleetEnv, type SimSidecar, startFleetEnv } from './helpers/fleet-env.js';

const viewports = [
  { name: 'desktop', size: { width: 1440, height: 900 } },
  { name: 'phone', size: { width: 390, height: 844 } },
] as const;
const themes = ['dark', 'light'] as const;

/** Widest element edge beyond the viewport (0 when nothing overflows sideways). */
const overflowX = (page: Page) =>
  page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));

/** Relative luminance of a computed CSS colour (rgb/rgba), 0 black … 1 white. */
const luminance = (page: Page, selector: string, prop: 'color' | 'backgroundColor' | 'backgroundImage') =>
  page.evaluate(
    ([sel, p]) => {
      const el = document.querySelector(sel);
      if (!el) return -1;
      const v = getComputedStyle(el)[p as 'color'];
      const m = /rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)/.exec(v) ?? /oklch\(([\d.]+)/.exec(v);
      if (!m) return -1;
      if (v.startsWith('oklch')) return Number(m[1]);
      const [r, g, b] = [m[1], m[2], m[3]].map((x) => {
        const c = Number(x) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    },
    [selector, prop] as const,
  );

describe.skipIf(!hasChromium)('pages at 1440 and 390 px, dark and light', () => {
  let env: FleetEnv;
  let browser: Browser;
  let sidecars: SimSidecar[] = [];
  let clientId: string;
  let owner: { token: string; user: unknown };
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv();
    browser = await launchBrowser();
    const acme = await env.createClient('Acme Retail');
    clientId = acme.id;
    sidecars = await Promise.all([
      env.addSidecar(acme.id, 'acme-prod-1', 1),
      env.addSidecar(acme.id, 'acme-prod-2-with-a-rather-long-hostname', 2),
    ]);
    // A client who started onboarding on their own and chose test mode on the key screen.
    const r = await env.api<{ token: string; user: unknown }>('POST', '/onboarding/start', {
      company: 'Crumbs Bakery',
      industry: 'Food',
      useCase: 'Orders and opening hours',
      email: 'owner@crumbs.test',
      password: 'crumbs-password-123',
    });
    owner = r;
    await env.api('POST', '/onboarding/provider', { provider: 'anthropic', testMode: true }, r.token);
    // Both instances have reported before the pages open.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const list = await env.api<{ status: string }[]>('GET', '/instances', undefined, env.adminToken);
      if (list.filter((i) => i.status !== 'provisioning').length >= 2) break;
      await new Promise((res) => setTimeout(res, 200));
    }
  }, 900_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
  });

  /** A page in this viewport and theme, logged in as the admin (or with the given session). */
  async function open(vp: (typeof viewports)[number], theme: (typeof themes)[number], as?: typeof owner) {
    // One page at a time: the previous one is done with (keeps one renderer on a loaded machine).
    for (const p of pages.splice(0)) await p.context.close().catch(() => {});
    const w = await openPage(browser, env.baseURL, vp.size);
    pages.push(w);
    await w.context.addInitScript(
      ([t, session]) => {
        localStorage.setItem('ds.theme', t);
        if (session) {
          localStorage.setItem('ds.token', session.token);
          localStorage.setItem('ds.user', JSON.stringify(session.user));
        }
      },
      [theme, as ?? null] as const,
    );
    if (!as) {
      await login(w.page, ADMIN.email, ADMIN.password);
      await w.page.waitForURL(/\/fleet\//);
    }
    return w;
  }

  for (const vp of viewports)
    for (const theme of themes) {
      const tag = `${vp.name}-${theme}`;
      it(`fleet, instance and settings (${tag})`, async () => {
        const w = await open(vp, theme);
        const { page } = w;
        expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');
        await page.locator('[data-testid=instance-tile]').first().waitFor();
        expect(await page.locator('[data-testid=instance-tile]').count()).toBe(2);
        expect(await overflowX(page)).toBe(0);
        await expect.poll(() => page.getAttribute('[data-testid=live-indicator]', 'data-status')).toBe('connected');
        await screenshot(page, `layout-fleet-${tag}`);

        // The dense view: one cell per instance, grouped by client, figures on hover.
        await page.getByRole('combobox', { name: 'View' }).click();
        await page.getByRole('option', { name: 'View: dense' }).click();
        await page.locator('[data-testid=fleet-cell]').first().waitFor();
        expect(await page.locator('[data-testid=fleet-cell]').count()).toBe(2);
        expect(await page.locator('[data-testid=fleet-group]').first().textContent()).toContain('Acme Retail');
        await page.locator('[data-testid=fleet-cell]').first().hover();
        const card = page.locator('[data-testid=fleet-hover]');
        await card.waitFor();
        expect(await card.textContent()).toMatch(/CPU\d+%|CPU—/);
        expect(await card.textContent()).toMatch(/acme-prod/);
        const box = await card.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= vp.size.width).toBe(true);
        expect(await overflowX(page)).toBe(0);
        await screenshot(page, `layout-fleet-dense-${tag}`);

        await page.goto(`/instance/?id=${encodeURIComponent(sidecars[1].instanceId)}`);
        await page.locator('[data-testid=openclaw-panel]').waitFor();
        // The action buttons stay one row, also on a phone.
        const actions = await page.locator('[data-testid=instance-actions]').boundingBox();
        expect(actions && actions.height < 60, `actions ${actions?.height}px high`).toBe(true);
        // Backups: the tab lists them and offers "Back up now" to the admin.
        await page.getByRole('tab', { name: 'Backups' }).click();
        await page.locator('[data-testid=backups-panel]').waitFor();
        expect(await page.getByRole('button', { name: /Back up now/ }).count()).toBe(1);
        await expect.poll(() => page.getAttribute('[data-testid=live-indicator]', 'data-status')).toBe('connected');
        expect(await overflowX(page)).toBe(0);
        await screenshot(page, `layout-instance-${tag}`);

        // Settings listens to no live event: the indicator still tells the socket's state.
        await page.goto('/settings/');
        await page.locator('[data-testid=settings-page]').waitFor();
        await expect.poll(() => page.getAttribute('[data-testid=live-indicator]', 'data-status')).toBe('connected');
        expect(await overflowX(page)).toBe(0);
        for (const card of ['plan-status-card', 'sso-card', 'client-key-card'])
          await page.locator(`[data-testid=${card}]`).waitFor();
        await screenshot(page, `layout-settings-${tag}`);
        expect(w.errors).toEqual([]);

        // An address the dashboard does not have: the branded page, in this theme, with a 404.
        const res = await page.goto('/no-such-page/');
        expect(res?.status()).toBe(404);
        await page.locator('[data-testid=not-found]').waitFor();
        const bg = await luminance(page, 'html', 'backgroundColor');
        if (theme === 'light') expect(bg).toBeGreaterThan(0.6);
        else expect(bg).toBeLessThan(0.1);
        expect(await overflowX(page)).toBe(0);
        await screenshot(page, `layout-404-${tag}`);
      }, 240_000);

      it(`client dashboard and onboarding (${tag})`, async () => {
        const admin = await open(vp, theme);
        await admin.page.goto(`/client/?clientId=${encodeURIComponent(clientId)}`);
        await admin.page.locator('[data-testid=client-dashboard]').waitFor();
        expect(await overflowX(admin.page)).toBe(0);
        await screenshot(admin.page, `layout-client-${tag}`);
        expect(admin.errors).toEqual([]);

        const w = await open(vp, theme, owner);
        const { page } = w;
        // The unfinished client's own dashboard leads back into onboarding, marked as test mode.
        await page.goto('/client/');
        const banner = page.locator('[data-testid=onboarding-banner]');
        await banner.waitFor();
        expect(await banner.textContent()).toContain('Test mode · not live');
        await banner.getByRole('link', { name: /Continue setup/ }).click();
        await page.waitForURL(/\/onboarding\//);
        // It resumes at the first open step, marked as test mode in the header.
        await page.locator('header [data-testid=test-mode-badge]').waitFor();
        // Light mode is light: a light page behind the card and a readable wordmark.
        const bgLight = await page.evaluate(() => {
          const root = document.querySelector('main')?.parentElement?.parentElement;
          return root ? getComputedStyle(root).backgroundImage : '';
        });
        if (theme === 'light') expect(bgLight).not.toMatch(/#0f172a|rgb\(15, 23, 42\)/);
        const word = await luminance(page, 'header span.font-bold', 'color');
        if (theme === 'light') expect(word).toBeLessThan(0.2);
        else expect(word).toBeGreaterThan(0.5);
        // Step pills carry their names on a phone too.
        for (const title of ['Company', 'API key', 'Done']) {
          const pill = page.getByRole('button', { name: new RegExp(title) }).first();
          const b = await pill.boundingBox();
          expect(b && b.width > 40, `${title} pill is readable`).toBe(true);
        }
        expect(await overflowX(page)).toBe(0);
        await screenshot(page, `layout-onboarding-${tag}`);

        // The key screen offers test mode and says this client is in it.
        await page
          .getByRole('button', { name: /API key/ })
          .first()
          .click();
        await page.getByRole('heading', { name: 'Connect your AI provider' }).waitFor();
        expect(await page.getByRole('button', { name: /test mode/ }).textContent()).toContain('Stay in test mode');
        expect(await overflowX(page)).toBe(0);
        await screenshot(page, `layout-onboarding-key-${tag}`);
        expect(w.errors).toEqual([]);
      }, 240_000);
    }

  it('the last onboarding screen lists what is missing; login leads newcomers to onboarding', async () => {
    const w = await open(viewports[0], 'dark', owner);
    const { page } = w;
    await page.goto('/onboarding/');
    // Every answer saved (in test mode, with no server yet): the last screen becomes reachable.
    await env.api('PUT', '/onboarding/model', { model: 'anthropic/claude-haiku-4-5', messagesPerDay: 50 }, owner.token);
    await env.api('POST', '/onboarding/steps/channels/done', undefined, owner.token);
    await env.api(
      'PUT',
      '/onboarding/personality',
      { name: 'Crumb', tone: 'friendly', emoji: '🥐', avatar: '', instructions: '' },
      owner.token,
    );
    await env.api('POST', '/onboarding/steps/test/done', undefined, owner.token);
    await page.goto('/onboarding/');
    await page.getByRole('heading', { name: 'Crumb is set up, but not live yet' }).waitFor();
    const missing = await page
      .locator('[data-testid=missing] li')
      .evaluateAll((ls) => ls.map((l) => l.getAttribute('data-missing')));
    expect(missing).toEqual(['test-mode', 'server']);
    expect(await page.getByRole('heading', { name: /is live!/ }).count()).toBe(0);
    await screenshot(page, 'layout-onboarding-not-live');
    // Not live: onboarding is not marked finished, the client stays in onboarding.
    const clients = await env.api<{ id: string; status: string }[]>('GET', '/clients', undefined, env.adminToken);
    expect(clients.find((c) => c.id === (owner.user as { clientId: string }).clientId)?.status).toBe('onboarding');
    expect(w.errors).toEqual([]);
    const anon = await openPage(browser, env.baseURL);
    pages.push(anon);
    await anon.page.goto('/login/');
    await anon.page.getByRole('link', { name: 'Get started' }).click();
    await anon.page.waitForURL(/\/onboarding\//);
    await anon.page.getByRole('heading', { name: /Your own AI agent/ }).waitFor();
  }, 240_000);
});
