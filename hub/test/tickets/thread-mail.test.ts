import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { type LocalSmtp, startSmtp } from '../helpers/smtp.js';
import { login, makeTenant, type Tenant } from '../security/tenants.js';

const SECRET = 'inbound-secret-0123456789';
const PUBLIC = 'https://hub.example.test';

interface Entry {
  id: string;
  kind: string;
  author: string;
  body: string;
  via: string;
}
interface Full {
  id: string;
  state: string;
  clientId: string;
  firstResponseAt: string | null;
  thread: Entry[];
  draftReply?: string | null;
}

describe('tickets: a thread both ways, with mail out over SMTP and replies back in', () => {
  let hub: TestHub;
  let smtp: LocalSmtp;
  let a: Tenant;
  let b: Tenant;
  let support: string;

  const inbound = async (raw: Buffer | string, secret = SECRET) => {
    const res = await fetch(`${hub.httpUrl}/api/v1/inbound/mail`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-ds-inbound-secret': secret },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** Sends a mail through the local SMTP server and returns it as it arrived there. */
  const sendThroughSmtp = async (mail: SendMailOptions) => {
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port: Number(new URL(smtp.url).port),
      secure: false,
      ignoreTLS: true,
    });
    const info = await t.sendMail(mail);
    return smtp.waitFor((m) => m.parsed.messageId === info.messageId);
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    hub = await startTestHub({
      mailTransport: smtp.url,
      publicUrl: PUBLIC,
      supportReplyAddress: 'support@hub.example.test',
      inboundMailSecret: SECRET,
    });
    a = await makeTenant(hub, 'alpha');
    b = await makeTenant(hub, 'beta');
    const s = await hub.api('POST', '/users', { email: 'agent@ops.test', password: 'password-123', role: 'support' });
    expect(s.status).toBe(201);
    support = await login(hub, 'agent@ops.test');
  });
  afterAll(async () => {
    await hub?.close();
    await smtp?.close();
  });

  it('client asks, operators are mailed; operator answers, client is mailed; a mailed reply reopens it', async () => {
    const opened = await hub.api<Full>(
      'POST',
      '/tickets',
      { instanceId: a.inst, subject: 'Agent stopped answering', body: 'Since 9:00 nobody gets a reply on WhatsApp.' },
      a.owner,
    );
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ clientId: a.client, state: 'open' });
    const tid = opened.body.id;

    const toOps = await smtp.waitFor(
      (m) => m.to.includes('agent@ops.test') && m.parsed.subject?.includes(tid) === true,
    );
    expect(toOps.parsed.text).toContain('nobody gets a reply on WhatsApp');
    expect(toOps.parsed.text).toContain(`${PUBLIC}/support/?ticket=${tid}`);

    const note = await hub.api(
      'POST',
      `/tickets/${tid}/notes`,
      { body: 'Internal: WhatsApp session looks unlinked' },
      support,
    );
    expect(note.status).toBe(201);
    const reply = await hub.api<{ ticket: Full }>(
      'POST',
      `/tickets/${tid}/replies`,
      { body: 'Your WhatsApp device was unlinked. Please scan the QR code again.' },
      support,
    );
    expect(reply.status).toBe(201);
    expect(reply.body.ticket.state).toBe('waiting_on_client');
    expect(reply.body.ticket.firstResponseAt).not.toBeNull();

    const toClient = await smtp.waitFor((m) => m.to.includes('client_owner@alpha.test'));
    expect(toClient.parsed.text).toContain('scan the QR code again');
    expect(toClient.parsed.text).toContain(`${PUBLIC}/client/help/?ticket=${tid}`);
    expect(toClient.parsed.text).not.toContain('Internal');
    const replyTo = toClient.parsed.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(/^support\+t[0-9a-f]{24}@hub\.example\.test$/);

    // The client answers the mail in a mail program: it goes out over SMTP, comes back raw.
    const answered = await sendThroughSmtp({
      from: 'client_owner@alpha.test',
      to: replyTo,
      subject: `Re: ${toClient.parsed.subject}`,
      inReplyTo: toClient.parsed.messageId,
      references: [toClient.parsed.messageId as string],
      text: `Done, it answers again. Thanks!\n\nOn Wed, 2 Dec 2026 at 16:00, Deep Signal <noreply@localhost> wrote:\n> ${toClient.parsed.text?.split('\n')[0]}\n> older text`,
    });
    const inb = await inbound(answered.raw);
    expect(inb.status).toBe(201);
    expect(inb.body).toMatchObject({ ticketId: tid, author: 'client' });

    const clientView = await hub.api<Full>('GET', `/tickets/${tid}`, undefined, a.owner);
    expect(clientView.body.state).toBe('open');
    const last = clientView.body.thread.filter((e) => e.kind === 'message').at(-1) as Entry;
    expect(last).toMatchObject({ author: 'client', via: 'email', body: 'Done, it answers again. Thanks!' });
    // Notes never reach client users; operators see them.
    expect(clientView.body.thread.some((e) => e.kind === 'note')).toBe(false);
    expect(JSON.stringify(clientView.body)).not.toContain('unlinked\n');
    expect(JSON.stringify(clientView.body)).not.toContain('Internal: WhatsApp');
    const opView = await hub.api<Full>('GET', `/tickets/${tid}`, undefined, support);
    expect(opView.body.thread.some((e) => e.kind === 'note' && e.body.startsWith('Internal'))).toBe(true);

    // The reopened ticket told the operators again.
    await smtp.waitFor(
      (m) => m.to.includes('agent@ops.test') && (m.parsed.text ?? '').includes('Done, it answers again'),
    );
  });

  it('a reply matched by its plus-address alone lands too; wrong secrets, strangers and unknown tickets are refused', async () => {
    const t = await hub.api<Full>(
      'POST',
      '/tickets',
      { subject: 'Invoice question', body: 'Which VAT rate?' },
      a.owner,
    );
    await hub.api('POST', `/tickets/${t.body.id}/replies`, { body: 'Standard rate.', state: 'resolved' }, support);
    const mail = await smtp.waitFor((m) => (m.parsed.text ?? '').includes('Standard rate.'));
    const to = mail.parsed.replyTo?.value[0]?.address as string;
    const raw = (from: string, rcpt = to) =>
      `From: ${from}\r\nTo: ${rcpt}\r\nSubject: Re: x\r\nMessage-ID: <m${Math.random()}@x.test>\r\nContent-Type: text/plain\r\n\r\nOne more thing: and the reverse charge?\r\n`;
    expect((await inbound(raw('client_owner@alpha.test'), 'wrong-secret-0123456789')).status).toBe(401);
    expect((await inbound(raw('client_owner@beta.test'))).status).toBe(422);
    expect(
      (await inbound(raw('client_owner@alpha.test', 'support+t000000000000000000000000@hub.example.test'))).status,
    ).toBe(422);
    expect((await inbound('not a mail at all')).status).toBe(422);
    const ok = await inbound(raw('client_viewer@alpha.test'));
    expect(ok.status).toBe(201);
    const after = await hub.api<Full>('GET', `/tickets/${t.body.id}`, undefined, support);
    // Any client reply reopens, a resolved ticket too.
    expect(after.body.state).toBe('open');
    const metrics = await (
      await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${hub.token}` } })
    ).text();
    expect(metrics).toMatch(/ds_inbound_mail_rejects_total\{reason="secret"\} 1/);
    expect(metrics).toMatch(/ds_inbound_mail_rejects_total\{reason="unknown_sender"\} 1/);
  });

  it("keeps tenants apart: another client's ticket is a 404 on every route; lists hold only one's own", async () => {
    const mine = await hub.api<Full>('POST', '/tickets', { subject: 'beta private', body: 'beta body' }, b.owner);
    const id = mine.body.id;
    for (const [m, p, body] of [
      ['GET', `/tickets/${id}`, undefined],
      ['POST', `/tickets/${id}/replies`, { body: 'x' }],
      ['PATCH', `/tickets/${id}`, { state: 'resolved' }],
      ['POST', `/tickets/${id}/attachments`, { filename: 'a.txt', contentType: 'text/plain', dataBase64: 'aGk=' }],
    ] as const) {
      expect((await hub.api(m, p, body, a.owner)).status, `${m} ${p}`).toBe(404);
    }
    const list = await hub.api<Full[]>('GET', `/tickets?clientId=${b.client}`, undefined, a.owner);
    expect(list.status).toBe(404);
    const own = await hub.api<Full[]>('GET', '/tickets', undefined, a.owner);
    expect(own.body.every((t) => t.clientId === a.client)).toBe(true);
    expect(own.body.length).toBeGreaterThan(0);
    // Client users cannot write notes or change what operators decide.
    const ta = own.body[0].id;
    expect((await hub.api('POST', `/tickets/${ta}/notes`, { body: 'x' }, a.owner)).status).toBe(403);
    expect((await hub.api('PATCH', `/tickets/${ta}`, { priority: 'urgent' }, a.owner)).status).toBe(403);
    expect((await hub.api('GET', `/tickets/${ta}/context`, undefined, a.owner)).status).toBe(403);
  });

  it('attachments: type checked against the content, size-limited, internal ones hidden from clients', async () => {
    const t = await hub.api<Full>('POST', '/tickets', { subject: 'Screenshot', body: 'See attached' }, a.owner);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const up = await hub.api<{ id: string; size: number }>(
      'POST',
      `/tickets/${t.body.id}/attachments`,
      { filename: 'screen.png', contentType: 'image/png', dataBase64: png.toString('base64') },
      a.owner,
    );
    expect(up.status).toBe(201);
    const fake = await hub.api(
      'POST',
      `/tickets/${t.body.id}/attachments`,
      { filename: 'x.png', contentType: 'image/png', dataBase64: Buffer.from('<script>').toString('base64') },
      a.owner,
    );
    expect(fake.status).toBe(415);
    const html = await hub.api(
      'POST',
      `/tickets/${t.body.id}/attachments`,
      { filename: 'x.html', contentType: 'text/html', dataBase64: Buffer.from('<b>').toString('base64') },
      a.owner,
    );
    expect(html.status).toBe(415);
    const big = await hub.api(
      'POST',
      `/tickets/${t.body.id}/attachments`,
      {
        filename: 'big.txt',
        contentType: 'text/plain',
        dataBase64: Buffer.alloc(1024 * 1024 + 10, 97).toString('base64'),
      },
      a.owner,
    );
    expect([413, 400]).toContain(big.status);
    const internal = await hub.api<{ id: string }>(
      'POST',
      `/tickets/${t.body.id}/attachments`,
      {
        filename: 'logs.txt',
        contentType: 'text/plain',
        dataBase64: Buffer.from('error: x').toString('base64'),
        internal: true,
      },
      support,
    );
    expect(internal.status).toBe(201);
    const dl = await fetch(`${hub.httpUrl}/api/v1/tickets/${t.body.id}/attachments/${up.body.id}`, {
      headers: { authorization: `Bearer ${a.owner}` },
    });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await dl.arrayBuffer()).equals(png)).toBe(true);
    const hidden = await fetch(`${hub.httpUrl}/api/v1/tickets/${t.body.id}/attachments/${internal.body.id}`, {
      headers: { authorization: `Bearer ${a.owner}` },
    });
    expect(hidden.status).toBe(404);
    const seen = await hub.api<{ attachments: { id: string }[] }>('GET', `/tickets/${t.body.id}`, undefined, a.owner);
    expect(seen.body.attachments.map((x) => x.id)).toEqual([up.body.id]);
  });

  it('context beside the thread, and quick actions recorded in it as signed commands', async () => {
    const t = await hub.api<Full>(
      'POST',
      '/tickets',
      { instanceId: a.inst, subject: 'Restart please', body: 'x' },
      a.owner,
    );
    const act = await hub.api<{ commandId: string; entry: Entry }>(
      'POST',
      `/tickets/${t.body.id}/actions`,
      { action: 'restart' },
      support,
    );
    expect(act.status).toBe(202);
    expect(act.body.entry).toMatchObject({ kind: 'system' });
    expect(act.body.entry.body).toContain(act.body.commandId);
    const bad = await hub.api(
      'POST',
      `/tickets/${t.body.id}/actions`,
      { action: 'change_model', model: 'nope' },
      support,
    );
    expect(bad.status).toBe(400);
    expect((await hub.api('POST', `/tickets/${t.body.id}/actions`, { action: 'pause' }, a.owner)).status).toBe(403);
    const cmd = await hub.api<{ type: string; issuedBy: string }>('GET', `/commands/${act.body.commandId}`);
    expect(cmd.body.type).toBe('openclaw.restart');

    type Ctx = {
      client: { plan: string };
      instance: { status: string; recentCommands: { id: string }[]; consoleUrl: string | null };
    };
    const c = await hub.api<Ctx>('GET', `/tickets/${t.body.id}/context`, undefined, support);
    expect(c.status).toBe(200);
    expect(c.body.client.plan).toBe('growth');
    expect(c.body.instance.status).toBe('provisioning');
    expect(c.body.instance.recentCommands.map((x) => x.id)).toContain(act.body.commandId);
    expect(c.body.instance.consoleUrl).toBeNull(); // support role: no console
    const asAdmin = await hub.api<Ctx>('GET', `/tickets/${t.body.id}/context`);
    expect(asAdmin.body.instance.consoleUrl).toContain(a.inst);
    // The client sees that something was done, in the thread.
    const seen = await hub.api<Full>('GET', `/tickets/${t.body.id}`, undefined, a.owner);
    expect(seen.body.thread.some((e) => e.kind === 'system' && e.body.includes('restart OpenClaw'))).toBe(true);
  });

  it('the old /support-requests still answers, as a view of tickets', async () => {
    const r = await hub.api<{ id: string; status: string }>(
      'POST',
      '/support-requests',
      { subject: 'Old client', body: 'from the old dashboard' },
      a.owner,
    );
    expect(r.status).toBe(201);
    const t = await hub.api<Full>('GET', `/tickets/${r.body.id}`, undefined, a.owner);
    expect(t.body.thread[0].body).toBe('from the old dashboard');
    const res = await hub.api<{ status: string }>('POST', `/support-requests/${r.body.id}/resolve`, undefined, support);
    expect(res.body.status).toBe('resolved');
  });
});
