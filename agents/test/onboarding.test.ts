import type { OnboardingHelpMessageView } from '@deepsignal/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSmtp, startSmtp } from '../../hub/test/helpers/smtp.js';
import { type FakeProviders, GOOD, startFakeProviders } from '../../hub/test/onboarding-fake-providers.js';
import { createLlm } from '../src/llm.js';
import { helpLoop } from '../src/onboarding/help.js';
import { OnboardingHub } from '../src/onboarding/hub-api.js';
import { welcomePass } from '../src/onboarding/welcome.js';
import { runAgents } from '../src/runner/run.js';
import { say, startMessagesApiFake } from '../src/testing/messages-api-fake.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

type Msg = OnboardingHelpMessageView;
const WA_ERROR = 'logged out: the phone unlinked this device (status 401)';
const DAY = 86_400_000;

describe('onboarding agent', () => {
  let t: AgentTestHub;
  let fake: FakeProviders;
  let smtp: LocalSmtp;
  let owner: { token: string; clientId: string; email: string };
  let agentToken: string;
  let agentExpires: string;
  let sidecar: Awaited<ReturnType<typeof simulatedSidecar>>;
  const sockets: Socket[] = [];
  const loops: AbortController[] = [];

  beforeAll(async () => {
    fake = await startFakeProviders();
    smtp = await startSmtp();
    t = await startAgentHub({
      anthropicUrl: fake.url,
      openrouterUrl: fake.url,
      telegramUrl: fake.url,
      slackUrl: fake.url,
      mailTransport: smtp.url,
      publicUrl: 'https://hub.example.test',
    });
    const start = await t.api<{ token: string; state: { clientId: string } }>(
      'POST',
      '/onboarding/start',
      { company: 'Bakery Blue', email: 'owner@bakery.test', password: 'owner-password-1' },
      '',
    );
    expect(start.status).toBe(201);
    owner = { token: start.body.token, clientId: start.body.state.clientId, email: 'owner@bakery.test' };
    const as = owner.token;
    expect(
      (await t.api('POST', '/onboarding/provider', { provider: 'anthropic', key: GOOD.anthropic }, as)).status,
    ).toBe(200);
    expect((await t.api('POST', '/onboarding/channels/telegram', { botToken: GOOD.telegram }, as)).status).toBe(200);
    expect((await t.api('PUT', '/onboarding/channels/whatsapp', { enabled: true }, as)).status).toBe(200);
    expect(
      (await t.api('PUT', '/onboarding/personality', { name: 'Bea', tone: 'friendly', emoji: '🥐' }, as)).status,
    ).toBe(200);

    // The client's server, reporting over real MQTT what OpenClaw's channels.status says.
    const inst = await t.api<{ id: string; secret: string }>('POST', '/instances', {
      clientId: owner.clientId,
      hostname: 'bakery-vps',
    });
    expect(inst.status).toBe(201);
    sidecar = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, inst.body.id, inst.body.secret);
    await sidecar.status('online');
    await reportChannels([
      { id: 'whatsapp', enabled: true, connected: false, error: WA_ERROR },
      { id: 'telegram', enabled: true, connected: true },
    ]);
    await until(
      async () => !!(await state()).reportedChannels?.whatsapp,
      'the channel status to reach the hub',
      60_000,
    );

    const minted = await t.api<{ token: string; expiresAt: string; scopes: string[] }>(
      'POST',
      '/ops-agents/onboarding/token',
    );
    expect(minted.body.scopes).toEqual(['read', 'agent:report', 'onboarding:help']);
    agentToken = minted.body.token;
    agentExpires = minted.body.expiresAt;
  }, 180_000);

  afterAll(async () => {
    for (const l of loops) l.abort();
    for (const s of sockets) s.close();
    await sidecar?.close();
    await t?.close();
    await smtp?.close();
    await fake?.close();
  });

  const state = async () =>
    (
      await t.api<{ reportedChannels: Record<string, { connected: boolean; error: string | null }> }>(
        'GET',
        '/onboarding',
        undefined,
        owner.token,
      )
    ).body;
  const reportChannels = (channels: Record<string, unknown>[]) =>
    sidecar.openclaw({ present: true, up: true, ready: true, version: '2026.9.6', channels });

  /** The owner's browser side: a live socket that collects the thread's messages. */
  const ownerLive = async () => {
    const s = io(t.hub.httpUrl, { auth: { token: owner.token }, transports: ['websocket'], reconnection: false });
    sockets.push(s);
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', rej);
    });
    const seen: Msg[] = [];
    s.on('onboarding.help', (e: { message: Msg }) => seen.push(e.message));
    return seen;
  };

  /** Asks as the owner and waits for the answer on the live stream; returns it and the time it took. */
  const ask = async (seen: Msg[], text: string) => {
    const t0 = Date.now();
    const q = await t.api<Msg>('POST', '/onboarding/help', { text }, owner.token);
    expect(q.status).toBe(201);
    await until(async () => seen.some((m) => m.replyTo === q.body.id), `an answer to “${text}”`, 120_000);
    const answer = seen.find((m) => m.replyTo === q.body.id) as Msg;
    return { answer, ms: Date.now() - t0 };
  };

  const startLoop = (llm: ReturnType<typeof createLlm>) => {
    const ac = new AbortController();
    loops.push(ac);
    const hub = new OnboardingHub({ baseUrl: t.hub.httpUrl, token: agentToken });
    void helpLoop({ hub, llm, signal: ac.signal, out: () => {}, waitSec: 5 });
    return ac;
  };

  it('answers “why is WhatsApp not connected?” from the channel’s real status, live, without a model', async () => {
    const loop = startLoop(null);
    const seen = await ownerLive();
    const { answer, ms } = await ask(seen, 'why is WhatsApp not connected?');
    expect(answer.author).toBe('agent');
    expect(answer.text).toContain('WhatsApp is disconnected');
    expect(answer.text).toContain(WA_ERROR);
    expect(answer.text).toContain('Linked devices');
    expect(answer.facts).toMatchObject({
      by: 'rules',
      channels: { whatsapp: { enabled: true, reported: { connected: false, error: WA_ERROR } } },
    });
    // The question to its answer on the owner's live stream (a long poll, no model): seconds at most.
    console.log(`question -> answer on the live stream: ${ms} ms (rules)`);
    expect(ms).toBeLessThan(30_000);

    // The status is read at each question: once the phone is linked again, the answer follows it.
    await reportChannels([
      { id: 'whatsapp', enabled: true, connected: true },
      { id: 'telegram', enabled: true, connected: true },
    ]);
    await until(
      async () => (await state()).reportedChannels.whatsapp?.connected === true,
      'whatsapp connected',
      60_000,
    );
    const again = await ask(seen, 'is whatsapp working now?');
    expect(again.answer.text).toContain('WhatsApp is connected');
    expect(again.answer.text).not.toContain(WA_ERROR);
    const thread = await t.api<{ messages: Msg[] }>('GET', '/onboarding/help', undefined, owner.token);
    expect(thread.body.messages.filter((m) => m.author === 'client').every((m) => m.status === 'answered')).toBe(true);
    loop.abort();
  }, 240_000);

  it('troubleshoots a revoked key and a revoked bot token by checking them again', async () => {
    startLoop(null);
    const seen = await ownerLive();
    const ok = await ask(seen, 'does my API key work?');
    expect(ok.answer.text).toContain('Your Anthropic key works');

    fake.revoke(GOOD.anthropic);
    const bad = await ask(seen, 'my Anthropic key stopped working');
    expect(bad.answer.text).toContain('was refused when we checked it again');
    expect(bad.answer.text).toContain('paste it on the key screen');
    expect(bad.answer.facts).toMatchObject({ checks: [{ check: 'provider', ok: false, reason: 'bad_key' }] });

    fake.revoke(GOOD.telegram);
    await reportChannels([
      { id: 'whatsapp', enabled: true, connected: true },
      { id: 'telegram', enabled: true, connected: false, error: '401: Unauthorized' },
    ]);
    await until(async () => (await state()).reportedChannels.telegram?.connected === false, 'telegram down', 60_000);
    const tg = await ask(seen, 'Telegram bot does not answer');
    expect(tg.answer.text).toContain('Telegram is disconnected');
    expect(tg.answer.text).toContain('401: Unauthorized');
    expect(tg.answer.text).toContain('@BotFather');
    expect(tg.answer.facts).toMatchObject({ checks: [{ check: 'telegram', ok: false, reason: 'bad_key' }] });
    for (const l of loops) l.abort();
  }, 240_000);

  it('with a model, the model words the answer from the facts; one that drops the status is not sent', async () => {
    await reportChannels([
      { id: 'whatsapp', enabled: true, connected: false, error: WA_ERROR },
      { id: 'telegram', enabled: true, connected: true },
    ]);
    await until(async () => (await state()).reportedChannels.whatsapp?.connected === false, 'whatsapp down', 60_000);
    const good = await startMessagesApiFake({
      script: () => say(`Your WhatsApp is down: your agent says “${WA_ERROR}”. Pair it again from Channels.`),
    });
    const vague = await startMessagesApiFake({
      script: () => say('Everything looks fine, WhatsApp will connect soon!'),
    });
    try {
      const seen = await ownerLive();
      let loop = startLoop(createLlm({ apiKey: 'test-key', baseUrl: good.url, model: 'claude-haiku-4-5' }));
      const worded = await ask(seen, 'why is WhatsApp not connected?');
      expect(worded.answer.text).toContain('Your WhatsApp is down');
      expect(worded.answer.facts).toMatchObject({ by: 'model' });
      const prompt = JSON.stringify(good.requests[0].body.messages);
      expect(prompt).toContain(WA_ERROR);
      expect(prompt).toContain('Draft answer');
      console.log(`question -> answer on the live stream: ${worded.ms} ms (with the model)`);
      loop.abort();

      loop = startLoop(createLlm({ apiKey: 'test-key', baseUrl: vague.url, model: 'claude-haiku-4-5' }));
      const kept = await ask(seen, 'why is WhatsApp not connected?');
      expect(vague.requests).toHaveLength(1);
      expect(kept.answer.text).toContain(WA_ERROR);
      expect(kept.answer.text).not.toContain('Everything looks fine');
      expect(kept.answer.facts).toMatchObject({ by: 'rules' });
      loop.abort();
    } finally {
      await good.close();
      await vague.close();
    }
  }, 240_000);

  it('sends the welcome mails of day 0, 1, 3 and 7 once each from the agent’s own activity, and stops after the opt-out', async () => {
    const hub = new OnboardingHub({ baseUrl: t.hub.httpUrl, token: agentToken });
    const started = Date.parse(
      (await t.api<{ startedAt: string }>('GET', '/onboarding/welcome', undefined, owner.token)).body.startedAt,
    );
    const mine = async (now: number, h = hub) =>
      (await welcomePass({ hub: h, llm: null, now })).find((r) => r.clientId === owner.clientId);
    const mails = () => smtp.mails.filter((m) => m.to.includes(owner.email));

    expect((await mine(started - 1000))?.action).toBe('not_due');
    expect((await mine(started + 0.1 * DAY))?.action).toBe('sent');
    await until(async () => mails().length === 1, 'the day 0 mail', 60_000);
    expect(mails()[0].parsed.subject).toBe('Welcome to Deep Signal, Bakery Blue');
    expect(mails()[0].parsed.text).toContain('Bea has had no conversations yet.');
    expect((await mine(started + 0.5 * DAY))?.action).toBe('already_sent');

    // Bea's first conversation, through the sidecar, before day 1 and after onboarding started
    // (the mail counts what came since then; the first message is stamped 2 s back).
    await until(async () => Date.now() > started + 2500, 'onboarding older than the first message', 10_000);
    const now = Date.now();
    await sidecar.conversations([
      {
        messageId: 'm1',
        t: now - 2000,
        sessionKey: 'wa:+331',
        channel: 'whatsapp',
        role: 'user',
        text: 'Are you open on Sunday?',
      },
      {
        messageId: 'm2',
        t: now - 1000,
        sessionKey: 'wa:+331',
        channel: 'whatsapp',
        role: 'assistant',
        text: 'Yes, 8 to 13.',
        tokensIn: 300,
        tokensOut: 20,
        cost: 0.0012,
      },
    ]);
    await until(
      async () => (await hub.conversations((await hub.listInstances({ clientId: owner.clientId }))[0].id)).length === 2,
      'the conversation to be stored',
      60_000,
    );
    expect((await mine(started + 1.2 * DAY))?.action).toBe('sent');
    await until(async () => mails().length === 2, 'the day 1 mail', 60_000);
    const day1 = mails()[1].parsed.text ?? '';
    expect(day1).toContain('Bea has had 1 conversation (1 message in, 1 reply), using 320 tokens');
    expect(day1).toContain('“Are you open on Sunday?”');
    expect(day1).toMatch(/welcome\/unsubscribe\?token=/);

    // A restarted agent (a new client, no memory) finds day 1 sent on the hub and sends nothing.
    const restarted = new OnboardingHub({ baseUrl: t.hub.httpUrl, token: agentToken });
    expect((await mine(started + 1.5 * DAY, restarted))?.action).toBe('already_sent');
    expect((await mine(started + 3.1 * DAY, restarted))?.action).toBe('sent');
    await until(async () => mails().length === 3, 'the day 3 mail', 60_000);
    expect(mails()[2].parsed.subject).toBe('Three days with Bea');

    // The owner opts out in the settings: day 7 is never sent.
    expect((await t.api('PUT', '/onboarding/welcome', { optedOut: true }, owner.token)).status).toBe(200);
    expect((await mine(started + 7.2 * DAY))?.action).toBe('opted_out');
    const sent = await t.api<{ sent: { day: number }[] }>('GET', '/onboarding/welcome', undefined, owner.token);
    expect(sent.body.sent.map((s) => s.day)).toEqual([0, 1, 3]);
    expect(mails()).toHaveLength(3);
    expect(mails().map((m) => m.parsed.subject)).toEqual([
      'Welcome to Deep Signal, Bakery Blue',
      "Bea's first day",
      'Three days with Bea',
    ]);
  }, 240_000);

  it('with a model, a welcome mail keeps every figure or is sent as the rules wrote it', async () => {
    expect((await t.api('PUT', '/onboarding/welcome', { optedOut: false }, owner.token)).status).toBe(200);
    const model = await startMessagesApiFake({
      script: () =>
        say(
          'A week with Bea: 1 conversation, 1 message in, 1 reply, 320 tokens, $0.00, 7 days, and “Are you open on Sunday?”.',
        ),
    });
    try {
      const hub = new OnboardingHub({ baseUrl: t.hub.httpUrl, token: agentToken });
      const started = Date.parse(
        (await t.api<{ startedAt: string }>('GET', '/onboarding/welcome', undefined, owner.token)).body.startedAt,
      );
      const llm = createLlm({ apiKey: 'test-key', baseUrl: model.url, model: 'claude-haiku-4-5' });
      const r = (await welcomePass({ hub, llm, now: started + 7.2 * DAY })).find((x) => x.clientId === owner.clientId);
      expect(r?.action).toBe('sent');
      const mail = await smtp.waitFor((m) => m.parsed.subject === 'A week with Bea', 60_000);
      expect(model.requests).toHaveLength(1);
      expect(JSON.stringify(model.requests[0].body.messages)).toContain('320 tokens');
      expect(mail.parsed.text ?? '').toMatch(/A week with Bea: 1 conversation|Bea has had 1 conversation/);
    } finally {
      await model.close();
    }
  }, 240_000);

  it('runs in the agents’ runner (as `npm start` starts it) and answers there', async () => {
    const ac = new AbortController();
    const lines: string[] = [];
    const done = runAgents(
      {
        hubUrl: t.hub.httpUrl,
        agents: [{ name: 'onboarding', token: agentToken, expiresAt: agentExpires, intervalSec: 3600 }],
      },
      ac.signal,
      (s) => lines.push(s),
    );
    try {
      const seen = await ownerLive();
      const { answer } = await ask(seen, 'why is WhatsApp not connected?');
      expect(answer.text).toContain(WA_ERROR);
      await until(async () => lines.some((l) => l.startsWith('onboarding: answered')), 'the runner log line', 60_000);
      expect(lines.some((l) => l.startsWith('onboarding: welcome pass over'))).toBe(true);
    } finally {
      ac.abort();
      await done;
    }
  }, 240_000);
});
