/**
 * Browser test of the Agent Ops page against a real hub serving the built export and a real
 * sidecar: the orchestrator (over HTTP with its minted token, as the agent runner does) proposes a
 * restart that its policy sends for approval; the operator sees the diff, approves it from the
 * page, the hub executes it on the sidecar and the outcome shows in the history. Pausing the
 * agent from the page makes the hub refuse its next proposal.
 */
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

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('agent ops page in a browser', () => {
  let env: FleetEnv;
  let browser: Browser;
  let side: SimSidecar;
  let agentToken: string;
  /** A call as the orchestrator: its errors come back as `{status, code}`. */
  const asAgent = async <T>(p: string, body: unknown): Promise<T> => {
    const res = await fetch(`${env.baseURL}/api/v1${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw Object.assign(new Error(json.error.message), { status: res.status, code: json.error.code });
    return json as T;
  };
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    env = await startFleetEnv();
    const client = await env.createClient('Initech');
    side = await env.addSidecar(client.id, 'initech-agent-1', 5);
    const minted = await env.api<{ token: string }>('POST', '/ops-agents/orchestrator/token', {}, env.adminToken);
    agentToken = minted.token;
    await env.api(
      'PUT',
      '/ops-agents/orchestrator/policy',
      { actions: { 'openclaw.restart': 'approve' } },
      env.adminToken,
    );
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const p of pages) await p.context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await env?.close();
  });

  it('an operator approves an agent-posted proposal from the page; it runs and its outcome shows', async () => {
    const deadline = Date.now() + 30_000;
    while (env.hub.ctx.fleet.get(side.instanceId)?.status !== 'online' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const finding = await asAgent<{ id: string }>('/agent-findings', {
      instanceId: side.instanceId,
      kind: 'openclaw_down',
      severity: 'critical',
      what: 'OpenClaw is down (gateway exited)',
      evidence: { openclaw: { up: false } },
    });
    const p = await asAgent<{ id: string; status: string }>('/agent-proposals', {
      findingId: finding.id,
      title: 'Restart OpenClaw on initech-agent-1',
      commands: [{ instanceId: side.instanceId, type: 'openclaw.restart', params: {} }],
      expectedEffect: 'OpenClaw is up and ready again',
      risk: 'low',
      reasoning: 'OpenClaw down for 130 s (grace 120 s)',
    });
    expect(p.status).toBe('pending');

    const watched = await openPage(browser, env.baseURL);
    pages.push(watched);
    const { page, errors } = watched;
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/fleet/');
    await page.getByRole('link', { name: /Agent Ops/ }).click();
    await page.waitForURL('**/agents/');
    await expect(
      page.locator('[data-testid=agent-tile][data-agent=orchestrator] [data-testid=agent-state]').innerText(),
    ).resolves.toBe('running');

    const card = page.locator(`[data-testid=approval-queue] [data-testid=proposal][data-id=${p.id}]`);
    await card.waitFor({ timeout: 30_000 });
    const diff = await card.locator('[data-testid=proposal-diff]').innerText();
    expect(diff).toContain('initech-agent-1');
    expect(diff).toContain('+ run openclaw.restart');
    expect(diff).toContain('+ expected: OpenClaw is up and ready again');
    await screenshot(page, 'agent-ops-queue');

    await card.locator('[data-testid=proposal-approve]').click();
    await page.click('[data-testid=tab-history]');
    const done = page.locator(
      `[data-testid=proposal-history] [data-testid=proposal][data-id=${p.id}][data-status=succeeded]`,
    );
    await done.waitFor({ timeout: 30_000 });
    await expect(done.locator('[data-testid=proposal-outcomes]').innerText()).resolves.toContain('succeeded');
    expect(side.received).toContain('openclaw.restart');
    await screenshot(page, 'agent-ops-history');

    // Pause from the page: the hub refuses the agent's next proposal.
    await page.click('[data-testid=agent-tile][data-agent=orchestrator] [data-testid=agent-pause]');
    await page
      .locator('[data-testid=agent-tile][data-agent=orchestrator] [data-testid=agent-state]', { hasText: 'paused' })
      .waitFor();
    const refused = await asAgent<{ code?: string }>('/agent-proposals', {
      title: 'again',
      commands: [{ instanceId: side.instanceId, type: 'openclaw.restart', params: {} }],
      expectedEffect: 'x',
      risk: 'low',
      reasoning: 'x',
    }).catch((e: { code: string }) => e);
    expect(refused.code).toBe('HUB_ERR_POLICY_PAUSED');
    await page.click('[data-testid=agent-tile][data-agent=orchestrator] [data-testid=agent-resume]');
    await page
      .locator('[data-testid=agent-tile][data-agent=orchestrator] [data-testid=agent-state]', { hasText: 'running' })
      .waitFor();
    // Dry-run from the page: the hub records the next proposal and never executes it.
    await page.click('[data-testid=agent-tile][data-agent=orchestrator] [data-testid=agent-dry-run]');
    await page
      .locator('[data-testid=agent-tile][data-agent=orchestrator] [data-testid=agent-state]', { hasText: 'dry-run' })
      .waitFor();
    const dry = await asAgent<{ id: string; status: string }>('/agent-proposals', {
      title: 'dry',
      commands: [{ instanceId: side.instanceId, type: 'openclaw.restart', params: {} }],
      expectedEffect: 'x',
      risk: 'low',
      reasoning: 'x',
    });
    expect(dry.status).toBe('dry_run');
    await page
      .locator(`[data-testid=proposal-history] [data-testid=proposal][data-id=${dry.id}][data-status=dry_run]`)
      .waitFor();
    expect(side.received.filter((t) => t === 'openclaw.restart')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('an approved update outside the window shows the window it waits for', async () => {
    await env.api('PUT', '/ops-agents/orchestrator/policy', { dryRun: false }, env.adminToken);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const client = env.hub.ctx.fleet.get(side.instanceId)?.clientId;
    await env.api(
      'POST',
      '/maintenance-windows',
      {
        clientId: client,
        name: 'night',
        timeZone: 'UTC',
        startDate: tomorrow,
        startTime: '03:00',
        durationMin: 60,
        days: [0, 1, 2, 3, 4, 5, 6],
      },
      env.adminToken,
    );
    const p = await asAgent<{ id: string; status: string }>('/agent-proposals', {
      title: 'Update OpenClaw on initech-agent-1 to 2026.9.6',
      commands: [{ instanceId: side.instanceId, type: 'openclaw.update', params: { version: '2026.9.6' } }],
      expectedEffect: 'OpenClaw 2026.9.6, applied in the maintenance window',
      risk: 'medium',
      reasoning: 'OpenClaw 2026.1.2 is behind the pinned 2026.9.6',
    });
    expect(p.status).toBe('pending');
    const { page, errors } = pages[0];
    await page.click('[data-testid=tab-queue]');
    const card = page.locator(`[data-testid=proposal][data-id=${p.id}]`);
    await card.waitFor({ timeout: 30_000 });
    await card.locator('[data-testid=proposal-approve]').click();
    await page.click('[data-testid=tab-history]');
    const held = page.locator(
      `[data-testid=proposal-history] [data-testid=proposal][data-id=${p.id}][data-status=executing]`,
    );
    await held.waitFor({ timeout: 30_000 });
    await expect(held.locator('[data-testid=proposal-outcomes]').innerText()).resolves.toContain(
      `waits for the maintenance window from ${tomorrow} 03:00 UTC`,
    );
    await screenshot(page, 'agent-ops-window');
    expect(side.received).not.toContain('openclaw.update');
    expect(errors).toEqual([]);
  });
});
