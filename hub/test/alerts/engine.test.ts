import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pdEvent, startFakePagerduty } from '../helpers/fake-alert-receivers.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { alertsOf, channel, cycle, fakeClock, offline, online, ROUTING_KEY } from './helpers.js';

/**
 * State transitions of the alert engine against a real hub (PGlite) and a local PagerDuty:
 * a blip stays pending, a lasting failure fires once, keep-firing holds it, recovery resolves it,
 * and a restart neither forgets the firing alert nor pages again.
 */
describe('alert states', () => {
  let pd: Awaited<ReturnType<typeof startFakePagerduty>>;
  let dataDir: string;
  let hub: TestHub;
  let clock: ReturnType<typeof fakeClock>;
  let inst: string;
  const settings = () => ({ dataDir, alertsEvalSec: 3600, alertsRetrySec: 0, pagerdutyUrl: '' });

  beforeAll(async () => {
    pd = await startFakePagerduty();
    dataDir = mkdtempSync(join(tmpdir(), 'alerts-state-'));
    hub = await startTestHub({ ...settings(), pagerdutyUrl: pd.url });
    clock = fakeClock(hub);
    inst = (await hub.newInstance()).id;
    await online(hub, inst);
    await channel(hub, {
      type: 'pagerduty',
      name: 'on-call',
      config: { routingKey: ROUTING_KEY },
      groupBy: ['alertname', 'instance'],
      groupWaitSec: 0,
      groupIntervalSec: 0,
    });
  });
  afterAll(async () => {
    await hub?.close();
    await pd?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await online(hub, inst);
    clock.advance(3600);
    await cycle(hub);
  });

  const triggers = () => pd.received.filter((r) => r.json?.event_action === 'trigger');

  it('a short blip stays pending and never fires', async () => {
    const before = pd.received.length;
    await offline(hub, inst);
    await cycle(hub);
    expect(
      (await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`)).map((a) => [a.ruleId, a.state]),
    ).toEqual([['instance_offline', 'pending']]);
    clock.advance(30);
    await online(hub, inst);
    await cycle(hub);
    expect(await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`)).toEqual([]);
    clock.advance(120);
    await cycle(hub);
    expect(pd.received.length).toBe(before);
    const hist = await hub.api<{ ruleId: string; from: string; to: string }[]>(
      'GET',
      `/alerts/history?instanceId=${inst}`,
    );
    expect(
      hist.body
        .filter((h) => h.ruleId === 'instance_offline')
        .slice(0, 2)
        .map((h) => `${h.from}>${h.to}`),
    ).toEqual(['pending>inactive', 'inactive>pending']);
  });

  it('fires after forSec, pages once, survives a restart without paging again, then resolves', async () => {
    await offline(hub, inst);
    await cycle(hub);
    clock.advance(59);
    await cycle(hub);
    expect((await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`))[0].state).toBe('pending');
    clock.advance(2);
    await cycle(hub);
    const fired = await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`);
    expect(fired[0].state).toBe('firing');
    const trigger = await pd.waitFor((r) => r.json?.event_action === 'trigger');
    const event = pdEvent(trigger);
    expect(trigger.status).toBe(202);
    expect(event.routing_key).toBe(ROUTING_KEY);
    expect(event.dedup_key).toMatch(/^ds-[0-9a-f]{16}$/);
    expect(event.payload).toMatchObject({
      source: inst,
      severity: 'critical',
      component: inst,
      class: 'instance_offline',
    });
    expect(event.payload?.summary).toContain('is offline');
    expect(event.links?.[0].href).toContain(`/instance/?id=${inst}`);
    expect(triggers()).toHaveLength(1);

    // Restart on the same data directory, same clock: the alert is still firing and nothing is re-sent.
    await hub.stop();
    hub = await startTestHub({ ...settings(), pagerdutyUrl: pd.url });
    const at = clock.now;
    clock = fakeClock(hub, at + 5000);
    await cycle(hub);
    expect((await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`))[0].state).toBe('firing');
    clock.advance(30);
    await cycle(hub);
    expect(triggers()).toHaveLength(1);
    const outbox = await hub.db.query("SELECT count(*)::int AS n FROM notification_outbox WHERE kind = 'alert'");
    expect(outbox[0].n).toBe(1);

    await online(hub, inst);
    await cycle(hub);
    const resolve = await pd.waitFor((r) => r.json?.event_action === 'resolve');
    expect(resolve.json?.dedup_key).toBe(event.dedup_key);
    expect((await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`))[0].state).toBe('resolved');
  });

  it('keep-firing holds a firing alert through a short recovery', async () => {
    const rule = await hub.api('PATCH', '/alert-rules/instance_offline', { forSec: 0, keepFiringSec: 120 });
    expect(rule.status).toBe(200);
    try {
      await offline(hub, inst);
      await cycle(hub);
      expect((await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`))[0].state).toBe('firing');
      clock.advance(10);
      await online(hub, inst);
      await cycle(hub);
      clock.advance(60);
      await cycle(hub);
      expect((await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`))[0].state).toBe('firing');
      clock.advance(61);
      await cycle(hub);
      expect((await alertsOf(hub, `?instanceId=${inst}&ruleId=instance_offline`))[0].state).toBe('resolved');
    } finally {
      await hub.api('PATCH', '/alert-rules/instance_offline', { forSec: 60, keepFiringSec: 0 });
    }
  });

  it('rules are listed and edited, bad edits are refused', async () => {
    const rules = await hub.api<{ id: string; enabled: boolean }[]>('GET', '/alert-rules');
    expect(rules.body.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'instance_offline',
        'channel_down',
        'usage_over_plan',
        'budget_near',
        'cert_or_key_expiring',
      ]),
    );
    expect(rules.body.every((r) => r.enabled)).toBe(true);
    expect((await hub.api('PATCH', '/alert-rules/disk_high', { forSec: -1 })).status).toBe(400);
    expect((await hub.api('PATCH', '/alert-rules/disk_high', { nope: 1 })).status).toBe(400);
    expect((await hub.api('PATCH', '/alert-rules/no_such_rule', { forSec: 1 })).status).toBe(404);
    const ok = await hub.api<{ threshold: number }>('PATCH', '/alert-rules/disk_high', { threshold: 85 });
    expect(ok.body.threshold).toBe(85);
  });
});
