import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A mail the hub sent through DS_MAIL_TRANSPORT=<url> (its JSON relay format). */
export interface RelayedMail {
  to: string;
  subject: string;
  text: string;
}

/** A local HTTP mail relay on port 0 that keeps what the hub posts, for reading links in tests. */
export interface MailRelay {
  url: string;
  mails: RelayedMail[];
  /** The first link in the newest mail to `to` (waits up to `timeoutMs`). */
  linkFor(to: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startMailRelay(): Promise<MailRelay> {
  const mails: RelayedMail[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      try {
        mails.push(JSON.parse(body) as RelayedMail);
        res.writeHead(202).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mail`,
    mails,
    async linkFor(to, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = [...mails].reverse().find((x) => x.to === to);
        const link = m && /https?:\/\/\S+/.exec(m.text)?.[0];
        if (link) return link;
        if (Date.now() > end) throw new Error(`no mail with a link to ${to}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
