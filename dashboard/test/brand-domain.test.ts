/**
 * The login page on a partner's verified domain, in a real browser against a real hub: Chromium
 * maps the partner's host name to the hub (--host-resolver-rules), and the page shows the
 * partner's name, colours and title with no trace of Deep Signal; the hub's own address still
 * shows Deep Signal.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, openPage, screenshot } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

const DOMAIN = 'agents.acme.test';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('login page on a partner domain', () => {
  let env: FleetEnv;
  let browser: Browser;
  let port: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv({ partnerDomains: DOMAIN });
    port = new URL(env.baseURL).port;
    const db = env.hub.db;
    await db.query("INSERT INTO partners (id, name) VALUES ('ptn_acme', 'Acme')");
    // Brand and a verified domain as the partner's admin would leave them (the API path is tested in the hub).
    await db.query(
      `INSERT INTO partner_brands (partner_id, product_name, primary_color, accent_color, powered_by)
       VALUES ('ptn_acme', 'Acme Agents', '#b45309', '#0e7490', false)`,
    );
    await db.query(
      `INSERT INTO partner_domains (domain, partner_id, token, status, verified_by, verified_at)
       VALUES ($1, 'ptn_acme', 't', 'verified', 'dns', now())`,
      [DOMAIN],
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
        `--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`,
      ],
    });
  }, 600_000);
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await env?.close();
  });

  it("shows the partner's name and colour, and not Deep Signal", async () => {
    const { page, errors } = await openPage(browser, `http://${DOMAIN}:${port}`);
    await page.goto('/login/');
    const logo = page.locator('[data-testid=product-logo]');
    await expect.poll(async () => (await logo.textContent())?.trim(), { timeout: 60_000 }).toBe('Acme Agents');
    await expect.poll(() => page.title(), { timeout: 30_000 }).toBe('Acme Agents');
    expect(await page.locator('body').innerText()).toContain('New to Acme Agents?');
    expect(await page.locator('body').innerText()).not.toMatch(/deep ?signal/i);
    const colours = await page.evaluate(() => {
      const css = getComputedStyle(document.documentElement);
      return [css.getPropertyValue('--primary').trim(), css.getPropertyValue('--accent').trim()];
    });
    expect(colours).toEqual(['#b45309', '#0e7490']);
    await screenshot(page, 'brand-login-partner-domain');
    // Chromium ignores the hub's COOP header on a plain-http origin that is not localhost (the test
    // serves the partner domain over http; in production it is https).
    expect(errors.filter((e) => !/Cross-Origin-Opener-Policy header has been ignored/.test(e))).toEqual([]);
  });

  it('shows Deep Signal on the hub’s own address', async () => {
    const { page } = await openPage(browser, env.baseURL);
    await page.goto('/login/');
    const logo = page.locator('[data-testid=product-logo]');
    await expect.poll(async () => (await logo.textContent())?.trim(), { timeout: 60_000 }).toBe('Deep Signal');
    expect(await page.title()).toBe('Deep Signal');
  });
});
