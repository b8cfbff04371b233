import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { type LocalSmtp, startSmtp } from './helpers/smtp.js';

type Msg = { id: string; clientId: string; author: string; text: string; status: string; replyTo: string | null };
type Err = { error: { code: string; message: string } };

describe('onboarding help chat and welcome mails', () => {
  let hub: TestHub;
  let smtp: LocalSmtp;
  const owners: Record<'a' | 'b', { token: string; clientId: string; email: string }> = {} as never;
  let helper: string;
  let readOnly: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    hub = await startTestHub({ mailTransport: smtp.url, publicUrl: 'https://hub.example.test' });
    for (const k of ['a', 'b'] as const) {
      const email = `owner-${k}@help.test`;
      const r = await hub.api<{ token: string; state: { clientId: string } }>('POST', '/onboarding/start', {
        company: `Company ${k}`,
        email,
        password: 'owner-password-1',
      });
      expect(r.status).toBe(201);
      owners[k] = { token: r.body.token, clientId: r.body.state.clientId, email };
    }
    // The onboarding agent's own token, minted as `npm start` does.
    const minted = await hub.api<{ token: string; scopes: string[] }>('POST', '/ops-agents/onboarding/token');
    expect(minted.body.scopes).toContain('onboarding:help');
    helper = minted.body.token;
    const acct = await hub.api<{ id: string }>('POST', '/service-accounts', { name: 'reader' });
    readOnly = (
      await hub.api<{ token: string }>('POST', `/service-accounts/${acct.body.id}/tokens`, {
        name: 'reader',
        scopes: ['read'],
      })
    ).body.token;
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await hub?.close();
    await smtp?.close();
  });

  const live = (token: string) =>
    new Promise<Socket>((res, rej) => {
      const s = io(hub.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
      sockets.push(s);
      s.once('connect', () => res(s));
      s.once('connect_error', rej);
    });

  it('refuses bad questions with a clear error', async () => {
    const empty = await hub.api<Err>('POST', '/onboarding/help', { text: '   ' }, owners.a.token);
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('type a question');
    const long = await hub.api<Err>('POST', '/onboarding/help', { text: 'x'.repeat(2001) }, owners.a.token);
    expect(long.status).toBe(400);
    const noBody = await hub.api<Err>('POST', '/onboarding/help', undefined, owners.a.token);
    expect(noBody.status).toBe(400);
    const anon = await hub.api<Err>('POST', '/onboarding/help', { text: 'hello?' }, '');
    expect(anon.status).toBe(401);
  });

  it('keeps each client’s thread to itself and wakes the agent’s long poll', async () => {
    const aSock = await live(owners.a.token);
    const bSock = await live(owners.b.token);
    const seenA: Msg[] = [];
    const seenB: Msg[] = [];
    aSock.on('onboarding.help', (e: { message: Msg }) => seenA.push(e.message));
    bSock.on('onboarding.help', (e: { message: Msg }) => seenB.push(e.message));

    // The agent waits first; the question wakes it well before its 20 s are up.
    const t0 = Date.now();
    const polling = hub.api<{ questions: Msg[] }>('GET', '/onboarding/help/pending?waitSec=20', undefined, helper);
    await new Promise((r) => setTimeout(r, 200));
    const asked = await hub.api<Msg>(
      'POST',
      '/onboarding/help',
      { text: 'why is WhatsApp not connected?' },
      owners.a.token,
    );
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ author: 'client', status: 'pending', clientId: owners.a.clientId });
    const woke = await polling;
    expect(woke.status).toBe(200);
    expect(woke.body.questions.map((q) => q.id)).toContain(asked.body.id);
    expect(Date.now() - t0).toBeLessThan(15_000);

    // Another client sees none of it: its thread is empty, naming client A or A's question is a 404.
    expect(
      (await hub.api<{ messages: Msg[] }>('GET', '/onboarding/help', undefined, owners.b.token)).body.messages,
    ).toEqual([]);
    expect(
      (await hub.api('GET', `/onboarding/help?clientId=${owners.a.clientId}`, undefined, owners.b.token)).status,
    ).toBe(404);
    const foreign = await hub.api('POST', `/onboarding/help/${asked.body.id}/answer`, { text: 'hi' }, owners.b.token);
    expect(foreign.status).toBe(404);

    // Only the onboarding agent (or an operator) sees pending questions and answers them.
    expect((await hub.api<Err>('GET', '/onboarding/help/pending', undefined, owners.a.token)).status).toBe(403);
    expect((await hub.api<Err>('GET', '/onboarding/help/pending', undefined, readOnly)).status).toBe(403);
    const ownAnswer = await hub.api<Err>(
      'POST',
      `/onboarding/help/${asked.body.id}/answer`,
      { text: 'x' },
      owners.a.token,
    );
    expect(ownAnswer.status).toBe(403);
    expect(
      (await hub.api<Err>('POST', `/onboarding/help/${asked.body.id}/answer`, { text: 'x' }, readOnly)).status,
    ).toBe(403);
    expect(
      (await hub.api<Err>('POST', '/onboarding/help/ohm-nosuchquestion/answer', { text: 'x' }, helper)).status,
    ).toBe(404);
    expect((await hub.api<Err>('POST', `/onboarding/help/${asked.body.id}/answer`, { text: '' }, helper)).status).toBe(
      400,
    );

    const answered = await hub.api<Msg>(
      'POST',
      `/onboarding/help/${asked.body.id}/answer`,
      { text: 'WhatsApp is disconnected: scan the QR code again.', facts: { channel: 'whatsapp' } },
      helper,
    );
    expect(answered.status).toBe(201);
    expect(answered.body).toMatchObject({ author: 'agent', replyTo: asked.body.id, status: 'sent' });
    const again = await hub.api<Err>('POST', `/onboarding/help/${asked.body.id}/answer`, { text: 'again' }, helper);
    expect(again.status).toBe(409);

    const thread = (await hub.api<{ messages: Msg[] }>('GET', '/onboarding/help', undefined, owners.a.token)).body
      .messages;
    expect(thread.map((m) => [m.author, m.status])).toEqual([
      ['client', 'answered'],
      ['agent', 'sent'],
    ]);
    await expect.poll(() => seenA.some((m) => m.id === answered.body.id), { timeout: 60_000 }).toBe(true);
    expect(seenB).toEqual([]);
    expect(
      (await hub.api<{ questions: Msg[] }>('GET', '/onboarding/help/pending', undefined, helper)).body.questions,
    ).toEqual([]);
  }, 120_000);

  it('re-runs a check only for the agent, and says when nothing is stored', async () => {
    const r = await hub.api<{ ok: boolean; reason: string; message: string }>(
      'POST',
      `/onboarding/checks/provider?clientId=${owners.a.clientId}`,
      undefined,
      helper,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: false, reason: 'missing' });
    expect(r.body.message).toContain('no provider key is stored');
    expect(
      (await hub.api('POST', `/onboarding/checks/provider?clientId=${owners.a.clientId}`, undefined, owners.a.token))
        .status,
    ).toBe(403);
    expect(
      (await hub.api('POST', `/onboarding/checks/nothing?clientId=${owners.a.clientId}`, undefined, helper)).status,
    ).toBe(400);
  });

  it('sends each welcome mail once, to the owner only, and honours the opt-out', async () => {
    const a = owners.a;
    const send = (day: number | string, token = helper) =>
      hub.api<{ state: string; to?: string } & Err>(
        'POST',
        `/onboarding/welcome/${day}?clientId=${a.clientId}`,
        { subject: `Day ${day} with your agent`, text: 'Your agent had 0 conversations so far.' },
        token,
      );
    expect((await send(2)).status).toBe(400);
    expect((await send('x')).status).toBe(400);
    expect((await send(0, a.token)).status).toBe(403);
    const first = await send(0);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'sent', to: a.email });
    expect((await send(0)).body.state).toBe('already_sent');
    const mail = await smtp.waitFor(
      (m) => m.to.includes(a.email) && m.parsed.subject === 'Day 0 with your agent',
      60_000,
    );
    expect(smtp.mails.filter((m) => m.parsed.subject === 'Day 0 with your agent')).toHaveLength(1);
    const link = /https:\/\/hub\.example\.test(\/api\/v1\/onboarding\/welcome\/unsubscribe\?token=\S+)/.exec(
      mail.parsed.text ?? '',
    );
    expect(link).not.toBeNull();
    expect(mail.raw.toString()).toMatch(
      /List-Unsubscribe:\s+<https:\/\/hub\.example\.test\/api\/v1\/onboarding\/welcome\/unsubscribe\?token=/,
    );

    // The other client cannot read or change A's preference; a forged link is refused.
    expect((await hub.api('GET', `/onboarding/welcome?clientId=${a.clientId}`, undefined, owners.b.token)).status).toBe(
      404,
    );
    expect(
      (await hub.api('PUT', `/onboarding/welcome?clientId=${a.clientId}`, { optedOut: true }, owners.b.token)).status,
    ).toBe(404);
    const forged = await fetch(
      `${hub.httpUrl}/api/v1/onboarding/welcome/unsubscribe?token=${owners.b.clientId}.forged`,
    );
    expect(forged.status).toBe(404);
    expect(
      (await hub.api<{ optedOut: boolean }>('GET', '/onboarding/welcome', undefined, owners.b.token)).body.optedOut,
    ).toBe(false);

    const click = await fetch(`${hub.httpUrl}${(link as RegExpExecArray)[1]}`);
    expect(click.status).toBe(200);
    expect(await click.text()).toContain('no more welcome emails');
    const st = await hub.api<{ optedOut: boolean; sent: { day: number }[] }>(
      'GET',
      '/onboarding/welcome',
      undefined,
      a.token,
    );
    expect(st.body).toMatchObject({ optedOut: true, sent: [{ day: 0 }] });
    const refused = await send(1);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('HUB_ERR_WELCOME_OPTED_OUT');

    // The owner turns them back on in the settings.
    const on = await hub.api<{ optedOut: boolean }>('PUT', '/onboarding/welcome', { optedOut: false }, a.token);
    expect(on.body.optedOut).toBe(false);
    expect((await send(1)).status).toBe(201);
    const list = await hub.api<{ clients: { clientId: string; sent: { day: number }[] }[] }>(
      'GET',
      '/onboarding/welcome/clients',
      undefined,
      helper,
    );
    expect(list.body.clients.find((c) => c.clientId === a.clientId)?.sent.map((s) => s.day)).toEqual([0, 1]);
    expect((await hub.api('GET', '/onboarding/welcome/clients', undefined, a.token)).status).toBe(403);
  }, 120_000);
});
