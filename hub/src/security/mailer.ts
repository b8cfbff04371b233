import type { Logger } from 'pino';

/** One outgoing mail. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail (password resets, invitations). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * `log`: the mail is printed (development; the link is in the hub's log at info level).
 * An http(s) URL: the mail is POSTed there as JSON (a relay such as a small SMTP bridge or a
 * transactional-mail webhook).
 */
export function createMailer(transport: string, log: Logger): Mailer {
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
    throw new Error('DS_MAIL_TRANSPORT: use `log` or an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error('DS_MAIL_TRANSPORT: use `log` or an http(s) URL');
  return {
    async send(m) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(m),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`mail relay answered ${res.status}`);
    },
  };
}
