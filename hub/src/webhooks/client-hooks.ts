import type { Logger } from 'pino';
import type { Delivery, OutboxHandler, OutboxRow } from '../alerts/delivery.js';
import type { Db } from '../db/index.js';
import type { SecretStore } from '../secrets/store.js';
import type { Mailer } from '../security/mailer.js';
import type { GuardOptions } from '../security/public-address.js';
import type { HubStats } from '../stats.js';
import { newId } from '../util/ids.js';
import { type ClientEvent, type ClientEvents, type ClientEventType, PING_EVENT } from './client-events.js';
import { type DeliveryResult, sendSignedWebhook } from './index.js';
import { toPublicUrl } from './public-target.js';
import { loadSubscriptions, type Subscription } from './subscriptions.js';

/** Outbox rows of client event webhooks have this kind; channel_id is the subscription id. */
export const EVENT_KIND = 'event';

/**
 * Seconds before the 2nd, 3rd… try: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h — eight tries over
 * about 32 hours, so an endpoint that is down for a day still gets the event.
 */
export const RETRY_SCHEDULE_SEC = [5, 300, 1800, 7200, 18_000, 36_000, 50_400];

/** A subscription whose every try failed for this long is turned off and its client told. */
export const DISABLE_AFTER_MS = 24 * 3600_000;

/** What an event row carries: the message id (webhook-id, the same on every try) and the exact body. */
interface EventPayload {
  messageId: string;
  body: string;
}

export interface ClientWebhooksDeps {
  db: Db;
  secrets: SecretStore;
  /** The hub's one outbox (alerts' notification outbox): durable rows, due times, retries. */
  delivery: Delivery;
  mailer: Mailer;
  stats: HubStats;
  log: Logger;
  allowPrivateTargets: boolean;
  /** Public URL of the hub, for the link in the mail about a disabled webhook. */
  hubUrl: () => string;
}

/**
 * Event webhooks of clients: `publish` turns an event into one outbox row per enabled subscription
 * of that client that wants it; the outbox sends them (signed, checked against private targets),
 * retries on RETRY_SCHEDULE_SEC and, when a subscription has failed for DISABLE_AFTER_MS, this
 * turns it off and mails the client's owners. Subscriptions are cached; the routes reload after a
 * change and a timer picks up other hubs' changes.
 */
export class ClientWebhooks implements ClientEvents {
  private subs: Subscription[] = [];
  private writes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly targets: GuardOptions;
  private readonly published;
  private readonly attempts;

  constructor(private readonly d: ClientWebhooksDeps) {
    this.targets = { allowPrivate: d.allowPrivateTargets };
    this.published = d.stats.counter('ds_client_webhook_events_total', 'Client events written for webhooks, by type', [
      'type',
    ]);
    this.attempts = d.stats.counter(
      'ds_client_webhook_attempts_total',
      'Client webhook delivery tries, by result (sent, retry, failed)',
      ['result'],
    );
    d.delivery.register(EVENT_KIND, this.handler);
  }

  private now = () => this.d.delivery.options.now();

  async load(): Promise<void> {
    this.subs = await loadSubscriptions(this.d.db, this.d.secrets, (id, e) =>
      this.d.log.warn({ subscription: id, err: e.message }, 'webhook secret does not open; subscription skipped'),
    );
  }

  start(): void {
    const refresh = () => void this.load().catch((e) => this.d.log.warn({ err: e }, 'webhook reload failed'));
    this.timer = setInterval(refresh, 30_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.writes;
  }

  /** Subscriptions of a client (cached). */
  ofClient(clientId: string): Subscription[] {
    return this.subs.filter((s) => s.clientId === clientId);
  }

  find(clientId: string, id: string): Subscription | undefined {
    return this.subs.find((s) => s.id === id && s.clientId === clientId);
  }

  publish(clientId: string, type: ClientEventType, data: Record<string, unknown>): void {
    const to = this.subs.filter((s) => s.enabled && s.clientId === clientId && s.events.includes(type));
    if (!to.length) return;
    const event: ClientEvent = { type, timestamp: new Date(this.now()).toISOString(), data };
    this.published.inc({ type });
    // In order, one after another: events of one client reach the outbox in the order raised.
    this.writes = this.writes
      .then(() => this.insert(to, event))
      .then(() => void this.d.delivery.kick().catch((e) => this.d.log.warn({ err: e }, 'webhook delivery failed')))
      .catch((e) => this.d.log.warn({ err: e, type, clientId }, 'webhook event not written'));
  }

  /** Resolves when every event published so far is in the outbox. */
  flushed(): Promise<void> {
    return this.writes;
  }

  /**
   * Writes one row per subscription; returns their ids. `messageId` is kept by a redelivery so the
   * receiver can tell it is the same message.
   */
  async insert(subs: Subscription[], event: ClientEvent, messageId?: string, status = 'pending'): Promise<string[]> {
    if (!subs.length) return [];
    const body = JSON.stringify(event);
    const at = new Date(this.now()).toISOString();
    const rows = subs.map((s) => ({
      id: newId('dlv'),
      sub: s.id,
      payload: { messageId: messageId ?? newId('msg'), body } satisfies EventPayload,
    }));
    await this.d.db.query(
      `INSERT INTO notification_outbox (id, channel_id, kind, action, payload, status, next_attempt_at)
       SELECT r.id, r.sub, $2, $3, r.payload, $4, $5
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, sub text, payload jsonb)`,
      [JSON.stringify(rows), EVENT_KIND, event.type, status, at],
    );
    return rows.map((r) => r.id);
  }

  /** One try of one delivery now (test events and redeliveries answer with the result). */
  async deliverNow(deliveryId: string): Promise<void> {
    const rows = await this.d.db.query<OutboxRow>(
      'SELECT id, channel_id, kind, action, payload, attempts FROM notification_outbox WHERE id = $1 AND kind = $2',
      [deliveryId, EVENT_KIND],
    );
    if (rows[0]) await this.d.delivery.deliver(rows[0]);
  }

  private readonly handler: OutboxHandler = {
    send: (row) => {
      const s = this.subs.find((x) => x.id === row.channel_id);
      const p = row.payload as unknown as EventPayload;
      if (!s) return Promise.resolve(refused('webhook deleted'));
      if (!s.enabled) return Promise.resolve(refused('webhook disabled'));
      return toPublicUrl(this.targets, s.url, (dispatcher) =>
        sendSignedWebhook(s.url, s.secret, p.messageId, p.body, dispatcher),
      );
    },
    retryDelaySec: (row, attempts, result) => {
      // A test event is tried once, while its sender waits for the answer.
      if (row.action === PING_EVENT) return null;
      const base = RETRY_SCHEDULE_SEC[attempts - 1];
      if (base === undefined) return null;
      // An endpoint may ask for more time (Retry-After), not for less, and not beyond a day.
      return Math.max(base, Math.min(result.retryAfterSec ?? 0, 86_400));
    },
    settled: async (row, result, final) => {
      this.attempts.inc({ result: result.ok ? 'sent' : final ? 'failed' : 'retry' });
      const s = this.subs.find((x) => x.id === row.channel_id);
      if (!s || (!result.ok && !s.enabled)) return;
      await this.track(s, result);
    },
  };

  /** A success ends a run of failures; a failure that makes it DISABLE_AFTER_MS long turns it off. */
  private async track(s: Subscription, result: DeliveryResult): Promise<void> {
    const now = new Date(this.now());
    if (result.ok) {
      if (!s.failingSince && !s.consecutiveFailures) return;
      await this.d.db.query(
        'UPDATE webhook_subscriptions SET failing_since = NULL, consecutive_failures = 0 WHERE id = $1',
        [s.id],
      );
      s.failingSince = null;
      s.consecutiveFailures = 0;
      return;
    }
    const since = s.failingSince ?? now;
    const off = now.getTime() - since.getTime() >= DISABLE_AFTER_MS;
    const reason = off
      ? `every delivery failed for 24 hours (last: ${result.error ?? `HTTP ${result.status}`})`.slice(0, 500)
      : null;
    await this.d.db.query(
      `UPDATE webhook_subscriptions SET failing_since = COALESCE(failing_since, $2::timestamptz),
         consecutive_failures = consecutive_failures + 1 WHERE id = $1`,
      [s.id, now.toISOString()],
    );
    s.failingSince = since;
    s.consecutiveFailures++;
    if (!off) return;
    // Only the try whose update turns it off mails, on whichever hub it ran.
    const turnedOff = await this.d.db.query(
      `UPDATE webhook_subscriptions SET enabled = false, disabled_reason = $2, updated_at = $3
       WHERE id = $1 AND enabled RETURNING id`,
      [s.id, reason, now.toISOString()],
    );
    if (!turnedOff.length) return;
    s.enabled = false;
    s.disabledReason = reason;
    this.d.log.warn({ subscription: s.id, client: s.clientId }, 'webhook disabled after failing for 24 hours');
    await this.mailDisabled(s, reason as string).catch((e) =>
      this.d.log.warn({ err: (e as Error).message, subscription: s.id }, 'webhook disabled mail not sent'),
    );
  }

  private async mailDisabled(s: Subscription, reason: string): Promise<void> {
    const owners = await this.d.db.query<{ email: string }>(
      `SELECT email FROM users WHERE client_id = $1 AND role = 'client_owner' AND NOT disabled ORDER BY created_at`,
      [s.clientId],
    );
    if (!owners.length) return;
    const link = `${this.d.hubUrl().replace(/\/$/, '')}/client/integrations/`;
    await this.d.mailer.send({
      to: owners.map((o) => o.email).join(', '),
      subject: `Webhook disabled: ${s.url}`,
      text: [
        `Deep Signal turned off your webhook to ${s.url}: ${reason}.`,
        '',
        'No more events are sent to it. Once the endpoint answers again, turn it back on and',
        `redeliver what it missed from its delivery log: ${link}`,
      ].join('\n'),
    });
  }
}

const refused = (error: string): DeliveryResult => ({ ok: false, status: 0, body: '', error, retryable: false });
