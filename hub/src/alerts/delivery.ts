import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Mailer } from '../security/mailer.js';
import type { GuardOptions } from '../security/public-address.js';
import { type DeliveryResult, sendSignedWebhook } from '../webhooks/index.js';
import { toPublicUrl } from '../webhooks/public-target.js';
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

export interface OutboxRow {
  id: string;
  channel_id: string;
  kind: string;
  action: string;
  payload: Notification;
  attempts: number;
}

/**
 * Another feature's rows in the outbox (their `kind`): it sends them and decides on retries, the
 * outbox keeps them durable and due. Client event webhooks use it (webhooks/client-hooks.ts).
 */
export interface OutboxHandler {
  send(row: OutboxRow): Promise<DeliveryResult>;
  /** Seconds until the next try after `attempts` tries that failed retryably, or null: no more. */
  retryDelaySec(row: OutboxRow, attempts: number, result: DeliveryResult): number | null;
  /** After the row is updated; `final` when it will not be tried again. */
  settled?(row: OutboxRow, result: DeliveryResult, final: boolean): Promise<void>;
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
      return toPublicUrl(o.targets, String(cfg.url), (d) => sendSlack(String(cfg.url), slackMessage(n), d));
    case 'webhook':
      return toPublicUrl(o.targets, String(cfg.url), (d) =>
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
  private readonly handlers = new Map<string, OutboxHandler>();

  constructor(private readonly o: DeliveryOptions) {}

  /** Rows of this kind are sent and retried by `handler`. */
  register(kind: string, handler: OutboxHandler): void {
    this.handlers.set(kind, handler);
  }

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
    const handler = this.handlers.get(r.kind);
    const c = handler ? undefined : this.o.channel(r.channel_id);
    const result: DeliveryResult = handler
      ? await handler.send(r)
      : c
        ? await sendNotification(this.o, c, r.id, r.payload, r.action)
        : { ok: false, status: 0, body: '', error: 'channel deleted', retryable: false };
    const attempts = r.attempts + 1;
    const handlerWait = handler && !result.ok && result.retryable ? handler.retryDelaySec(r, attempts, result) : null;
    const retry = handler ? handlerWait !== null : !result.ok && result.retryable && attempts < this.o.maxAttempts;
    const status = result.ok ? 'sent' : retry ? 'pending' : 'failed';
    const waitSec = handler
      ? (handlerWait ?? 0)
      : Math.max(this.o.retrySec * attempts, retry ? (result.retryAfterSec ?? 0) : 0);
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
    await handler?.settled?.(r, result, !retry);
    return result;
  }
}
