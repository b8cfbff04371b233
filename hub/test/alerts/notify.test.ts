import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hookPayload,
  pdEvent,
  startFakePagerduty,
  startFakeSlack,
  startWebhookReceiver,
} from '../helpers/fake-alert-receivers.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { type LocalSmtp, startSmtp } from '../helpers/smtp.js';
import { makeTenant } from '../security/tenants.js';
import { alertsOf, channel, cycle, fakeClock, offline, online, ROUTING_KEY } from './helpers.js';

/**
 * Grouping, silences, maintenance windows, inhibition, and each channel against a local fake of
 * its real wire format (PagerDuty Events v2, Slack incoming webhooks, Standard Webhooks, SMTP).
 */
describe('alert notifications', () => {
  let pd: Awaited<ReturnType<typeof startFakePagerduty>>;
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let smtp: LocalSmtp;
  let hub: TestHub;
  let clock: ReturnType<typeof fakeClock>;
  let client: string;

  beforeAll(async () => {
    [pd, slack, hook, smtp] = await Promise.all([
      startFakePagerduty(),
      startFakeSlack(),
      startWebhookReceiver(),
      startSmtp(),
    ]);
    // The fakes listen on 127.0.0.1 over http: allowed here, refused by default (targets.test.ts).
    hub = await startTestHub({
      pagerdutyUrl: pd.url,
      alertsEvalSec: 3600,
      alertsRetrySec: 0,
      mailTransport: smtp.url,
      alertsAllowPrivateTargets: true,
    });
    clock = fakeClock(hub);
    await hub.api('PATCH', '/alert-rules/instance_offline', { forSec: 0 });
    client = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Notify', industry: 'x', plan: 'starter' }))
      .body.id;
  });
  afterAll(async () => {
    await hub?.close();
    await Promise.all([pd?.close(), slack?.close(), hook?.close(), smtp?.close()]);
  });

  /** `n` instances online, and a matcher that routes only their alerts. */
  async function instances(n: number, clientId = client) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = (await hub.newInstance(clientId)).id;
      await online(hub, id);
      ids.push(id);
    }
    return { ids, route: { matchers: [{ name: 'instance', value: ids.join('|'), isRegex: true, isEqual: true }] } };
  }
  const forKey = (key: string) => pd.received.filter((r) => r.json?.routing_key === key);

  it('groups 4 instances failing together into one page, waiting group_wait first', async () => {
    const key = 'GROUPKEY00000000000000000000000A';
    const { ids, route } = await instances(4);
    await channel(hub, {
      type: 'pagerduty',
      name: 'grouped',
      config: { routingKey: key },
      route,
      groupBy: ['alertname'],
      groupWaitSec: 30,
    });
    for (const id of ids) await offline(hub, id);
    await cycle(hub);
    expect(forKey(key)).toHaveLength(0);
    clock.advance(31);
    await cycle(hub);
    const page = await pd.waitFor((r) => r.json?.routing_key === key);
    const details = pdEvent(page).payload?.custom_details;
    expect(details?.alerts).toHaveLength(4);
    expect(pdEvent(page).payload?.summary).toMatch(/^4 alerts/);
    // One more instance of the group: re-sent after group_interval (60 s), not before.
    const more = (await hub.newInstance(client)).id;
    await online(hub, more);
    await hub.api(
      'PATCH',
      `/notification-channels/${(await hub.api<{ id: string; name: string }[]>('GET', '/notification-channels')).body.find((c) => c.name === 'grouped')?.id}`,
      {
        route: { matchers: [{ name: 'instance', value: [...ids, more].join('|'), isRegex: true, isEqual: true }] },
      },
    );
    await offline(hub, more);
    clock.advance(10);
    await cycle(hub);
    expect(forKey(key)).toHaveLength(1);
    clock.advance(51);
    await cycle(hub);
    await pd.waitFor((r) => r.json?.routing_key === key && pdEvent(r).payload?.custom_details?.alerts.length === 5);
    expect(forKey(key).every((r) => r.json?.dedup_key === page.json?.dedup_key)).toBe(true);
  });

  it('a silence mutes matching alerts only, and says so on the alert', async () => {
    const key = 'SILENCEKEY0000000000000000000000';
    const { ids, route } = await instances(2);
    await channel(hub, {
      type: 'pagerduty',
      name: 'silenced',
      config: { routingKey: key },
      route,
      groupBy: ['alertname', 'instance'],
      groupWaitSec: 0,
    });
    const sil = await hub.api<{ id: string; active: boolean }>('POST', '/silences', {
      matchers: [{ name: 'instance', value: ids[0] }],
      endsAt: new Date(clock.now + 3_600_000).toISOString(),
      comment: 'planned reboot',
    });
    expect(sil.status).toBe(201);
    expect(sil.body.active).toBe(true);
    for (const id of ids) await offline(hub, id);
    await cycle(hub);
    const page = await pd.waitFor((r) => r.json?.routing_key === key);
    expect(pdEvent(page).payload?.component).toBe(ids[1]);
    expect(forKey(key)).toHaveLength(1);
    const silenced = await alertsOf(hub, '?state=silenced');
    expect(silenced.map((a) => a.instanceId)).toContain(ids[0]);
    expect(silenced.find((a) => a.instanceId === ids[0])?.silencedBy).toEqual([sil.body.id]);
    // Bad silences are refused clearly.
    const bad = await hub.api<{ error: { code: string } }>('POST', '/silences', {
      matchers: [{ name: 'instance', value: '(', isRegex: true }],
      endsAt: new Date(clock.now + 60_000).toISOString(),
      comment: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('HUB_ERR_VALIDATION');
  });

  it('a maintenance window of the client mutes its alerts while it is open', async () => {
    const key = 'MAINTKEY000000000000000000000000';
    const other = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Maint', industry: 'x', plan: 'starter' }))
      .body.id;
    const { ids, route } = await instances(1, other);
    await channel(hub, {
      type: 'pagerduty',
      name: 'maint',
      config: { routingKey: key },
      route,
      groupBy: ['alertname', 'instance'],
      groupWaitSec: 0,
    });
    const now = new Date(clock.now);
    const startsAt = new Date(clock.now - 10 * 60_000);
    const local = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Tokyo',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(startsAt)
      .reduce<Record<string, string>>((o, p) => Object.assign(o, { [p.type]: p.value }), {});
    const w = await hub.api<{ id: string; activeUntil: string | null }>('POST', '/maintenance-windows', {
      clientId: other,
      name: 'weekly patching',
      timeZone: 'Asia/Tokyo',
      startDate: `${local.year}-${local.month}-${local.day}`,
      startTime: `${local.hour}:${local.minute}`,
      durationMin: 60,
      days: [0, 1, 2, 3, 4, 5, 6],
    });
    expect(w.status).toBe(201);
    expect(w.body.activeUntil).not.toBeNull();
    expect(hub.ctx.maintenance.activeWindow(other, now)?.window.id).toBe(w.body.id);
    await offline(hub, ids[0]);
    await cycle(hub);
    expect((await alertsOf(hub, `?instanceId=${ids[0]}`))[0].maintenance).toBe(w.body.id);
    expect(forKey(key)).toHaveLength(0);
    // After the window closes the alert pages.
    clock.advance(51 * 60);
    await cycle(hub);
    await pd.waitFor((r) => r.json?.routing_key === key);
    expect(hub.ctx.maintenance.nextWindowStart(other, new Date(clock.now))?.start.getTime()).toBeGreaterThan(clock.now);
  });

  it('instance_offline inhibits the other alerts of that instance', async () => {
    const key = 'INHIBITKEY0000000000000000000000';
    const { ids, route } = await instances(1);
    await channel(hub, {
      type: 'pagerduty',
      name: 'inhibit',
      config: { routingKey: key },
      route,
      groupBy: ['alertname', 'instance'],
      groupWaitSec: 0,
    });
    // The model provider refuses the key (what OpenClaw logs), and then the instance goes offline.
    for (let i = 0; i < 4; i++)
      await hub.db.query(
        "INSERT INTO log_lines (instance_id, t, level, subsystem, msg) VALUES ($1, $2, 'error', 'agent', $3)",
        [
          ids[0],
          new Date(clock.now - i * 1000),
          'anthropic request failed: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
        ],
      );
    await offline(hub, ids[0]);
    clock.advance(61); // stored data is re-read every minute
    await cycle(hub);
    const alerts = await alertsOf(hub, `?instanceId=${ids[0]}&state=firing`);
    expect(alerts.map((a) => a.ruleId).sort()).toEqual(['instance_offline', 'provider_auth_failing']);
    const offlineAlert = alerts.find((a) => a.ruleId === 'instance_offline');
    expect(alerts.find((a) => a.ruleId === 'provider_auth_failing')?.inhibitedBy).toBe(offlineAlert?.id);
    await pd.waitFor((r) => r.json?.routing_key === key);
    expect(forKey(key).map((r) => pdEvent(r).payload?.class)).toEqual(['instance_offline']);
  });

  it('an acknowledgement stops the repeats, acknowledges the PagerDuty incident and ends with the alert', async () => {
    const key = 'ACKKEY00000000000000000000000000';
    const { ids, route } = await instances(1);
    await channel(hub, {
      type: 'pagerduty',
      name: 'ack',
      config: { routingKey: key },
      route,
      groupBy: ['alertname', 'instance'],
      groupWaitSec: 0,
      repeatIntervalSec: 60,
    });
    const events = (action: string) => forKey(key).filter((r) => pdEvent(r).event_action === action);
    await offline(hub, ids[0]);
    await cycle(hub);
    const page = await pd.waitFor((r) => r.json?.routing_key === key && pdEvent(r).event_action === 'trigger');
    // Nobody on it: the page repeats after repeat_interval.
    clock.advance(61);
    await cycle(hub);
    await pd.waitFor(() => events('trigger').length === 2);
    const [alert] = await alertsOf(hub, `?instanceId=${ids[0]}&state=firing`);
    const ack = await hub.api<{ ackedBy: string | null; ackedAt: string | null }>('POST', `/alerts/${alert.id}/ack`);
    expect(ack.status).toBe(200);
    expect(ack.body.ackedBy).toBe('admin@test.local');
    expect(Date.parse(ack.body.ackedAt ?? '')).toBe(clock.now);
    await cycle(hub);
    const acknowledged = await pd.waitFor(
      (r) => r.json?.routing_key === key && pdEvent(r).event_action === 'acknowledge',
    );
    expect(acknowledged.status).toBe(202);
    expect(acknowledged.json?.dedup_key).toBe(page.json?.dedup_key);
    // Acknowledged: hours pass, no repeat and no second acknowledge.
    for (let i = 0; i < 3; i++) {
      clock.advance(3600);
      await cycle(hub);
    }
    expect(events('trigger')).toHaveLength(2);
    expect(events('acknowledge')).toHaveLength(1);
    const audited = await hub.db.query("SELECT action FROM audit_log WHERE target = $1 AND action LIKE 'alert.%'", [
      alert.id,
    ]);
    expect(audited.map((r) => r.action)).toEqual(['alert.ack']);

    // Taken back: the repeats resume; acknowledged again, PagerDuty hears it again.
    expect((await hub.api<{ ackedBy: null }>('DELETE', `/alerts/${alert.id}/ack`)).body.ackedBy).toBeNull();
    clock.advance(61);
    await cycle(hub);
    await pd.waitFor(() => events('trigger').length === 3);
    await hub.api('POST', `/alerts/${alert.id}/ack`);
    await cycle(hub);
    await pd.waitFor(() => events('acknowledge').length === 2);

    // Resolving clears the acknowledgement, in memory and in the row; a resolved alert is not acknowledged.
    await online(hub, ids[0]);
    clock.advance(61); // the resolve is a change of the group: group_interval after the last page
    await cycle(hub);
    await pd.waitFor(() => events('resolve').length === 1);
    const resolved = await hub.api<{ state: string; ackedBy: string | null }>('GET', `/alerts/${alert.id}`);
    expect(resolved.body).toMatchObject({ state: 'resolved', ackedBy: null });
    const row = await hub.db.query('SELECT acked_by, acked_at FROM alert_instances WHERE id = $1', [alert.id]);
    expect(row[0]).toMatchObject({ acked_by: null, acked_at: null });
    const late = await hub.api<{ error: { message: string } }>('POST', `/alerts/${alert.id}/ack`);
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/only a firing alert/);
  });

  it('an acknowledgement made while a cycle reads the acknowledgements is kept, in memory and in the row', async () => {
    const key = 'ACKRACE0000000000000000000000000';
    const { ids, route } = await instances(1);
    await channel(hub, {
      type: 'pagerduty',
      name: 'ack-race',
      config: { routingKey: key },
      route,
      groupBy: ['alertname', 'instance'],
      groupWaitSec: 0,
      repeatIntervalSec: 60,
    });
    const events = (action: string) => forKey(key).filter((r) => pdEvent(r).event_action === action);
    await offline(hub, ids[0]);
    await cycle(hub);
    await pd.waitFor(() => events('trigger').length === 1);
    const [alert] = await alertsOf(hub, `?instanceId=${ids[0]}&state=firing`);
    // The next cycle has read the acknowledgements (none yet) and is held there while someone acks.
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let reading = () => {};
    const read = new Promise<void>((r) => {
      reading = r;
    });
    const query = hub.db.query;
    hub.db.query = (async (sql: string, params?: unknown[]) => {
      const rows = await query.call(hub.db, sql, params);
      if (sql.includes('WHERE acked_by IS NOT NULL')) {
        reading();
        await gate;
      }
      return rows;
    }) as typeof query;
    try {
      clock.advance(61); // the page is due to repeat: it must not, it is acknowledged
      const running = cycle(hub);
      await read;
      expect((await hub.api('POST', `/alerts/${alert.id}/ack`)).status).toBe(200);
      release();
      await running;
    } finally {
      hub.db.query = query;
    }
    await pd.waitFor(() => events('acknowledge').length === 1);
    const row = await hub.db.query('SELECT acked_by FROM alert_instances WHERE id = $1', [alert.id]);
    expect(row[0]).toMatchObject({ acked_by: 'admin@test.local' });
    clock.advance(61);
    await cycle(hub);
    expect((await hub.api<{ ackedBy: string | null }>('GET', `/alerts/${alert.id}`)).body.ackedBy).toBe(
      'admin@test.local',
    );
    expect(events('trigger')).toHaveLength(1);
    // Resolved before the next test counts PagerDuty's requests.
    await online(hub, ids[0]);
    clock.advance(61);
    await cycle(hub);
    await pd.waitFor(() => events('resolve').length === 1);
  });

  it('PagerDuty: a 429 is retried, a 400 fails at once and is visible in the delivery log', async () => {
    const { ids, route } = await instances(1);
    const ch = await channel(hub, {
      type: 'pagerduty',
      name: 'retry',
      config: { routingKey: 'RETRYKEY000000000000000000000000' },
      route,
      groupBy: ['alertname', 'instance'],
      groupWaitSec: 0,
    });
    pd.failNext(1, 429);
    await offline(hub, ids[0]);
    await cycle(hub);
    await pd.waitFor((r) => r.json?.routing_key === 'RETRYKEY000000000000000000000000' && r.status === 429);
    await hub.ctx.alerts.delivery.kick();
    await pd.waitFor((r) => r.json?.routing_key === 'RETRYKEY000000000000000000000000' && r.status === 202);
    const log = await hub.api<{ status: string; attempts: number; lastStatus: number }[]>(
      'GET',
      `/notification-channels/${ch.id}/deliveries`,
    );
    expect(log.body[0]).toMatchObject({ status: 'sent', attempts: 2, lastStatus: 202 });

    // A routing key PagerDuty refuses: the test button says so, the log keeps the failure.
    const badKey = await channel(hub, { type: 'pagerduty', name: 'bad key', config: { routingKey: 'short' } });
    const test = await hub.api<{ status: string; lastStatus: number; response: string }>(
      'POST',
      `/notification-channels/${badKey.id}/test`,
    );
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ status: 'failed', lastStatus: 400 });
    expect(test.body.response).toContain('invalid event');
    const failed = await hub.api<unknown[]>('GET', `/notification-channels/${badKey.id}/deliveries?status=failed`);
    expect(failed.body).toHaveLength(1);
  });

  it('Slack, signed webhooks (retried on 503) and email carry the alert', async () => {
    const { ids, route } = await instances(1);
    const s = await channel(hub, {
      type: 'slack',
      name: 'ops slack',
      config: { url: `${slack.url}/services/T000/B000/XXXX` },
      route,
      groupWaitSec: 0,
    });
    const w = await channel(hub, {
      type: 'webhook',
      name: 'ops hook',
      config: { url: `${hook.url}/alerts` },
      route,
      groupWaitSec: 0,
    });
    await channel(hub, {
      type: 'email',
      name: 'ops mail',
      config: { to: 'oncall@example.test' },
      route,
      groupWaitSec: 0,
    });
    expect(w.secret).toMatch(/^whsec_/);
    hook.setSecret(w.secret as string);
    hook.failNext(1, 503);
    await offline(hub, ids[0]);
    await cycle(hub);
    const msg = await slack.waitFor((r) => r.status === 200 && r.body.includes(ids[0]));
    expect(hookPayload(msg.json).text).toContain('Firing: 1 alert');
    expect(JSON.stringify(hookPayload(msg.json).blocks)).toContain(`/instance/?id=${ids[0]}`);
    const mail = await smtp.waitFor((m) => m.to.includes('oncall@example.test'));
    expect(mail.parsed.subject).toMatch(/^\[FIRING:1\] .* is offline/);
    expect(mail.parsed.text).toContain(ids[0]);
    await hook.waitFor((r) => r.status === 503);
    await hub.ctx.alerts.delivery.kick();
    await hook.waitFor((r) => r.status === 204);
    const payload = hookPayload(hook.verified.at(-1));
    expect(payload.status).toBe('firing');
    expect(payload.alerts[0].labels.instance).toBe(ids[0]);
    const first = hook.received.find((r) => r.status === 503);
    const second = hook.received.find((r) => r.status === 204);
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    // A channel's secrets are not shown back.
    const listed = await hub.api<{ id: string; config: Record<string, string> }[]>('GET', '/notification-channels');
    expect(listed.body.find((c) => c.id === w.id)?.config.secret).toMatch(/^…/);
    expect(listed.body.find((c) => c.id === s.id)?.config.url).not.toContain('XXXX');
    // Slack refuses what is not its payload.
    const bad = await hub.api('POST', '/notification-channels', {
      type: 'slack',
      name: 'x',
      config: { url: 'not a url' },
    });
    expect(bad.status).toBe(400);
  });

  it('channel credentials are sealed in the row, masked by the API, and delivery still uses them', async () => {
    const key = 'SEALKEY0000000000000000000000000';
    const slackPath = '/services/T111/B222/SEALEDSLACKTOKEN';
    const { ids, route } = await instances(1);
    const common = { route, groupBy: ['alertname', 'instance'], groupWaitSec: 0 };
    const p = await channel(hub, { type: 'pagerduty', name: 'sealed pd', config: { routingKey: key }, ...common });
    const s = await channel(hub, {
      type: 'slack',
      name: 'sealed slack',
      config: { url: `${slack.url}${slackPath}` },
      ...common,
    });
    const w = await channel(hub, {
      type: 'webhook',
      name: 'sealed hook',
      config: { url: `${hook.url}/sealed` },
      ...common,
    });
    const rows = await hub.db.query<{ id: string; config: Record<string, { sealed?: string }> }>(
      'SELECT id, config FROM notification_channels WHERE id = ANY($1::text[])',
      [[p.id, s.id, w.id]],
    );
    const stored = JSON.stringify(rows);
    for (const clear of [key, 'SEALEDSLACKTOKEN', slack.url, w.secret as string]) expect(stored).not.toContain(clear);
    expect(rows.find((r) => r.id === p.id)?.config.routingKey.sealed).toMatch(/^[A-Za-z0-9_-]+:v1\./);
    expect(rows.find((r) => r.id === w.id)?.config.url).toBe(`${hook.url}/sealed`);
    // Shown back masked only.
    const shown = async (id: string) =>
      (await hub.api<{ config: Record<string, string> }>('GET', `/notification-channels/${id}`)).body.config;
    expect((await shown(p.id)).routingKey).toBe('…0000');
    expect((await shown(s.id)).url).toBe(`${slack.url}/…`);
    expect((await shown(w.id)).secret).toMatch(/^….{4}$/);
    // Delivered with the opened values.
    hook.setSecret(w.secret as string);
    await offline(hub, ids[0]);
    await cycle(hub);
    await pd.waitFor((r) => r.json?.routing_key === key && r.status === 202);
    await slack.waitFor((r) => r.path === slackPath && r.status === 200);
    await hook.waitFor((r) => r.path === '/sealed' && r.status === 204);
  });

  it('channels stored in clear are sealed at start; a sealed value moved to another channel does not open', async () => {
    const key = 'LEGACYKEY00000000000000000000000';
    await hub.db.query(
      `INSERT INTO notification_channels (id, type, name, config, created_by)
       VALUES ('nch-legacy', 'pagerduty', 'legacy', $1::jsonb, 'test')`,
      [JSON.stringify({ routingKey: key })],
    );
    await hub.ctx.alerts.load();
    const [row] = await hub.db.query<{ config: Record<string, unknown> }>(
      "SELECT config FROM notification_channels WHERE id = 'nch-legacy'",
    );
    expect(JSON.stringify(row.config)).not.toContain(key);
    const test = await hub.api<{ status: string }>('POST', '/notification-channels/nch-legacy/test');
    expect(test.body.status).toBe('sent');
    await pd.waitFor((r) => r.json?.routing_key === key && r.status === 202);

    await hub.db.query(
      `INSERT INTO notification_channels (id, type, name, config, created_by)
       VALUES ('nch-copied', 'pagerduty', 'copied', $1::jsonb, 'test')`,
      [JSON.stringify(row.config)],
    );
    await hub.ctx.alerts.reloadChannels();
    const copied = await hub.api<{ status: string; lastError: string }>(
      'POST',
      '/notification-channels/nch-copied/test',
    );
    expect(copied.body).toMatchObject({ status: 'failed' });
    expect(copied.body.lastError).toMatch(/secrets cannot be opened/);
    expect(pd.received.filter((r) => r.json?.routing_key === key)).toHaveLength(1);

    // After a master key rotation the next start re-seals under the new key, and it still delivers.
    const { keyId } = await hub.ctx.secrets.rotateMasterKey();
    await hub.ctx.alerts.load();
    const [resealed] = await hub.db.query<{ config: { routingKey: { sealed: string } } }>(
      "SELECT config FROM notification_channels WHERE id = 'nch-legacy'",
    );
    expect(resealed.config.routingKey.sealed.startsWith(`${keyId}:`)).toBe(true);
    expect((await hub.api<{ status: string }>('POST', '/notification-channels/nch-legacy/test')).body.status).toBe(
      'sent',
    );
  });

  it('a client owner subscribes a webhook to its own alerts only; other clients are 404', async () => {
    const a = await makeTenant(hub, 'subs-a');
    const b = await makeTenant(hub, 'subs-b');
    const recv = await startWebhookReceiver();
    try {
      const mine = await channel(
        hub,
        { type: 'webhook', name: 'my alerts', config: { url: `${recv.url}/a` }, groupWaitSec: 0 },
        a.owner,
      );
      recv.setSecret(mine.secret as string);
      expect(
        (
          await hub.api(
            'POST',
            '/notification-channels',
            { type: 'pagerduty', name: 'x', config: { routingKey: ROUTING_KEY } },
            a.owner,
          )
        ).status,
      ).toBe(400);
      const theirs = await channel(hub, { type: 'email', name: 'b mail', config: { to: 'b@subs-b.test' } }, b.owner);
      expect((await hub.api('GET', `/notification-channels/${theirs.id}`, undefined, a.owner)).status).toBe(404);
      expect((await hub.api('DELETE', `/notification-channels/${theirs.id}`, undefined, a.owner)).status).toBe(404);
      expect((await hub.api<unknown[]>('GET', '/notification-channels', undefined, a.owner)).body).toHaveLength(1);
      await online(hub, a.inst);
      await online(hub, b.inst);
      await offline(hub, b.inst);
      await offline(hub, a.inst);
      await cycle(hub);
      await recv.waitFor((r) => r.status === 204);
      clock.advance(120);
      await cycle(hub);
      const got = recv.verified.flatMap((p) => hookPayload(p).alerts.map((x) => x.clientId));
      expect(new Set(got)).toEqual(new Set([a.client]));
      const seen = await alertsOf(hub, '', a.owner);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((x) => x.instanceId === a.inst || x.instanceId === null)).toBe(true);
      const bAlert = (await alertsOf(hub, `?instanceId=${b.inst}`))[0];
      expect((await hub.api('GET', `/alerts/${bAlert.id}`, undefined, a.owner)).status).toBe(404);
      expect((await hub.api('POST', `/alerts/${bAlert.id}/ack`, undefined, a.owner)).status).toBe(404);
      expect((await hub.api('DELETE', `/alerts/${bAlert.id}/ack`, undefined, a.owner)).status).toBe(404);
      const ack = await hub.api<{ ackedBy: string }>('POST', `/alerts/${seen[0].id}/ack`, undefined, a.owner);
      expect(ack.body.ackedBy).toBe('client_owner@subs-a.test');
    } finally {
      await recv.close();
    }
  });
});
