import type { Logger } from 'pino';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import type { Mailer } from '../security/mailer.js';
import type { TicketRow } from './rows.js';
import type { Actor, ThreadEntry } from './types.js';

/** Settings the ticket mails need. */
export type TicketMailConfig = Pick<HubConfig, 'publicUrl' | 'supportReplyAddress'>;

/** `support@example.com` + token -> `support+t<token>@example.com`. */
export function plusAddress(address: string, token: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}+t${token}${address.slice(at)}`;
}

/** The Message-ID a thread entry goes out as; replies name it in In-Reply-To/References. */
export const mailIdFor = (ticketId: string, entryId: string, domain: string) => `<${entryId}.${ticketId}@${domain}>`;

/**
 * Mails about tickets: the client's people hear of an operator's reply, the operators of a
 * client's message. Links come from DS_PUBLIC_URL only (never a request's Host header); without
 * it the mail names the ticket and says where to find it. Sending never fails the API call.
 */
export class TicketMailer {
  constructor(
    private readonly db: Db,
    private readonly mailer: Mailer,
    private readonly config: TicketMailConfig,
    private readonly log: Logger,
    private readonly saveMailId: (entryId: string, mailId: string) => Promise<void>,
  ) {}

  /** Mails still being sent (tests and shutdown wait for them). */
  readonly pending = new Set<Promise<void>>();

  private get domain(): string {
    const addr = this.config.supportReplyAddress;
    if (addr?.includes('@')) return addr.slice(addr.lastIndexOf('@') + 1);
    try {
      return this.config.publicUrl ? new URL(this.config.publicUrl).hostname : 'deepsignal.local';
    } catch {
      return 'deepsignal.local';
    }
  }

  private link(path: string): string | null {
    return this.config.publicUrl ? `${this.config.publicUrl.replace(/\/+$/, '')}${path}` : null;
  }

  private track(p: Promise<void>): void {
    const q = p.catch((e) => this.log.warn({ err: (e as Error).message }, 'ticket mail failed'));
    this.pending.add(q);
    void q.finally(() => this.pending.delete(q));
  }

  private replyTo(r: TicketRow): string | undefined {
    return this.config.supportReplyAddress ? plusAddress(this.config.supportReplyAddress, r.reply_token) : undefined;
  }

  toOperators(r: TicketRow, body: string, from: Actor): void {
    this.track(
      (async () => {
        const rows = r.assignee_id
          ? await this.db.query<{ email: string }>('SELECT email FROM users WHERE id = $1 AND NOT disabled', [
              r.assignee_id,
            ])
          : await this.db.query<{ email: string }>(
              "SELECT email FROM users WHERE role IN ('admin','support') AND client_id IS NULL AND NOT disabled ORDER BY created_at",
            );
        const link = this.link(`/support/?ticket=${encodeURIComponent(r.id)}`);
        const text = [
          `${from.email ?? 'A client'} wrote on ticket ${r.id} ("${r.subject}"):`,
          '',
          body,
          '',
          link ? `Open the thread: ${link}` : `Open Mission Control > Support and find ticket ${r.id}.`,
        ].join('\n');
        for (const u of rows)
          await this.mailer.send({
            to: u.email,
            subject: `[Deep Signal] ${r.subject} [${r.id}]`,
            text,
            replyTo: this.replyTo(r),
            headers: { 'X-DeepSignal-Ticket': r.id },
          });
      })(),
    );
  }

  toClient(r: TicketRow, entry: ThreadEntry): void {
    this.track(
      (async () => {
        let rows = r.opened_by
          ? await this.db.query<{ email: string }>(
              'SELECT email FROM users WHERE id = $1 AND client_id = $2 AND NOT disabled',
              [r.opened_by, r.client_id],
            )
          : [];
        if (!rows.length)
          rows = await this.db.query<{ email: string }>(
            "SELECT email FROM users WHERE client_id = $1 AND role = 'client_owner' AND NOT disabled",
            [r.client_id],
          );
        if (!rows.length) return;
        const link = this.link(`/client/help/?ticket=${encodeURIComponent(r.id)}`);
        const replyTo = this.replyTo(r);
        const text = [
          entry.body,
          '',
          '—',
          replyTo ? 'Reply to this mail to answer, or open the conversation:' : 'Answer in your dashboard:',
          link ?? `Get help > your requests, ticket ${r.id}`,
        ].join('\n');
        const mailId = mailIdFor(r.id, entry.id, this.domain);
        await this.saveMailId(entry.id, mailId);
        for (const u of rows)
          await this.mailer.send({
            to: u.email,
            subject: `Re: ${r.subject} [${r.id}]`,
            text,
            replyTo,
            headers: { 'Message-ID': mailId, 'X-DeepSignal-Ticket': r.id },
          });
      })(),
    );
  }

  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
