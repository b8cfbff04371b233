import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_SCHEDULE_SEC } from '../../src/webhooks/client-hooks.js';
import { fakeClock } from '../alerts/helpers.js';
import { type Received, startWebhookReceiver } from '../helpers/fake-alert-receivers.js';
import { ackCollector, connectSidecar, pub, startTestHub, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/sidecar-proc.js';
import { type LocalSmtp, startSmtp } from '../helpers/smtp.js';
import { makeTenant, type Tenant } from '../security/tenants.js';

interface Hook {
  id: string;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
  disabledReason: string | null;
}
interface DeliveryView {
  id: string;
  eventType: string;
  messageId: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

const WAIT = 60_000;
// A loaded machine may take minutes to boot a hub and run a test's round trips.
const BOOT = 600_000;
const TEST = 300_000;

/**
 * Client event webhooks against a Standard Webhooks receiver that verifies every signature with
 * the `standardwebhooks` package: events from their hook points, retries on the outbox's
 * schedule, turning off after a day of failures (mail over local SMTP) and tenant isolation.
 */
describe('client event webhooks', () => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let smtp: LocalSmtp;
  let clock: ReturnType<typeof fakeClock>;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    [receiver, smtp] = await Promise.all([startWebhookReceiver(), startSmtp()]);
    // The receiver listens on 127.0.0.1 over http: allowed here, refused by default.
    hub = await startTestHub({ webhooksAllowPrivateTargets: true, mailTransport: smtp.url, alertsEvalSec: 3600 });
    clock = fakeClock(hub);
    a = await makeTenant(hub, 'hooks-a');
    b = await makeTenant(hub, 'hooks-b');
  }, BOOT);
  afterAll(async () => {
    await hub?.close();
    await Promise.all([receiver?.close(), smtp?.close()]);
  }, BOOT);

  // Each test starts with no webhooks and a receiver that answers.
  afterEach(async () => {
    receiver.failNext(0, 500);
    for (const t of [a, b]) {
      const l = await hub.api<Hook[]>('GET', `/clients/${t.client}/webhooks`);
      for (const h of l.body) await hub.api('DELETE', `/clients/${t.client}/webhooks/${h.id}`);
    }
  }, TEST);

  const base = (t: Tenant) => `/clients/${t.client}/webhooks`;
  async function createHook(t: Tenant, path: string, events: string[]): Promise<Hook> {
    const r = await hub.api<Hook>('POST', base(t), { url: `${receiver.url}${path}`, events }, t.owner);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.secret).toMatch(/^whsec_/);
    receiver.setSecret(r.body.secret);
    return r.body;
  }
  const deliveries = async (t: Tenant, hook: Hook) =>
    (await hub.api<DeliveryView[]>('GET', `${base(t)}/${hook.id}/deliveries`, undefined, t.owner)).body;
  const at = (path: string) => receiver.received.filter((r) => r.path === path);
  const event = (r: Received) => r.json as { type: string; timestamp: string; data: Record<string, unknown> };
  async function ticketFor(t: Tenant): Promise<string> {
    const r = await hub.api<{ id: string }>('POST', '/tickets', { subject: 'Hook', body: 'b', clientId: t.client });
    expect(r.status).toBe(201);
    return r.body.id;
  }
  /** One outbox pass now (the hub also runs one every second). */
  const pass = () => hub.ctx.alerts.delivery.kick();

  it(
    'delivers signed events from tickets, instance status and conversations, and a test ping',
    async () => {
      const hook = await createHook(a, '/signed', ['ticket.updated', 'instance.status', 'conversation.message']);
      expect(hook.events).toEqual(['ticket.updated', 'instance.status', 'conversation.message']);
      // The secret is shown once: not in the list.
      const list = await hub.api<Hook[]>('GET', base(a), undefined, a.owner);
      expect(list.body.map((h) => h.id)).toEqual([hook.id]);
      expect(list.body[0]).not.toHaveProperty('secret');

      const ping = await hub.api<DeliveryView>('POST', `${base(a)}/${hook.id}/test`, undefined, a.owner);
      expect(ping.status).toBe(200);
      expect(ping.body).toMatchObject({ eventType: 'webhook.ping', status: 'sent', attempts: 1, lastStatus: 204 });

      const ticket = await ticketFor(a);
      expect((await hub.api('PATCH', `/tickets/${ticket}`, { priority: 'high' })).status).toBe(200);
      const tu = await receiver.waitFor((r) => r.path === '/signed' && event(r)?.type === 'ticket.updated', WAIT);
      expect(tu.status).toBe(204); // the signature verified
      expect(event(tu).data).toMatchObject({ ticketId: ticket, priority: 'high' });

      const inst = await hub.newInstance(a.client);
      const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
      // Presence comes from the sidecar's status message; set here as the alert tests do.
      await hub.ctx.fleet.setPresence(inst.id, 'online');
      const online = await receiver.waitFor(
        (r) => r.path === '/signed' && event(r)?.type === 'instance.status' && event(r).data.instanceId === inst.id,
        WAIT,
      );
      expect(event(online).data.status).toBe('online');

      const acks = ackCollector(c);
      await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
      const t = Date.now();
      const message = {
        messageId: 'm-1',
        t,
        sessionKey: 'agent:main:main',
        channel: 'telegram',
        role: 'user',
        text: 'hi',
      };
      await pub(c, `ds/v1/${inst.id}/conversations`, {
        v: 1,
        id: 'c0',
        instanceId: inst.id,
        bootId: 'b',
        seq: 0,
        ts: t,
        messages: [message],
      });
      await acks.waitFor((x) => x.stream === 'conversations' && x.seq === 0);
      const conv = await receiver.waitFor(
        (r) => r.path === '/signed' && event(r)?.type === 'conversation.message',
        WAIT,
      );
      expect(event(conv).data).toMatchObject({ instanceId: inst.id, messageId: 'm-1', text: 'hi', role: 'user' });
      await c.endAsync();

      // Every body verified and is {type, timestamp, data}; every message has its own webhook-id.
      const got = at('/signed');
      expect(got.every((r) => r.status === 204)).toBe(true);
      expect(receiver.verified.length).toBeGreaterThanOrEqual(4);
      expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(got.length);
      // The sidecar going away raised instance.status offline too: the log is newest first.
      const log = await deliveries(a, hook);
      expect(log.filter((d) => d.status === 'sent').length).toBeGreaterThanOrEqual(4);
      expect(log.find((d) => d.eventType === 'webhook.ping')).toMatchObject({
        status: 'sent',
        attempts: 1,
        lastStatus: 204,
        nextAttemptAt: null,
      });

      expect((await hub.api('DELETE', `${base(a)}/${hook.id}`, undefined, a.owner)).status).toBe(204);
      expect((await hub.api('GET', `${base(a)}/${hook.id}`, undefined, a.owner)).status).toBe(404);
    },
    TEST,
  );

  it(
    'retries with backoff (5 s, then 5 min) until the receiver answers, with the same webhook-id',
    async () => {
      const hook = await createHook(a, '/retry', ['ticket.updated']);
      const ticket = await ticketFor(a);
      receiver.failNext(2, 503);
      await hub.api('PATCH', `/tickets/${ticket}`, { priority: 'low' });
      const first = await until(async () => (await deliveries(a, hook)).find((d) => d.attempts === 1), WAIT, 'try 1');
      expect(first).toMatchObject({ status: 'pending', lastStatus: 503 });
      expect(Date.parse(first.nextAttemptAt as string) - clock.now).toBe(RETRY_SCHEDULE_SEC[0] * 1000);
      // Not due yet: another pass sends nothing.
      await pass();
      expect(at('/retry')).toHaveLength(1);
      clock.advance(RETRY_SCHEDULE_SEC[0]);
      await pass();
      const second = await until(async () => (await deliveries(a, hook)).find((d) => d.attempts === 2), WAIT, 'try 2');
      expect(second.status).toBe('pending');
      expect(Date.parse(second.nextAttemptAt as string) - clock.now).toBe(RETRY_SCHEDULE_SEC[1] * 1000);
      clock.advance(RETRY_SCHEDULE_SEC[1]);
      await pass();
      const done = await until(
        async () => (await deliveries(a, hook)).find((d) => d.status === 'sent'),
        WAIT,
        'delivered',
      );
      expect(done).toMatchObject({ attempts: 3, lastStatus: 204, lastError: null });
      const tries = at('/retry');
      expect(tries.map((r) => r.status)).toEqual([503, 503, 204]);
      expect(new Set(tries.map((r) => r.headers['webhook-id']))).toEqual(new Set([done.messageId]));

      // A redelivery is a new delivery of the same message.
      const again = await hub.api<DeliveryView>(
        'POST',
        `${base(a)}/${hook.id}/deliveries/${done.id}/redeliver`,
        undefined,
        a.owner,
      );
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'sent', attempts: 1, messageId: done.messageId });
      expect(again.body.id).not.toBe(done.id);
      expect(at('/retry')).toHaveLength(4);
      await hub.api('DELETE', `${base(a)}/${hook.id}`, undefined, a.owner);
    },
    TEST,
  );

  it(
    'turns a webhook off after a day of failed tries and mails the client owner',
    async () => {
      const hook = await createHook(a, '/down', ['ticket.updated']);
      const ticket = await ticketFor(a);
      receiver.failNext(1000, 500);
      await hub.api('PATCH', `/tickets/${ticket}`, { priority: 'urgent' });
      for (let i = 0; i <= RETRY_SCHEDULE_SEC.length; i++) {
        await until(async () => (await deliveries(a, hook)).find((d) => d.attempts === i + 1), WAIT, `try ${i + 1}`);
        if (i < RETRY_SCHEDULE_SEC.length) {
          clock.advance(RETRY_SCHEDULE_SEC[i]);
          await pass();
        }
      }
      const [last] = await deliveries(a, hook);
      expect(last).toMatchObject({ status: 'failed', attempts: RETRY_SCHEDULE_SEC.length + 1, lastStatus: 500 });
      // Turned off right after the last try is recorded.
      const off = await until(
        async () => {
          const r = await hub.api<Hook>('GET', `${base(a)}/${hook.id}`, undefined, a.owner);
          return r.body.enabled ? null : r.body;
        },
        WAIT,
        'disabled',
      );
      expect(off.disabledReason).toMatch(/24 hours/);
      const mail = await smtp.waitFor((m) => /Webhook disabled/.test(m.parsed.subject ?? ''), WAIT);
      expect(mail.to).toEqual(['client_owner@hooks-a.test']);
      expect(mail.parsed.text).toContain(`${receiver.url}/down`);
      receiver.failNext(0, 500);

      // Off: new events are not queued for it, and a test is refused.
      await hub.api('PATCH', `/tickets/${ticket}`, { priority: 'normal' });
      await hub.ctx.clientWebhooks?.flushed();
      expect(await deliveries(a, hook)).toHaveLength(1);
      expect((await hub.api('POST', `${base(a)}/${hook.id}/test`, undefined, a.owner)).status).toBe(409);
      // On again: a fresh start.
      const on = await hub.api<Hook & { failingSince: string | null }>(
        'PATCH',
        `${base(a)}/${hook.id}`,
        { enabled: true },
        a.owner,
      );
      expect(on.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
      await hub.api('DELETE', `${base(a)}/${hook.id}`, undefined, a.owner);
    },
    TEST,
  );

  it(
    "answers 404 for another client's webhooks and refuses bad input",
    async () => {
      const hook = await createHook(a, '/mine', ['alert.firing']);
      const other = base(b);
      expect((await hub.api('GET', base(a), undefined, b.owner)).status).toBe(404);
      expect((await hub.api('POST', base(a), { url: receiver.url, events: ['alert.firing'] }, b.owner)).status).toBe(
        404,
      );
      for (const [method, path] of [
        ['GET', `${other}/${hook.id}`],
        ['PATCH', `${other}/${hook.id}`],
        ['DELETE', `${other}/${hook.id}`],
        ['POST', `${other}/${hook.id}/test`],
        ['GET', `${other}/${hook.id}/deliveries`],
        ['GET', `${base(a)}/${hook.id}/deliveries`],
      ] as const)
        expect((await hub.api(method, path, method === 'PATCH' ? { enabled: false } : undefined, b.owner)).status).toBe(
          404,
        );
      expect((await hub.api<Hook[]>('GET', other, undefined, b.owner)).body).toEqual([]);
      // A viewer of the client sees the client but does not manage its webhooks.
      expect((await hub.api('GET', base(a), undefined, a.viewer)).status).toBe(403);
      // Admins manage any client's; an unknown client is a 404.
      expect((await hub.api<Hook[]>('GET', base(a))).body.map((h) => h.id)).toEqual([hook.id]);
      expect((await hub.api('GET', '/clients/cli-nothere/webhooks')).status).toBe(404);

      const bad = async (body: unknown) => {
        const r = await hub.api<{ error: { message: string } }>('POST', base(a), body, a.owner);
        expect(r.status).toBe(400);
        return r.body.error.message;
      };
      await bad({ url: 'ftp://example.com/x', events: ['alert.firing'] });
      await bad({ url: `${receiver.url}/x`, events: [] });
      await bad({ url: `${receiver.url}/x`, events: ['everything'] });
      await bad({ url: 'not a url', events: ['alert.firing'] });
      expect((await hub.api('GET', base(a), undefined, a.owner)).body).toHaveLength(1);
      await hub.api('DELETE', `${base(a)}/${hook.id}`, undefined, a.owner);
    },
    TEST,
  );
});
