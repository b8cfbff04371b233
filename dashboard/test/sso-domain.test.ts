/**
 * The SSO card in a browser against a real hub whose DNS look-ups go to a local DNS server: the
 * owner saves single sign-on, is shown the TXT record to publish, and the card turns to "on" only
 * once the hub has found it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer } from '../../hub/test/helpers/dns.js';
import { CHROMIUM, hasChromium, launchBrowser, login, openPage, screenshot } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';
import { type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

const OWNER = { email: 'owner@globex.test', password: 'owner-password-123' };

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('SSO domain proof on the settings page', () => {
  let env: FleetEnv;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    dns = await startDnsServer();
    // The issuer is never contacted here; loopback http is allowed as for a test provider.
    env = await startFleetEnv({ ssoAllowInsecureIssuers: true, dnsServers: dns.server });
    const globex = await env.createClient('Globex');
    await env.api('POST', `/clients/${globex.id}/users`, { ...OWNER, role: 'client_owner' }, env.adminToken);
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await env?.close();
    await dns?.close();
  });

  it('shows the TXT record to publish and turns SSO on once the hub finds it', async () => {
    const { page, errors, context } = await openPage(browser, env.baseURL);
    await login(page, OWNER.email, OWNER.password);
    await page.waitForURL('**/client/');
    await page.goto('/settings/');
    const card = page.locator('[data-testid=sso-card]');
    await card.waitFor();
    await page.fill('#sso-issuer', 'http://127.0.0.1:9');
    await page.fill('#sso-client', 'deepsignal-hub');
    await page.fill('#sso-domain', 'globex.test');
    await card.getByRole('button', { name: 'Save' }).click();

    const proof = page.locator('[data-testid=sso-domain-proof]');
    await proof.waitFor();
    expect(await card.textContent()).toMatch(/waiting for proof that globex\.test is yours/);
    const record = (await proof.locator('code').textContent()) ?? '';
    const value = /"(deepsignal-verification=[^"]+)"/.exec(record)?.[1] as string;
    expect(record).toContain('_deepsignal-challenge.globex.test TXT');
    expect(value).toBeTruthy();
    await screenshot(page, 'sso-domain-proof');

    await proof.getByRole('button', { name: 'Check DNS' }).click();
    await proof.getByRole('alert').filter({ hasText: 'no TXT record _deepsignal-challenge.globex.test' }).waitFor();

    dns.zones['_deepsignal-challenge.globex.test'] = { TXT: [value] };
    await proof.getByRole('button', { name: 'Check DNS' }).click();
    await page.locator('[data-testid=sso-domain-verified]').waitFor();
    await expect.poll(() => card.textContent()).toMatch(/On: people of globex\.test sign in through 127\.0\.0\.1:9/);
    // The refused first check is a 422 the browser logs as a failed resource; nothing else failed.
    expect(errors.filter((e) => !/Failed to load resource.*422/.test(e))).toEqual([]);
    await context.close();
  });
});
