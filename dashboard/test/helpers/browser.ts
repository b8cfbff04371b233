import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ARTIFACTS_DIR } from './build.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Debian's Chromium with the flags that work headless in containers (FACTS.md). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Routes the dashboard calls that a hub may not offer yet; their 404 is handled by the page
 * (a "not available" state) and is not a page error.
 */
const OPTIONAL_ROUTES = [
  /\/api\/v1\/announcements/,
  /\/api\/v1\/support-requests/,
  /\/api\/v1\/rollouts/,
  /\/api\/v1\/instances\/[^/]+\/console/,
  /\/api\/v1\/instances\/[^/]+\/commands\?/,
  /\/api\/v1\/fleet\//,
  // An instance the hub did not deploy has no server record: the page shows the manual install.
  /\/api\/v1\/instances\/[^/]+\/server$/,
];

/** A page that records console errors and uncaught exceptions, for the "no errors" check. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
}

export async function openPage(
  browser: Browser,
  baseURL: string,
  viewport = { width: 1440, height: 900 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url ?? '';
    if (/Failed to load resource/.test(msg.text()) && OPTIONAL_ROUTES.some((r) => r.test(url))) return;
    errors.push(`console: ${msg.text()} ${url}`);
  });
  return { page, context, errors };
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

export async function login(page: Page, email: string, password: string) {
  await page.goto('/login/');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}
