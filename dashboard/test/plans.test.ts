/**
 * Mission Control's plan forms in a browser: an admin edits a plan with the keyboard (the
 * browser's own check and the hub's validation message shown as readable errors), changes a
 * client's plan and status, and the client's Usage & Billing card shows the new terms. Both themes.
 */
import type { Browser, Page } from 'playwright-core';
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
import { ADMIN, type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('plans in Mission Control', () => {
  let env: FleetEnv;
  let browser: Browser;
  let client: { id: string };
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv();
    client = await env.createClient('Plan Bakery');
    await env.api('PATCH', `/clients/${client.id}`, { plan: 'growth' }, env.adminToken);
    await env.api('PUT', `/clients/${client.id}/billing`, { budgetHardCents: 5000 }, env.adminToken);
    // The client's page shows its agent's dashboard, so it needs an instance.
    await env.addSidecar(client.id, 'plan-bakery-agent', 7);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
  });

  const open = async (theme: 'dark' | 'light') => {
    const w = await openPage(browser, env.baseURL, { width: 1440, height: 1000 });
    pages.push(w);
    await w.context.addInitScript((t) => localStorage.setItem('ds.theme', t), theme);
    await login(w.page, ADMIN.email, ADMIN.password);
    await w.page.waitForURL(/\/fleet\//);
    return w;
  };
  // The hub's deliberate 400 for the bad currency is the only failed request allowed.
  const unexpected = (errors: string[]) => errors.filter((e) => !/status of 400 .*\/api\/v1\/plans\/starter$/.test(e));
  const alertText = (page: Page) => page.locator('[data-testid=plan-form] [role=alert]').innerText();

  it('edits a plan with the keyboard, shows readable errors, and the client page shows it', async () => {
    const { page, errors } = await open('dark');
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await page.goto('/clients/');
    const plans = page.locator('[data-testid=plans]');
    await plans.locator('[data-testid=plan-row]').first().waitFor({ timeout: 30_000 });
    expect(await plans.locator('[data-testid=plan-row]').count()).toBe(3);

    await page.getByRole('button', { name: 'Edit the Starter plan' }).click();
    const form = page.locator('[data-testid=plan-form]');
    await form.waitFor();
    const price = form.getByLabel('Price a month');
    expect(await price.inputValue()).toBe('49.00');

    // Caught in the browser: the field is named, marked invalid and focused.
    await price.fill('forty');
    await price.press('Enter');
    expect(await alertText(page)).toBe('Price: an amount such as 49 or 49.50');
    expect(await price.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(await price.getAttribute('id'));

    // Refused by the hub: its validation message, as it answered.
    await price.fill('59.50');
    await form.getByLabel('Currency (ISO code)').fill('E1');
    await form.getByLabel('Currency (ISO code)').press('Enter');
    await expect.poll(() => alertText(page)).toMatch(/currency.*three-letter ISO currency code/);

    // Keyboard only: tab to the fields, pick the hard-limit policy from the list, Enter saves.
    await form.getByLabel('Currency (ISO code)').fill('EUR');
    await form.getByLabel('Included messages').fill('7,000');
    await form
      .getByLabel('Allowed models (one per line; none listed allows any)')
      .fill('anthropic/claude-haiku-4-5\nanthropic/claude-sonnet-4-5');
    await form.getByLabel('At the hard budget').focus();
    await page.keyboard.press('Enter');
    const highlighted = page.locator('[role=option][data-highlighted]');
    // The list opens on the current value (Switch to a cheaper model); the one above is Throttle.
    await expect.poll(() => highlighted.innerText()).toBe('Switch to a cheaper model');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => highlighted.innerText()).toBe('Throttle the agent');
    await page.keyboard.press('Enter');
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    expect(await form.getByLabel('At the hard budget').innerText()).toBe('Throttle the agent');
    await screenshot(page, 'plan-form-dark');
    await price.press('Enter');
    await form.waitFor({ state: 'detached' });
    const starter = plans.locator('[data-testid=plan-row]', { hasText: 'Starter' });
    await expect.poll(() => starter.innerText()).toMatch(/€59\.50/);
    const text = await starter.innerText();
    expect(text).toMatch(/7K messages/);
    expect(text).toMatch(/Throttle the agent/);
    expect(text).toContain('anthropic/claude-sonnet-4-5');

    const saved = await env.api<
      { id: string; priceCents: number; includedMessages: number; hardLimit: string; models: string[] }[]
    >('GET', '/plans', undefined, env.adminToken);
    expect(saved.find((p) => p.id === 'starter')).toMatchObject({
      priceCents: 5950,
      includedMessages: 7000,
      hardLimit: 'throttle',
      models: ['anthropic/claude-haiku-4-5', 'anthropic/claude-sonnet-4-5'],
    });

    // The client's plan and status, from its row.
    const row = page.locator('[data-testid=client-row]', { hasText: 'Plan Bakery' });
    await row.getByRole('button', { name: "Change Plan Bakery's plan or status" }).click();
    const cf = page.locator('[data-testid=client-plan-form]');
    await cf.getByRole('combobox', { name: 'Plan' }).click();
    await page.getByRole('option', { name: 'Starter' }).click();
    await cf.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'active' }).click();
    await cf.getByRole('button', { name: 'Save' }).click();
    await cf.waitFor({ state: 'detached' });
    await expect.poll(() => row.innerText()).toMatch(/starter[\s\S]*active/);
    expect(unexpected(errors)).toEqual([]);

    // The client's Usage & Billing page shows the edited plan.
    await page.goto(`/client/?clientId=${encodeURIComponent(client.id)}`);
    const card = page.locator('[data-testid=usage-billing]');
    await card.waitFor({ timeout: 30_000 });
    await expect.poll(() => card.innerText()).toMatch(/Starter plan · €59\.50 a month/);
    const limits = await page.locator('[data-testid=limits]').innerText();
    expect(limits).toMatch(/7,000 messages included/);
    expect(limits).toMatch(/At €50\.00 the agent is slowed down/);
    expect(unexpected(errors)).toEqual([]);
  }, 180_000);

  it('the plan form in the light theme', async () => {
    const { page, errors } = await open('light');
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
    await page.goto('/clients/');
    await page.getByRole('button', { name: 'Edit the Growth plan' }).click();
    const form = page.locator('[data-testid=plan-form]');
    await form.waitFor();
    // Light surface, dark text: the form follows the theme.
    const [bg, fg] = await form.evaluate((el) => {
      const dialog = el.closest('[role=dialog]') as HTMLElement;
      return [
        getComputedStyle(dialog).backgroundColor,
        getComputedStyle(el.querySelector('input') as HTMLElement).color,
      ];
    });
    // Lightness of a computed colour (rgb() or Tailwind's oklch()), 0..1.
    const lum = (c: string) => {
      const n = (c.match(/[\d.]+/g) ?? []).map(Number);
      return c.startsWith('oklch') ? n[0] : (n[0] + n[1] + n[2]) / 765;
    };
    expect(lum(bg)).toBeGreaterThan(lum(fg));
    await screenshot(page, 'plan-form-light');
    expect(errors).toEqual([]);
  }, 120_000);
});
