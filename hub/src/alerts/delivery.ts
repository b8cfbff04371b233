import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Mailer } from '../security/mailer.js';
import { assertPublicUrl, type GuardOptions, guardedAgent, PublicAddressError } from '../security/public-address.js';
import { type DeliveryResult, sendSignedWebhook } from '../webhooks/index.js';
import type { Channel } from './channels.js';
import type { Notification } from './notifier.js';
import { alertMail } from './senders/email.js';
import { pagerdutyEvent, sendPagerduty } from './senders/pagerduty.js';
import { sendSlack, slackMessage } from './senders/slack.js';

export interface DeliveryOptions {
  db: Db;
  mailer: Mailer;
  log: Logger;
  pagerdutyUrl: string;
  hubUrl: () => string;
  /** Tries per delivery (PagerDuty asks for three). */
  maxAttempts: number;
  /** Seconds between tries (multiplied by the try number: 30 s, 60 s…). */
  retrySec: number;
  now: () => number;
  channel: (id: string) => Channel | undefined;
  /** Where webhook and Slack deliveries may connect (public addresses unless allowPrivate). */
  targets: GuardOptions;
}

const agents = new WeakMap<GuardOptions, ReturnType<typeof guardedAgent>>();
const agentFor = (g: GuardOptions) => {
  let a = agents.get(g);
  if (!a) {
    a = guardedAgent(g);
    agents.set(g, a);
  }
  return a;
};

/**
 * Posts to a URL a user gave only after checking it again (it was checked when saved, but names
 * move); the connection then goes through the guarded agent, to an address checked at connect.
 */
async function toPublicUrl(
  o: DeliveryOptions,
  url: string,
  send: (dispatcher: ReturnType<typeof guardedAgent>) => Promise<DeliveryResult>,
): Promise<DeliveryResult> {
  try {
    await assertPublicUrl(url, o.targets);
  } catch (e) {
    const transient = !(e instanceof PublicAddressError) || e.transient;
    return { ok: false, status: 0, body: '', error: `refused: ${(e as Error).message}`, retryable: transient };
  }
  return send(agentFor(o.targets));
}

export interface OutboxRow {
  id: string;
  channel_id: string;
  kind: string;
  action: string;
  payload: Notification;
  attempts: number;
}

/** Sends one notification over its channel's wire format. Never throws. */
export async function sendNotification(
  o: DeliveryOptions,
  c: Channel,
  id: string,
  n: Notification,
  action = 'trigger',
): Promise<DeliveryResult> {
  if (c.secretError) return { ok: false, status: 0, body: '', error: c.secretError, retryable: false };
  const cfg = c.config;
  switch (c.type) {
    case 'pagerduty':
      return sendPagerduty(o.pagerdutyUrl, pagerdutyEvent(n, String(cfg.routingKey), o.hubUrl(), action));
    case 'slack':
      return toPublicUrl(o, String(cfg.url), (d) => sendSlack(String(cfg.url), slackMessage(n), d));
    case 'webhook':
      return toPublicUrl(o, String(cfg.url), (d) =>
        sendSignedWebhook(
          String(cfg.url),
          String(cfg.secret),
          id,
          JSON.stringify({ version: '1', type: 'alert.notification', channelId: c.id, ...n, externalURL: o.hubUrl() }),
          d,
        ),
      );
    case 'email':
      try {
        await o.mailer.send(alertMail(n, String(cfg.to)));
        return { ok: true, status: 250, body: 'sent', retryable: false };
      } catch (e) {
        return { ok: false, status: 0, body: '', error: (e as Error).message, retryable: true };
      }
  }
}

/**
 * The notification outbox: due rows are sent, a success marks them sent, a retryable failure
 * (network, 429, 5xx) schedules the next try `retrySec × attempt` later until `maxAttempts`, and
 * any other failure (a 400: the payload or key is wrong) fails at once. Failed rows stay visible.
 */
export class Delivery {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly o: DeliveryOptions) {}

  get options(): Readonly<DeliveryOptions> {
    return this.o;
  }

  /** Resolves when no pass is running (for a clean stop). */
  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  /** Sends what is due; concurrent calls coalesce into one more pass. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async pass(): Promise<void> {
    for (;;) {
      const rows = await this.o.db.query<OutboxRow>(
        `SELECT id, channel_id, kind, action, payload, attempts FROM notification_outbox
         WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, created_at LIMIT 20`,
        [new Date(this.o.now()).toISOString()],
      );
      if (!rows.length) return;
      await Promise.all(rows.map((r) => this.deliver(r)));
      if (rows.length < 20) return;
    }
  }

  /** One attempt of one row; returns the result. */
  async deliver(r: OutboxRow): Promise<DeliveryResult> {
    const c = this.o.channel(r.channel_id);
    const result: DeliveryResult = c
      ? await sendNotification(this.o, c, r.id, r.payload, r.action)
      : { ok: false, status: 0, body: '', error: 'channel deleted', retryable: false };
    const attempts = r.attempts + 1;
    const retry = !result.ok && result.retryable && attempts < this.o.maxAttempts;
    const status = result.ok ? 'sent' : retry ? 'pending' : 'failed';
    const waitSec = Math.max(this.o.retrySec * attempts, retry ? (result.retryAfterSec ?? 0) : 0);
    const now = this.o.now();
    await this.o.db.query(
      `UPDATE notification_outbox SET status = $2, attempts = $3, last_status = $4, last_error = $5, response = $6,
         next_attempt_at = $7, sent_at = $8 WHERE id = $1`,
      [
        r.id,
        status,
        attempts,
        result.status,
        result.ok ? null : (result.error ?? `HTTP ${result.status}`),
        result.body.slice(0, 2000),
        new Date(now + (retry ? waitSec * 1000 : 0)).toISOString(),
        result.ok ? new Date(now).toISOString() : null,
      ],
    );
    if (!result.ok)
      this.o.log.warn(
        { channel: r.channel_id, delivery: r.id, status: result.status, error: result.error, attempts, final: !retry },
        'notification delivery failed',
      );
    return result;
  }
}
