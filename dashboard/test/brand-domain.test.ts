/**
 * White-label in a real browser against a real hub: Chromium maps the partner's host name to the
 * hub (--host-resolver-rules). The login page on the partner's verified domain shows the
 * partner's name, colours and title with no trace of Deep Signal; the hub's own address still
 * shows Deep Signal. The operator creates a partner, assigns clients and adds a partner admin on
 * the Partners screen; that admin sees only the partner's clients, and the partner's client
 * sees the partner's brand on its dashboard and in onboarding. Last, the partner admin changes the
 * brand on the Brand page, and the login page on the domain shows it.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, login, openPage, screenshot, type WatchedPage } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { ADMIN, type FleetEnv, type SimSidecar, startFleetEnv } from './helpers/fleet-env.js';

const DOMAIN = 'agents.acme.test';
const PARTNER_ADMIN = { email: 'admin@acme-agents.test', password: 'partner-password-123' };
const BAKERY_OWNER = { email: 'owner@bakery.test', password: 'bakery-password-123' };

/** Chromium ignores the hub's COOP header on a plain-http origin that is not localhost (the test
 * serves the partner domain over http; in production it is https). */
const pageErrors = (errors: string[]) =>
  errors.filter((e) => !/Cross-Origin-Opener-Policy header has been ignored/.test(e));

/** Picks an option of a Radix select by the trigger's label and the option's text. */
async function choose(page: Page, label: string, option: string | RegExp) {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: typeof option === 'string' }).click();
}

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('login page on a partner domain', () => {
  let env: FleetEnv;
  let browser: Browser;
  let port: string;
  let bakery: SimSidecar;
  let globex: SimSidecar;
  const pages: WatchedPage[] = [];
  const newPage = async (base: string) => {
    const p = await openPage(browser, base);
    pages.push(p);
    return p;
  };

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
    // Two of the operator's own clients, each with a live agent; the operator moves them to
    // partners on the Partners screen.
    const bakeryClient = await env.createClient('Bright Bakery');
    const globexClient = await env.createClient('Globex Retail');
    await env.api(
      'POST',
      `/clients/${bakeryClient.id}/users`,
      { ...BAKERY_OWNER, role: 'client_owner' },
      env.adminToken,
    );
    bakery = await env.addSidecar(bakeryClient.id, 'bakery-agent-1', 1);
    globex = await env.addSidecar(globexClient.id, 'globex-agent-1', 2);
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
    for (const p of pages) await p.context.close().catch(() => {});
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

  it('the operator creates a partner, assigns clients and adds a partner admin on the Partners screen', async () => {
    const { page, errors } = await newPage(env.baseURL);
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partners' }).click();
    await page.waitForURL('**/partners/');
    const rows = page.locator('[data-testid=partner-row]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => rows.first().innerText()).toMatch(/Acme[\s\S]*agents\.acme\.test · verified/);

    // Keyboard only: type the name and press Enter.
    await page.getByLabel('Partner name').fill('Globex Partners');
    await page.getByLabel('Partner name').press('Enter');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    const globexRow = rows.filter({ hasText: 'Globex Partners' });
    expect(await globexRow.locator('[data-testid=partner-domain-status]').innerText()).toBe('no domain');

    const assign = page.locator('[data-testid=assign-client-form]');
    await choose(page, 'Client', /Bright Bakery/);
    await choose(page, 'Partner', 'Acme');
    await assign.getByRole('button', { name: 'Assign client' }).click();
    await expect
      .poll(() => rows.filter({ hasText: 'Acme' }).locator('[data-testid=partner-clients]').innerText())
      .toBe('1');
    await choose(page, 'Client', /Globex Retail/);
    await choose(page, 'Partner', 'Globex Partners');
    await assign.getByRole('button', { name: 'Assign client' }).click();
    await expect.poll(() => globexRow.locator('[data-testid=partner-clients]').innerText()).toBe('1');

    const people = page.locator('[data-testid=partner-user-form]');
    await choose(page, 'Partner of the user', 'Acme');
    await page.getByLabel('Email').fill(PARTNER_ADMIN.email);
    await page.getByLabel('Password').fill(PARTNER_ADMIN.password);
    await people.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => page.getByText(`${PARTNER_ADMIN.email} can now sign in`).count()).toBeGreaterThan(0);
    // The same address again is refused in the hub's own words.
    await page.getByLabel('Email').fill(PARTNER_ADMIN.email);
    await page.getByLabel('Password').fill(PARTNER_ADMIN.password);
    await people.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => people.locator('[role=alert]').innerText(), { timeout: 15_000 }).toContain('exists');

    await screenshot(page, 'partners-dark');
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
    await screenshot(page, 'partners-light');
    // The refused duplicate is the one failed request.
    expect(errors.filter((e) => !/status of 409 .*\/api\/v1\/users$/.test(e))).toEqual([]);
  });

  it("a partner admin sees only the partner's clients; another partner's instance is not found", async () => {
    const { page, errors } = await newPage(`http://${DOMAIN}:${port}`);
    await login(page, PARTNER_ADMIN.email, PARTNER_ADMIN.password);
    await page.waitForURL('**/fleet/');
    await expect.poll(() => page.locator('h1').first().innerText(), { timeout: 30_000 }).toBe('Your clients');
    await page.locator(`[data-instance-id="${bakery.instanceId}"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=instance-tile]').count()).toBe(1);
    expect(await page.locator(`[data-instance-id="${globex.instanceId}"]`).count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toMatch(/Globex/);
    const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
    expect(nav).not.toMatch(/Partners|Clients\b|Audit/);
    await screenshot(page, 'partner-mission-control');

    await page.goto(`/instance/?id=${encodeURIComponent(globex.instanceId)}`);
    await page.getByText('Instance not found').waitFor({ timeout: 30_000 });
    // The 404 of the hidden instance is the expected answer, not a page error.
    expect(pageErrors(errors).filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  it("the partner's client sees the partner's brand on its dashboard and in onboarding", async () => {
    const { page, errors } = await newPage(`http://${DOMAIN}:${port}`);
    await login(page, BAKERY_OWNER.email, BAKERY_OWNER.password);
    await page.waitForURL('**/client/**');
    await page.locator(`[data-testid=client-dashboard][data-instance-id="${bakery.instanceId}"]`).waitFor({
      timeout: 30_000,
    });
    const logo = page.locator('[data-testid=product-logo]').first();
    await expect.poll(async () => (await logo.textContent())?.trim(), { timeout: 30_000 }).toBe('Acme Agents');
    const primary = () =>
      page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--primary').trim());
    expect(await primary()).toBe('#b45309');
    expect(await page.locator('body').innerText()).not.toMatch(/deep ?signal/i);
    await screenshot(page, 'partner-client-dashboard');

    await page.goto('/onboarding/');
    await page.locator('#step-title').waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => (await page.locator('[data-testid=product-logo]').first().textContent())?.trim(), {
        timeout: 30_000,
      })
      .toBe('Acme Agents');
    expect(await primary()).toBe('#b45309');
    await expect.poll(() => page.locator('main, body').first().innerText()).toContain('Acme Agents');
    expect(await page.locator('body').innerText()).not.toMatch(/deep ?signal/i);
    await screenshot(page, 'partner-client-onboarding');
    expect(pageErrors(errors)).toEqual([]);
  });

  // Last: it changes the brand the tests above check.
  it('the partner admin changes the name and colour on the Brand page; the login page on the domain shows them', async () => {
    const { page, errors } = await newPage(`http://${DOMAIN}:${port}`);
    await login(page, PARTNER_ADMIN.email, PARTNER_ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brand' }).click();
    await page.waitForURL('**/brand/');
    await page.locator('[data-testid=brand-form]').waitFor({ timeout: 30_000 });
    const domain = page.locator(`[data-testid=domain-row][data-domain="${DOMAIN}"]`);
    expect(await domain.locator('[data-testid=domain-status]').innerText()).toBe('verified');
    await expect.poll(() => page.getByLabel('Product name').inputValue()).toBe('Acme Agents');

    // Keyboard: type the name and an unreadable yellow, press Enter; the hub's refusal is at the field.
    await page.getByLabel('Product name').fill('Acme Cloud');
    await page.getByLabel('Primary colour', { exact: true }).fill('#ffff00');
    await page.getByLabel('Primary colour', { exact: true }).press('Enter');
    const refusal = page.locator('#brand-primaryColor-error');
    await expect.poll(() => refusal.innerText(), { timeout: 15_000 }).toMatch(/light background .* below 3:1/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('brand-primaryColor');
    await screenshot(page, 'brand-page-dark');

    await page.getByLabel('Primary colour', { exact: true }).fill('#7c3aed');
    expect(await refusal.count()).toBe(0);
    await page.getByRole('button', { name: 'Save brand' }).click();
    await page.getByText('Brand saved').first().waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
    await page.evaluate(() => window.scrollTo(0, 0));
    // The theme's colours fade in; the screenshot waits until the field's text is the light foreground.
    await expect
      .poll(() => page.getByLabel('Product name').evaluate((e) => getComputedStyle(e).color))
      .toBe('rgb(15, 23, 42)');
    await screenshot(page, 'brand-page-light');
    // The refused colour is the one failed request.
    expect(pageErrors(errors).filter((e) => !/status of 400 .*\/brand$/.test(e))).toEqual([]);

    const visitor = await newPage(`http://${DOMAIN}:${port}`);
    await visitor.page.goto('/login/');
    const logo = visitor.page.locator('[data-testid=product-logo]');
    await expect.poll(async () => (await logo.textContent())?.trim(), { timeout: 30_000 }).toBe('Acme Cloud');
    expect(
      await visitor.page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--primary').trim(),
      ),
    ).toBe('#7c3aed');
  });
});
