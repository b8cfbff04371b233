import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../src/security/mailer.js';
import { type LocalSmtp, startSmtp } from './helpers/smtp.js';

describe('mailer over SMTP', () => {
  let smtp: LocalSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(() => smtp.close());

  it('delivers text, headers and attachments to a real SMTP server', async () => {
    const mailer = createMailer(smtp.url, pino({ level: 'silent' }), 'Deep Signal <hub@example.test>');
    await mailer.send({
      to: 'owner@client.test',
      subject: 'Invoice DS-2026-0001',
      text: 'Your invoice is attached.',
      headers: { 'X-DeepSignal-Ticket': 't_1' },
      attachments: [{ filename: 'invoice.pdf', content: Buffer.from('%PDF-1.4 test'), contentType: 'application/pdf' }],
    });
    const got = await smtp.waitFor((m) => m.parsed.subject === 'Invoice DS-2026-0001');
    expect(got.to).toEqual(['owner@client.test']);
    expect(got.parsed.from?.text).toContain('hub@example.test');
    expect(got.parsed.text?.trim()).toBe('Your invoice is attached.');
    expect(got.parsed.headers.get('x-deepsignal-ticket')).toBe('t_1');
    expect(got.parsed.attachments.map((a) => a.filename)).toEqual(['invoice.pdf']);
  });

  it('refuses a transport it does not know', () => {
    expect(() => createMailer('ftp://x', pino({ level: 'silent' }))).toThrow(/DS_MAIL_TRANSPORT/);
  });

  it('reports an SMTP server that is not there', async () => {
    const mailer = createMailer('smtp://127.0.0.1:1', pino({ level: 'silent' }));
    await expect(mailer.send({ to: 'a@b.test', subject: 's', text: 't' })).rejects.toThrow();
  });
});
