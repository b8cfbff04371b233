/**
 * The client's Integrations page in a browser against a real hub serving the built export: an
 * owner creates an API key from the keyboard, sees its token once with a request to try it, the
 * key works against the API, a bad expiry is a readable error, and revoking ends the key; in the
 * dark and the light theme.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, launchBrowser, login, openPage, screenshot } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

const OWNER = { email: 'owner@globex.test', password: 'owner-password-123' };

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('client integrations page in a browser', () => {
  let env: FleetEnv;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv();
    const globex = await env.createClient('Globex');
    await env.api('POST', `/clients/${globex.id}/users`, { ...OWNER, role: 'client_owner' }, env.adminToken);
    browser = await launchBrowser();
  }, 600_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await env?.close();
  });

  const instancesWith = (token: string) =>
    fetch(`${env.baseURL}/api/v1/instances`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  for (const theme of ['dark', 'light'] as const)
    it(`creates, shows once and revokes an API key (${theme})`, async () => {
      const { page, context, errors } = await openPage(browser, env.baseURL);
      await context.addInitScript((t) => localStorage.setItem('ds.theme', t), theme);
      await login(page, OWNER.email, OWNER.password);
      await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 });
      await page.getByRole('link', { name: 'Integrations' }).click();
      const panel = page.getByTestId('api-keys-panel');
      await panel
        .getByText('No keys yet.')
        .or(panel.getByRole('table', { name: 'API keys' }))
        .first()
        .waitFor();
      expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');

      // A past expiry: the hub's refusal reads as a sentence.
      await page.getByLabel('Name').fill('old key');
      await page.getByLabel('Expires (optional)').fill('2020-01-01');
      await page.getByLabel('Name').press('Enter');
      await panel.getByRole('alert').filter({ hasText: 'must be in the future' }).waitFor();

      // From the keyboard: name, tab to the scopes, tick `issue ping` with space, submit with Enter.
      const name = `CRM sync ${theme}`;
      await page.getByLabel('Expires (optional)').fill('');
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('issue ping').focus();
      await page.keyboard.press('Space');
      expect(await page.getByLabel('issue ping').isChecked()).toBe(true);
      await page.getByLabel('Name').press('Enter');

      const created = page.getByTestId('api-key-created');
      await created.waitFor();
      const token = (await created.locator('code').first().innerText()).trim();
      expect(token).toMatch(/^dsa_/);
      expect(await created.locator('code').nth(1).innerText()).toContain(`Bearer ${token}`);
      await created.getByRole('button', { name: 'Copy the key' }).waitFor();
      await created.getByRole('button', { name: 'Copy the example request' }).waitFor();
      expect(await instancesWith(token)).toBe(200);
      await screenshot(page, `integrations-${theme}`);

      // Gone once dismissed; the list shows the key by its prefix only.
      await created.getByRole('button', { name: 'Done' }).click();
      const row = panel.locator('tr', { hasText: name });
      await row.waitFor();
      expect(await page.locator('body').innerText()).not.toContain(token);
      expect(await row.innerText()).toContain('command:ping');

      await row.getByRole('button', { name: `Revoke ${name}` }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
      await row.getByText('revoked').waitFor();
      expect(await instancesWith(token)).toBe(401);
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
      await context.close();
    });
});
