import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A received mail, parsed (mailparser), with the SMTP envelope recipients. */
export interface ReceivedMail {
  to: string[];
  parsed: ParsedMail;
  /** The message as it arrived (RFC 822), e.g. to hand back to the hub as an inbound reply. */
  raw: Buffer;
}

/** A local SMTP server that accepts every mail and keeps it parsed, for tests of what the hub mails. */
export interface LocalSmtp {
  /** `smtp://127.0.0.1:<port>` for DS_MAIL_TRANSPORT. */
  url: string;
  mails: ReceivedMail[];
  /** Resolves with the first mail (received so far or later) that matches, or rejects after `ms`. */
  waitFor(match: (m: ReceivedMail) => boolean, ms?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<LocalSmtp> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      new Promise<Buffer>((res, rej) => {
        stream.on('end', () => res(Buffer.concat(chunks)));
        stream.on('error', rej);
      })
        .then(async (raw) => ({ raw, parsed: await simpleParser(raw) }))
        .then(({ raw, parsed }) => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), parsed, raw });
          for (const w of waiters) w();
          done();
        })
        .catch(done);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    waitFor(match, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = mails.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${ms} ms (${mails.length} received)`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
