/**
 * The client page shows the persona experiments with per-variant results (a bar per variant) and
 * this week's report, in both themes, against a real hub with conversations ingested over MQTT.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSidecar, pub, startTestHub, type TestHub } from '../../hub/test/helpers/hub.js';
import { until } from '../../hub/test/helpers/sidecar-proc.js';
import { CHROMIUM, hasChromium, launchBrowser, login, openPage, screenshot } from './helpers/browser.js';
import { ensureDashboardBuilt } from './helpers/build.js';

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('client page: experiments and the weekly report', () => {
  let hub: TestHub;
  let browser: Browser;
  const owner = { email: 'owner@shoes.test', password: 'password-123' };

  beforeAll(async () => {
    ensureDashboardBuilt();
    hub = await startTestHub();
    const clientId = (
      await hub.api<{ id: string }>('POST', '/clients', { name: 'Shoes', industry: 'retail', plan: 'starter' })
    ).body.id;
    await hub.api('POST', `/clients/${clientId}/users`, { ...owner, role: 'client_owner' });
    await hub.api('PUT', `/onboarding/personality?clientId=${clientId}`, {
      name: 'Ada',
      tone: 'friendly',
      emoji: '👟',
      avatar: '',
      instructions: 'Help with orders.',
    });
    const inst = await hub.newInstance(clientId);
    const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
    await pub(c, `ds/v1/${inst.id}/status`, {
      v: 1,
      id: 'st',
      instanceId: inst.id,
      bootId: 'b',
      seq: 0,
      ts: Date.now(),
      state: 'online',
    });
    const exp = await hub.api<{ id: string }>('POST', '/experiments', {
      instanceId: inst.id,
      name: 'Explain returns',
      variantB: { label: 'explain returns', instructions: 'Help with orders. Explain the return steps.' },
    });
    expect(exp.status).toBe(201);
    let seq = 0;
    let n = 0;
    const send = async (messages: Record<string, unknown>[]) => {
      await pub(c, `ds/v1/${inst.id}/conversations`, {
        v: 1,
        id: `c${seq}`,
        instanceId: inst.id,
        bootId: 'b',
        seq: seq++,
        ts: Date.now(),
        messages,
      });
      n += messages.length;
      await until(
        async () => {
          const r = await hub.db.query<{ n: string }>(
            'SELECT count(*) AS n FROM conversation_messages WHERE instance_id = $1',
            [inst.id],
          );
          return Number(r[0].n) >= n || null;
        },
        60_000,
        'conversations stored',
      );
    };
    const t = Date.now();
    const people = ['p0', 'p1', 'p2', 'p3'];
    await send(
      people.map((p, i) => ({
        messageId: `${p}-0`,
        t: t + i,
        sessionKey: `agent:main:telegram:direct:${p}`,
        channel: 'telegram',
        role: 'user',
        text: 'How do I return shoes?',
      })),
    );
    // Reading the experiment assigns them A, B, A, B; their next conversation runs on their variant's agent.
    await hub.api('GET', `/experiments/${exp.body.id}`);
    await send(
      people.flatMap((p, i) => {
        const b = i % 2 === 1;
        const key = `agent:${b ? 'ab-b' : 'main'}:telegram:direct:${p}`;
        return [
          {
            messageId: `${p}-1`,
            t: t + 1000 + 2 * i,
            sessionKey: key,
            channel: 'telegram',
            role: 'user',
            text: 'How do I return shoes?',
          },
          {
            messageId: `${p}-2`,
            t: t + 1001 + 2 * i,
            sessionKey: key,
            channel: 'telegram',
            role: 'assistant',
            cost: 0.003,
            text: b ? 'Open the order, pick "return", print the label.' : 'I will pass this to a colleague.',
          },
        ];
      }),
    );
    await hub.api('GET', `/experiments/${exp.body.id}`);
    await c.endAsync();
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await hub?.close();
  });

  for (const theme of ['dark', 'light'] as const)
    it(`shows each variant's results with a chart (${theme})`, async () => {
      const { page, context, errors } = await openPage(browser, hub.httpUrl);
      await context.addInitScript((t) => localStorage.setItem('ds.theme', t), theme);
      await login(page, owner.email, owner.password);
      await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 });
      await page.goto('/client/');
      const card = page.getByTestId('experiment');
      await expect.poll(() => card.count(), { timeout: 60_000 }).toBe(1);
      expect(await card.getAttribute('data-status')).toBe('running');
      // A resolved none of its 2 people, B both.
      expect(await page.getByTestId('bar-A').getAttribute('style')).toContain('width: 0%');
      expect(await page.getByTestId('bar-B').getAttribute('style')).toContain('width: 100%');
      expect(await page.getByTestId('experiment-reason').textContent()).toMatch(/waiting for 100 sessions per variant/);
      await expect
        .poll(() => page.getByTestId('weekly-conversations').textContent(), { timeout: 30_000 })
        .toMatch(/^6/); // 4 first contacts + 2 sessions on the variant's agent
      expect(await page.getByTestId('weekly-topics').textContent()).toContain('How do I return shoes?');
      expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');
      await screenshot(page, `client-experiments-${theme}`);
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
});
