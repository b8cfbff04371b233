/**
 * Browser test of the client's Integrations page against a real hub serving the built export: a
 * client owner creates an API key and calls the API with it, adds a webhook, copies the secret
 * shown once, sends a test event that a Standard Webhooks receiver verifies, and sees the delivery
 * in the log; a ticket update arrives too.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '../../hub/test/helpers/fake-alert-receivers.js';
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
import { type FleetEnv, startFleetEnv } from './helpers/fleet-env.js';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

const OWNER = { email: 'owner@hooks.test', password: 'owner-password-123' };

describe.skipIf(!hasChromium)('client webhooks in a browser', () => {
  let env: FleetEnv;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let clientId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    receiver = await startWebhookReceiver();
    // The receiver is on 127.0.0.1 over http: private targets allowed for the test.
    env = await startFleetEnv({ webhooksAllowPrivateTargets: true });
    clientId = (await env.createClient('Hooks Hardware')).id;
    await env.api('POST', `/clients/${clientId}/users`, { ...OWNER, role: 'client_owner' }, env.adminToken);
    browser = await launchBrowser();
  }, 600_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
    await receiver?.close();
  });

  it('a client owner creates a key and a webhook, sends a test event and sees it delivered', async () => {
    const watched = await openPage(browser, env.baseURL);
    pages.push(watched);
    const { page, errors } = watched;
    await login(page, OWNER.email, OWNER.password);
    await page.waitForURL('**/client/**');
    await page.goto('/client/integrations/');

    // First a key for the client's own system: shown once, and it reads the client's agents.
    const keys = page.getByTestId('api-keys-panel');
    await keys.getByText('No keys yet.').waitFor({ timeout: 60_000 });
    await page.getByLabel('Name').fill('CRM');
    await page.getByLabel('Name').press('Enter');
    const created = page.getByTestId('api-key-created');
    await created.waitFor();
    const token = (await created.locator('code').first().innerText()).trim();
    expect(token).toMatch(/^dsa_/);
    const listed = await fetch(`${env.baseURL}/api/v1/instances`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('ratelimit-policy')).toMatch(/"key";q=\d+/);
    await created.getByRole('button', { name: 'Done' }).click();
    await keys.locator('tr', { hasText: 'CRM' }).waitFor();

    const panel = page.locator('[data-testid=webhooks-panel]');
    await panel.waitFor({ timeout: 60_000 });
    await expect(panel.innerText()).resolves.toContain('No webhooks yet.');

    // Keyboard: URL, then the events' checkboxes, then the submit button.
    await panel.getByLabel('Endpoint URL').fill(`${receiver.url}/hook`);
    await panel.getByLabel(/Support ticket updated/).check();
    await panel.getByLabel(/Agent online \/ offline/).press('Space');
    await panel.getByRole('button', { name: 'Add webhook' }).click();
    const secretBox = panel.locator('[data-testid=webhook-secret]');
    await secretBox.waitFor({ timeout: 30_000 });
    const secret = await secretBox.inputValue();
    expect(secret).toMatch(/^whsec_/);
    receiver.setSecret(secret);
    const row = panel.locator('[data-testid=webhook-row]');
    await expect(row.innerText()).resolves.toContain('ticket.updated');
    await expect(row.innerText()).resolves.toContain('instance.status');
    await screenshot(page, 'webhooks-created');
    await panel.getByRole('button', { name: 'Done' }).click();
    await expect(secretBox.count()).resolves.toBe(0);

    await row.getByRole('button', { name: 'Send test event' }).click();
    const delivery = row.locator('[data-testid=webhook-delivery]').first();
    await delivery.waitFor({ timeout: 30_000 });
    await expect(delivery.innerText()).resolves.toMatch(/webhook\.ping[\s\S]*sent[\s\S]*HTTP 204/);
    const got = await receiver.waitFor((r) => r.path === '/hook', 30_000);
    expect(got.status).toBe(204); // the signature verified with the secret the page showed
    expect(receiver.verified[0]).toMatchObject({ type: 'webhook.ping' });

    // A real event: the operator changes one of the client's tickets; the log shows it after a reload.
    const ticket = await env.api<{ id: string }>(
      'POST',
      '/tickets',
      { subject: 'Printer', body: 'jammed', clientId },
      env.adminToken,
    );
    await env.api('PATCH', `/tickets/${ticket.id}`, { priority: 'high' }, env.adminToken);
    await receiver.waitFor(
      (r) => r.path === '/hook' && (r.json as { type?: string })?.type === 'ticket.updated',
      60_000,
    );
    await row.getByRole('button', { name: 'Hide deliveries' }).click();
    await row.getByRole('button', { name: 'Show deliveries' }).click();
    await row.locator('[data-testid=webhook-delivery]', { hasText: 'ticket.updated' }).waitFor({ timeout: 30_000 });

    // Turned off from the page: the badge says so and the test button is off.
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('disabled', { exact: true }).waitFor({ timeout: 30_000 });
    await expect(row.getByRole('button', { name: 'Send test event' }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'webhooks-log');
    expect(errors).toEqual([]);
  }, 300_000);
});
