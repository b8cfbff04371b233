import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';

/** A file sent with a mail (an invoice PDF, a log excerpt). */
export interface MailAttachment {
  filename: string;
  content: Buffer | string;
  contentType?: string;
}

/** One outgoing mail. `from` defaults to the hub's sender (DS_MAIL_FROM). */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  from?: string;
  replyTo?: string;
  /** Extra headers, e.g. a ticket's `X-DeepSignal-Ticket` so replies find their thread. */
  headers?: Record<string, string>;
  attachments?: MailAttachment[];
  /** The client the mail is for: its partner's brand is applied (else found from the recipients). */
  clientId?: string;
}

/** Sends mail (password resets, invitations, alerts, tickets, invoices). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

const USAGE = 'DS_MAIL_TRANSPORT: use `log`, an smtp(s):// URL, or an http(s) URL';

/**
 * `log`: the mail is printed (development; the link is in the hub's log at info level).
 * `smtp://user:pass@host:port` or `smtps://…`: sent over SMTP with nodemailer (STARTTLS when the
 * server offers it on smtp://; implicit TLS on smtps://).
 * An http(s) URL: the mail is POSTed there as JSON (a transactional-mail webhook or relay).
 */
export function createMailer(transport: string, log: Logger, defaultFrom = 'Deep Signal <noreply@localhost>'): Mailer {
  if (transport === 'log') {
    return {
      async send(m) {
        log.info({ to: m.to, subject: m.subject }, `mail (DS_MAIL_TRANSPORT=log):\n${m.text}`);
      },
    };
  }
  let url: URL;
  try {
    url = new URL(transport);
  } catch {
    throw new Error(USAGE);
  }
  if (url.protocol === 'smtp:' || url.protocol === 'smtps:') return smtpMailer(url, log, defaultFrom);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(USAGE);
  return {
    async send(m) {
      const body = { ...m, from: m.from ?? defaultFrom, attachments: m.attachments?.map(encodeAttachment) };
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`mail relay answered ${res.status}`);
    },
  };
}

function encodeAttachment(a: MailAttachment) {
  const content = typeof a.content === 'string' ? Buffer.from(a.content) : a.content;
  return { filename: a.filename, contentType: a.contentType, contentBase64: content.toString('base64') };
}

function smtpMailer(url: URL, log: Logger, defaultFrom: string): Mailer {
  const options = {
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A local relay often has a self-signed certificate; `?tls=insecure` says so explicitly.
    tls: url.searchParams.get('tls') === 'insecure' ? { rejectUnauthorized: false } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
  // nodemailer is loaded with the first mail, not with the hub (most hours send none).
  let transporter: Promise<Transporter> | undefined;
  const transport = () => {
    transporter ??= import('nodemailer').then((m) => m.default.createTransport(options));
    return transporter;
  };
  return {
    async send(m) {
      const info = await (await transport()).sendMail({
        from: m.from ?? defaultFrom,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        replyTo: m.replyTo,
        headers: m.headers,
        attachments: m.attachments,
      });
      log.info({ to: m.to, subject: m.subject, messageId: info.messageId }, 'mail sent over SMTP');
    },
  };
}
