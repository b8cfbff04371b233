/**
 * Browser tests of the identity and operations pages against a real hub (PGlite, embedded
 * broker, a real sidecar) serving the built export: password reset through the mailed link, an
 * admin's service token, a client owner's secret and IP allowlist over a cookie-only session
 * (as after single sign-on, so CSRF applies), support tickets from client to inbox and back (with a screenshot and a log excerpt), and the
 * audit log of those actions.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
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
import { ADMIN, type FleetEnv, type SimSidecar, startFleetEnv } from './helpers/fleet-env.js';
import { type MailRelay, startMailRelay } from './helpers/mail-relay.js';

const OWNER = { email: 'owner@initech.test', password: 'owner-password-123' };
const VIEWER = { email: 'viewer@initech.test', password: 'viewer-password-123' };
const SECRET_VALUE = 'sk-test-never-shown-4f9c2a';
/** A real 1×1 PNG, so the preview has an image to decode. */
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Refusals a test provokes on purpose (the browser logs each as a failed resource). */
const EXPECTED = [/password-reset\/confirm/, /\/settings\b/, /\/auth\/sso\/start/];
const unexpected = (errors: string[]) =>
  errors.filter((e) => !(/Failed to load resource/.test(e) && EXPECTED.some((r) => r.test(e))));

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('identity and operations pages in a browser', () => {
  let env: FleetEnv;
  let relay: MailRelay;
  let browser: Browser;
  let initech: { id: string };
  let agent: SimSidecar;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    relay = await startMailRelay();
    env = await startFleetEnv({ mailTransport: relay.url });
    initech = await env.createClient('Initech');
    await env.api('POST', `/clients/${initech.id}/users`, { ...OWNER, role: 'client_owner' }, env.adminToken);
    await env.api('POST', `/clients/${initech.id}/users`, { ...VIEWER, role: 'client_viewer' }, env.adminToken);
    agent = await env.addSidecar(initech.id, 'initech-agent-1', 4);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
    await relay?.close();
  });

  const newPage = async () => {
    const p = await openPage(browser, env.baseURL);
    pages.push(p);
    return p;
  };

  it('a user resets a forgotten password through the mailed link; the link works once', async () => {
    const { page, errors } = await newPage();
    await page.goto('/login/');
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.fill('#reset-email', VIEWER.email);
    await screenshot(page, 'forgot-password');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('a link to set a new password is on its way').waitFor();
    const link = await relay.linkFor(VIEWER.email);
    expect(link).toContain('/reset-password/?token=');

    await page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await page.fill('#new-password', 'brand-new-password-1');
    await page.fill('#repeat-password', 'brand-new-password-1');
    await screenshot(page, 'reset-password');
    await page.click('[data-testid=reset-submit]');
    await page.locator('[data-testid=reset-done]').waitFor();

    // The same link a second time: a clear "used or expired" state, not a raw error.
    await page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await page.fill('#new-password', 'another-password-22');
    await page.fill('#repeat-password', 'another-password-22');
    await page.click('[data-testid=reset-submit]');
    await page.locator('[data-testid=reset-expired]').waitFor();
    await expect(page.locator('[data-testid=reset-expired]').innerText()).resolves.toMatch(
      /already used or has expired/,
    );
    await screenshot(page, 'reset-password-expired');

    await login(page, VIEWER.email, 'brand-new-password-1');
    await page.waitForURL('**/client/');
    expect(unexpected(errors)).toEqual([]);
  });

  it('single sign-on asks for the work email and says when its domain has none', async () => {
    const { page, errors } = await newPage();
    await page.goto('/login/');
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    await page.getByLabel('Work email').fill('someone@no-sso.test');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'not set up for this email domain' }).waitFor();
    await screenshot(page, 'sso-sign-in');
    expect(unexpected(errors)).toEqual([]);
  });

  it('the admin creates a scoped service token (shown once) and revokes it', async () => {
    const { page, errors } = await newPage();
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.getByRole('link', { name: 'Users & tokens' }).click();
    await page.waitForURL('**/users/');
    await page.locator(`[data-testid=user-row][data-email="${OWNER.email}"]`).waitFor();

    await page.fill('#account-name', 'ops-agent');
    await page.locator('[data-testid=new-account-form] button[type=submit]').click();
    const account = page.locator('[data-testid=service-account][data-name=ops-agent]');
    await account.waitFor();
    await account.locator('[data-testid=new-token]').click();
    await page.fill('#token-name', 'restart bot');
    await page.locator('[data-scope="command:openclaw.restart"]').check();
    await page.click('[data-testid=create-token]');
    const shown = page.locator('[data-testid=token-value]');
    await shown.waitFor();
    const token = (await shown.innerText()).trim();
    expect(token).toMatch(/^dsa_/);
    await screenshot(page, 'token-created');

    // The token works, with its scopes: read yes, another command type no.
    await expect(env.api('GET', '/instances', undefined, token)).resolves.toBeTruthy();
    await expect(
      env.api('POST', `/instances/${agent.instanceId}/commands`, { type: 'agent.pause', params: {} }, token),
    ).rejects.toThrow(/403/);

    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.locator('body').innerText()).resolves.not.toContain(token);
    const row = account.locator('[data-testid=token-row][data-name="restart bot"]');
    await row.locator('[data-testid=revoke-token]').click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await row.locator('[data-testid=token-revoked]').waitFor();
    await expect(env.api('GET', '/instances', undefined, token)).rejects.toThrow(/401/);
    await screenshot(page, 'users-and-tokens');
    expect(unexpected(errors)).toEqual([]);
  });

  it('a client owner on a cookie-only session sets a secret (never shown again) and the IP allowlist', async () => {
    const { page, context, errors } = await newPage();
    // Sign in the way single sign-on ends: only the session cookie, no bearer token in the app.
    const res = await fetch(`${env.baseURL}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(OWNER),
    });
    const cookie = /ds_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    expect(cookie).toBeTruthy();
    await context.addCookies([{ name: 'ds_session', value: cookie as string, url: env.baseURL }]);
    // The login page marks single sign-on as pending before it leaves for the provider. Written
    // here by an init script of the document that loads `/`, so the mark cannot be lost between
    // two renderer processes as a write from another page could.
    await context.addInitScript(() => {
      if (window.location.pathname === '/' && !window.sessionStorage.getItem('sso-mark-set')) {
        window.sessionStorage.setItem('sso-mark-set', '1');
        window.localStorage.setItem('ds.sso-pending', '1');
      }
    });
    const api: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/')) api.push(`${r.request().method()} ${r.url()} -> ${r.status()}`);
    });
    await page.goto('/');
    await page.waitForURL('**/client/').catch((e: Error) => {
      throw new Error(`${e.message}\nAPI responses the page saw:\n${api.join('\n')}`);
    });
    expect(await page.evaluate(() => window.localStorage.getItem('ds.token'))).toBeNull();

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL('**/settings/');
    await expect(page.locator('[data-testid=client-id]').innerText()).resolves.toBe(initech.id);
    await page.fill('#secret-name', 'OPENAI_API_KEY');
    await page.fill('#secret-value', SECRET_VALUE);
    await page.click('[data-testid=save-secret]');
    await page.locator('[data-testid=secret-row][data-name=OPENAI_API_KEY]').waitFor();
    await expect(page.inputValue('#secret-value')).resolves.toBe('');
    await page.reload();
    await page.locator('[data-testid=secret-row][data-name=OPENAI_API_KEY]').waitFor();
    expect(await page.content()).not.toContain(SECRET_VALUE);
    const listed = await env.api<unknown>('GET', `/clients/${initech.id}/secrets`, undefined, env.adminToken);
    expect(JSON.stringify(listed)).not.toContain(SECRET_VALUE);

    // A list without the caller's own address is refused with the hub's reason…
    const list = page.locator('[data-testid=ip-allowlist]');
    await list.fill('10.20.0.0/16');
    await page.click('[data-testid=save-allowlist]');
    await page.getByRole('alert').filter({ hasText: 'must include your own address' }).waitFor();
    // …one with it is saved and is there after a reload.
    await list.fill('127.0.0.1\n::1\n10.20.0.0/16');
    await page.click('[data-testid=save-allowlist]');
    await page.getByText('IP allowlist saved').waitFor();
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=ip-allowlist]').inputValue()).toContain('10.20.0.0/16');
    await screenshot(page, 'client-settings');
    expect(unexpected(errors)).toEqual([]);
  });

  it('a client asks with suggested articles and a screenshot, an operator answers with the logs, the client sees the reply and the files but never the note', async () => {
    // Log lines of the client's instance, as ingest stores them, for the excerpt.
    await env.hub.db.query(
      "INSERT INTO log_lines (instance_id, t, level, subsystem, msg) VALUES ($1, now() - interval '2 minutes', 'warn', 'telegram', 'sendMessage slow: 58000 ms')",
      [agent.instanceId],
    );
    const owner = await newPage();
    await login(owner.page, OWNER.email, OWNER.password);
    await owner.page.waitForURL('**/client/');
    await owner.page.locator('[data-testid=action-help]').click();
    await owner.page.fill('#help-subject', 'Agent answers slowly on Telegram');
    await owner.page.fill('#help-body', 'Since this morning replies take a minute. Is my Telegram bot token wrong?');
    // Articles that may answer it appear while typing.
    await owner.page.locator('[data-testid=suggested-articles]', { hasText: 'Connecting Telegram' }).waitFor();
    // A screenshot goes with the request.
    await owner.page
      .getByRole('dialog')
      .locator('[data-testid=attach-file-input]')
      .setInputFiles({ name: 'telegram-screen.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await owner.page.locator('[data-testid=pending-file]', { hasText: 'telegram-screen.png' }).waitFor();
    await screenshot(owner.page, 'client-get-help');
    await owner.page.getByRole('button', { name: 'Send' }).click();
    await owner.page.locator('[data-testid=my-request][data-status=open]').waitFor();

    const admin = await newPage();
    await login(admin.page, ADMIN.email, ADMIN.password);
    await admin.page.waitForURL('**/fleet/');
    await admin.page.goto('/support/');
    const req = admin.page.locator('[data-testid=support-request][data-subject="Agent answers slowly on Telegram"]');
    await req.click();
    const ticket = admin.page.locator('[data-testid=ticket-view]');
    await ticket.waitFor();
    await admin.page.locator('[data-testid=ticket-context]', { hasText: 'initech-agent-1' }).waitFor();
    // The client's screenshot is shown in the thread, as an image that loaded.
    const shot = ticket.locator('[data-testid=attachment][data-filename="telegram-screen.png"]');
    await shot.locator('[data-testid=attachment-preview]').waitFor();
    await expect
      .poll(() => shot.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);

    // The operator takes the ticket, and finds it under "Mine".
    await admin.page.getByRole('combobox', { name: 'Assignee', exact: true }).click();
    await admin.page.getByRole('option', { name: ADMIN.email }).click();
    await ticket.locator('[data-testid=thread-system]', { hasText: `assigned to ${ADMIN.email}` }).waitFor();
    await admin.page.getByRole('combobox', { name: 'Assignee filter' }).click();
    await admin.page.getByRole('option', { name: 'Mine' }).click();
    await req.locator('[data-testid=ticket-assignee]', { hasText: ADMIN.email }).waitFor();

    await admin.page.fill('#op-note', 'Internal: model provider was rate limiting this morning');
    await admin.page.click('[data-testid=add-note]');
    await admin.page.locator('[data-testid=thread-note]').waitFor();
    // The instance's recent logs, attached in one click, for the client to see.
    await ticket.locator('[data-testid=attach-logs]').click();
    await ticket.locator('[data-testid=attachment][data-filename^="logs-initech-agent-1"]').waitFor();
    await admin.page.fill(
      '#op-reply',
      'Your token is fine: the model provider was slow this morning (see the logs). It is back to normal.',
    );
    await admin.page.click('[data-testid=send-reply]');
    await admin.page.locator('[data-testid=ticket-state]', { hasText: 'Waiting on client' }).waitFor();
    await screenshot(admin.page, 'support-ticket');

    await owner.page.goto('/client/help/');
    await owner.page.locator('[data-testid=client-ticket][data-subject="Agent answers slowly on Telegram"]').click();
    const view = owner.page.locator('[data-testid=client-ticket-view]');
    await view.locator('[data-testid=thread-message][data-author=operator]', { hasText: 'back to normal' }).waitFor();
    expect(await view.locator('[data-testid=thread-note]').count()).toBe(0);
    expect(await view.textContent()).not.toContain('rate limiting');
    // Both files are in the client's thread; the log excerpt downloads with the instance's lines.
    await view.locator('[data-testid=attachment][data-filename="telegram-screen.png"] img').waitFor();
    const logs = view.locator('[data-testid=attachment][data-filename^="logs-initech-agent-1"]');
    const [file] = await Promise.all([
      owner.page.waitForEvent('download'),
      logs.locator('[data-testid=attachment-download]').click(),
    ]);
    const text = readFileSync(await file.path(), 'utf8');
    expect(text).toContain('Log excerpt of initech-agent-1');
    expect(text).toContain('sendMessage slow: 58000 ms');

    // The client answers with a file of their own; the ticket is back with the operator.
    await owner.page.fill('#client-reply', 'Thanks, all good now. Here is what I see.');
    await view
      .locator('[data-testid=attach-file-input]')
      .setInputFiles({ name: 'after.txt', mimeType: 'text/plain', buffer: Buffer.from('all replies under 2 s\n') });
    await owner.page.click('[data-testid=client-send]');
    await view.locator('[data-testid=thread-message][data-author=client]', { hasText: 'all good now' }).waitFor();
    await view.locator('[data-testid=attachment][data-filename="after.txt"]').waitFor();
    // The list beside the thread follows: the ticket is open again, no longer "Replied".
    await owner.page
      .locator('[data-testid=client-ticket][data-subject="Agent answers slowly on Telegram"]', { hasText: 'Open' })
      .waitFor();
    await screenshot(owner.page, 'client-help');
    await admin.page.reload();
    await admin.page.locator('[data-testid=ticket-state]', { hasText: 'Open' }).waitFor();
    await admin.page.locator('[data-testid=ticket-view] [data-testid=attachment][data-filename="after.txt"]').waitFor();
    expect(unexpected(owner.errors)).toEqual([]);
    expect(unexpected(admin.errors)).toEqual([]);
    // Two sessions and a few dozen steps: on a loaded machine this takes minutes.
  }, 300_000);

  it('the audit page shows those actions and filters them', async () => {
    const { page, errors } = await newPage();
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL('**/audit/');
    await page.locator('[data-testid=audit-page]').waitFor();
    await page.locator('[data-testid=audit-row]').first().waitFor();
    await screenshot(page, 'audit');
    for (const action of [
      'auth.password_reset',
      'token.create',
      'token.revoke',
      'secret.put',
      'client.settings',
      'ticket.reply',
    ])
      await page.locator(`[data-testid=audit-row][data-action="${action}"]`).first().waitFor();
    await page.fill('#f-action', 'token.revoke');
    await page.click('[data-testid=apply-filters]');
    await expect.poll(() => page.locator('[data-testid=audit-row]').count()).toBe(1);
    await screenshot(page, 'audit-filtered');
    expect(unexpected(errors)).toEqual([]);
  });
});
