import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { Mailer } from '../security/mailer.js';

/** The days of the welcome sequence, counted from the start of onboarding. */
export const WELCOME_DAYS = [0, 1, 3, 7] as const;
export type WelcomeDay = (typeof WELCOME_DAYS)[number];

/** A client's welcome sequence as the onboarding agent and the client's settings see it. */
export interface WelcomeStatus {
  clientId: string;
  clientName: string;
  /** When onboarding started (day 0); null for a client that never went through onboarding. */
  startedAt: string | null;
  optedOut: boolean;
  optedOutAt: string | null;
  /** Whether the client has an owner to write to. */
  hasOwner: boolean;
  sent: { day: number; subject: string; sentAt: string }[];
}

/** Outcome of a send request. */
export type SendOutcome =
  | { state: 'sent'; to: string; sentAt: string }
  | { state: 'already_sent'; sentAt: string }
  | { state: 'opted_out' }
  | { state: 'no_owner' };

/**
 * The welcome mails of onboarding (days 0, 1, 3 and 7): the onboarding agent writes them, the hub
 * sends each one once, only to the client's owner, never after the client opted out, and adds the
 * one-click unsubscribe link itself so no mail can leave without it.
 */
export class WelcomeService {
  private readonly linkKey: Buffer;

  constructor(
    private readonly db: Db,
    private readonly mailer: Mailer,
    /** The hub's signing key: the unsubscribe links' HMAC key is derived from it. */
    hubPrivateKeyPem: string,
    private readonly publicUrl: string | undefined,
  ) {
    this.linkKey = createHash('sha256').update(`welcome-unsubscribe\0${hubPrivateKeyPem}`).digest();
  }

  /** The token of a client's unsubscribe link (stable, so every mail's link keeps working). */
  unsubscribeToken(clientId: string): string {
    return `${clientId}.${createHmac('sha256', this.linkKey).update(clientId).digest('base64url')}`;
  }

  /** The client a valid unsubscribe token names, else null. */
  verifyToken(token: string): string | null {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return null;
    const want = Buffer.from(this.unsubscribeToken(token.slice(0, dot)));
    const got = Buffer.from(token);
    return want.length === got.length && timingSafeEqual(want, got) ? token.slice(0, dot) : null;
  }

  /** The sequence of every client in onboarding (or one client): start, opt-out, mails sent. */
  async list(clientId?: string): Promise<WelcomeStatus[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT o.client_id, c.name, o.created_at, p.opted_out_at,
              EXISTS (SELECT 1 FROM users u WHERE u.client_id = o.client_id AND u.role = 'client_owner'
                        AND NOT u.disabled) AS has_owner
         FROM onboarding o JOIN clients c ON c.id = o.client_id
         LEFT JOIN welcome_preferences p ON p.client_id = o.client_id
        WHERE ($1::text IS NULL OR o.client_id = $1) ORDER BY o.created_at`,
      [clientId ?? null],
    );
    const sent = await this.db.query<Record<string, unknown>>(
      `SELECT client_id, day, subject, sent_at FROM welcome_mails WHERE ($1::text IS NULL OR client_id = $1) ORDER BY day`,
      [clientId ?? null],
    );
    return rows.map((r) => ({
      clientId: String(r.client_id),
      clientName: String(r.name),
      startedAt: new Date(r.created_at as string).toISOString(),
      optedOut: !!r.opted_out_at,
      optedOutAt: r.opted_out_at ? new Date(r.opted_out_at as string).toISOString() : null,
      hasOwner: !!r.has_owner,
      sent: sent
        .filter((s) => s.client_id === r.client_id)
        .map((s) => ({
          day: Number(s.day),
          subject: String(s.subject),
          sentAt: new Date(s.sent_at as string).toISOString(),
        })),
    }));
  }

  /** One client's sequence, also for a client without onboarding (no start, nothing sent); null when unknown. */
  async one(clientId: string): Promise<WelcomeStatus | null> {
    const [s] = await this.list(clientId);
    if (s) return s;
    const c = (await this.db.query<{ name: string }>('SELECT name FROM clients WHERE id = $1', [clientId]))[0];
    if (!c) return null;
    const pref = await this.db.query('SELECT opted_out_at FROM welcome_preferences WHERE client_id = $1', [clientId]);
    const at = pref[0]?.opted_out_at as string | null | undefined;
    return {
      clientId,
      clientName: c.name,
      startedAt: null,
      optedOut: !!at,
      optedOutAt: at ? new Date(at).toISOString() : null,
      hasOwner: true,
      sent: [],
    };
  }

  async setOptOut(clientId: string, optedOut: boolean, by: string): Promise<void> {
    await this.db.query(
      `INSERT INTO welcome_preferences (client_id, opted_out_at, opted_out_by) VALUES ($1, $2, $3)
       ON CONFLICT (client_id) DO UPDATE SET opted_out_at = EXCLUDED.opted_out_at, opted_out_by = EXCLUDED.opted_out_by`,
      [clientId, optedOut ? new Date() : null, optedOut ? by : null],
    );
  }

  /**
   * Sends one day's mail to the client's owner, once: the row is claimed before sending (so two
   * requests cannot both send) and released again when the mail could not be handed over.
   */
  async send(clientId: string, day: WelcomeDay, subject: string, text: string): Promise<SendOutcome> {
    const pref = await this.db.query('SELECT opted_out_at FROM welcome_preferences WHERE client_id = $1', [clientId]);
    if (pref[0]?.opted_out_at) return { state: 'opted_out' };
    const owner = (
      await this.db.query<{ email: string }>(
        `SELECT email FROM users WHERE client_id = $1 AND role = 'client_owner' AND NOT disabled
          ORDER BY created_at LIMIT 1`,
        [clientId],
      )
    )[0];
    if (!owner) return { state: 'no_owner' };
    const claimed = await this.db.query<{ sent_at: string }>(
      `INSERT INTO welcome_mails (client_id, day, to_address, subject) VALUES ($1,$2,$3,$4)
       ON CONFLICT DO NOTHING RETURNING sent_at`,
      [clientId, day, owner.email, subject],
    );
    if (!claimed[0]) {
      const prev = await this.db.query<{ sent_at: string }>(
        'SELECT sent_at FROM welcome_mails WHERE client_id = $1 AND day = $2',
        [clientId, day],
      );
      return { state: 'already_sent', sentAt: new Date(prev[0]?.sent_at ?? Date.now()).toISOString() };
    }
    const link = this.unsubscribeLink(clientId);
    const stop = link
      ? `Stop them with one click: ${link}\n(or in your dashboard: Settings, Welcome emails).`
      : 'Stop them in your dashboard: Settings, Welcome emails.';
    try {
      await this.mailer.send({
        to: owner.email,
        subject,
        text: `${text.trimEnd()}\n\n--\nYou get these mails while your agent is new. ${stop}`,
        ...(link
          ? { headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
          : {}),
      });
    } catch (e) {
      await this.db.query('DELETE FROM welcome_mails WHERE client_id = $1 AND day = $2', [clientId, day]);
      throw e;
    }
    return { state: 'sent', to: owner.email, sentAt: new Date(claimed[0].sent_at).toISOString() };
  }

  /** Links use DS_PUBLIC_URL only (never a request's Host); without it the mail names the setting. */
  private unsubscribeLink(clientId: string): string | null {
    if (!this.publicUrl) return null;
    const base = this.publicUrl.replace(/\/+$/, '');
    return `${base}/api/v1/onboarding/welcome/unsubscribe?token=${encodeURIComponent(this.unsubscribeToken(clientId))}`;
  }
}
