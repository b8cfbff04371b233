import type { MqttClient } from 'mqtt';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnthropicKey, checkOpenrouterKey } from '../src/providers/index.js';
import { connectSidecar, pub, serveCommands, startTestHub, type TestHub } from './helpers/hub.js';
import { type FakeProviders, GOOD, startFakeProviders } from './onboarding-fake-providers.js';

type State = {
  clientId: string;
  completed: string[];
  revision: number;
  desired: Record<string, any>;
  secrets: Record<string, boolean>;
  estimate: number | null;
  instances: { id: string; drift: string; applied: { confirmedRevision: number | null } | null }[];
};

describe('onboarding API', () => {
  let hub: TestHub;
  let fake: FakeProviders;
  let owner: string;
  let clientId: string;
  beforeAll(async () => {
    fake = await startFakeProviders();
    hub = await startTestHub({
      anthropicUrl: fake.url,
      openrouterUrl: fake.url,
      telegramUrl: fake.url,
      slackUrl: fake.url,
    });
  });
  afterAll(async () => {
    await hub?.close();
    await fake?.close();
  });

  /** A sidecar speaking MQTT: verifies commands, answers config.apply with its revision, streams chat. */
  async function fakeSidecar(id: string, secret: string) {
    const c: MqttClient = await connectSidecar(hub.mqttUrl, id, secret);
    const got: { type: string; params: Record<string, any> }[] = [];
    await serveCommands(c, id, hub.hubPublicKey, async (v, report) => {
      if (!v.ok) return;
      got.push({ type: v.command.type, params: v.command.params as Record<string, any> });
      await report(v.command.id, 'delivered');
      if (v.command.type === 'config.apply') {
        const p = v.command.params as { revision: number };
        await report(v.command.id, 'succeeded', { result: { applied: ['model'], hash: 'h1', revision: p.revision } });
      } else if (v.command.type === 'chat.send') {
        await report(v.command.id, 'running', { progress: { message: 'Hello ' } });
        await report(v.command.id, 'running', { progress: { message: 'there!' } });
        await report(v.command.id, 'succeeded', {
          result: {
            text: 'Hello there!',
            model: 'anthropic/claude-haiku-4-5',
            tokensIn: 10,
            tokensOut: 3,
            latencyMs: 50,
          },
        });
      }
    });
    await pub(c, `ds/v1/${id}/status`, {
      v: 1,
      id: 's',
      instanceId: id,
      bootId: 'b',
      seq: 0,
      ts: Date.now(),
      state: 'online',
    });
    return { c, got };
  }

  const me = async () => (await hub.api<State>('GET', '/onboarding', undefined, owner)).body;

  it('starts without login: creates the client, its owner and a session', async () => {
    const bad = await hub.api<{ error: { message: string } }>(
      'POST',
      '/onboarding/start',
      { company: '', email: 'x', password: 'short' },
      '',
    );
    expect(bad.status).toBe(400);
    const r = await hub.api<{ token: string; user: { role: string; clientId: string }; state: State }>(
      'POST',
      '/onboarding/start',
      {
        company: 'Acme Bakery',
        industry: 'Food',
        useCase: 'Answer order questions',
        email: 'Owner@Acme.test',
        password: 'a-long-password',
      },
      '',
    );
    expect(r.status).toBe(201);
    expect(r.body.user.role).toBe('client_owner');
    owner = r.body.token;
    clientId = r.body.user.clientId;
    expect(r.body.state.completed).toEqual(['welcome', 'company']);
    const again = await hub.api(
      'POST',
      '/onboarding/start',
      { company: 'X', email: 'owner@acme.test', password: 'a-long-password' },
      '',
    );
    expect(again.status).toBe(409);
    const clients = await hub.api<{ id: string; status: string }[]>('GET', '/clients');
    expect(clients.body.find((c) => c.id === clientId)?.status).toBe('onboarding');
  });

  it('checks provider keys for real: wrong key, no credit, no network, then stores the good one sealed', async () => {
    const wrong = await hub.api<{ error: { code: string; message: string } }>(
      'POST',
      '/onboarding/provider',
      { provider: 'anthropic', key: 'sk-ant-wrong-key-000' },
      owner,
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('HUB_ERR_ONBOARDING_BAD_KEY');
    const broke = await hub.api<{ error: { code: string; message: string } }>(
      'POST',
      '/onboarding/provider',
      { provider: 'anthropic', key: GOOD.anthropicNoCredit },
      owner,
    );
    expect(broke.body.error.code).toBe('HUB_ERR_ONBOARDING_NO_CREDIT');
    expect(broke.body.error.message).toMatch(/credit/);
    const spent = await hub.api<{ error: { code: string } }>(
      'POST',
      '/onboarding/provider',
      { provider: 'openrouter', key: GOOD.openrouterSpent },
      owner,
    );
    expect(spent.body.error.code).toBe('HUB_ERR_ONBOARDING_NO_CREDIT');
    expect((await checkAnthropicKey('http://127.0.0.1:9', GOOD.anthropic)).reason).toBe('no_network');
    expect((await checkOpenrouterKey('http://127.0.0.1:9', GOOD.openrouter)).reason).toBe('no_network');
    const call = fake.seen.find((s) => s.path === '/v1/messages' && s.headers['x-api-key'] === GOOD.anthropicNoCredit)!;
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
    expect(JSON.parse(call.body).max_tokens).toBe(1);

    // Test mode: no key, nothing checked or stored, marked as not live until a real key replaces it.
    const none = await hub.api<{ error: { message: string } }>(
      'POST',
      '/onboarding/provider',
      { provider: 'anthropic' },
      owner,
    );
    expect(none.status).toBe(400);
    const seenBefore = fake.seen.length;
    const test = await hub.api<State>('POST', '/onboarding/provider', { provider: 'anthropic', testMode: true }, owner);
    expect(test.status).toBe(200);
    expect(test.body.desired.testMode).toBe(true);
    expect(test.body.secrets.anthropic).toBe(false);
    expect(test.body.completed).toContain('provider');
    expect(fake.seen.length).toBe(seenBefore);

    const ok = await hub.api<State>(
      'POST',
      '/onboarding/provider',
      { provider: 'anthropic', key: GOOD.anthropic },
      owner,
    );
    expect(ok.status).toBe(200);
    expect(ok.body.desired.testMode).toBe(false);
    expect(ok.body.secrets.anthropic).toBe(true);
    expect(ok.body.completed).toContain('provider');
    expect(JSON.stringify(await me())).not.toContain(GOOD.anthropic);
    const rows = await hub.db.query<{ sealed: string }>('SELECT sealed FROM client_secrets WHERE client_id = $1', [
      clientId,
    ]);
    expect(rows.length).toBe(1);
    expect(rows[0].sealed).not.toContain(GOOD.anthropic);
  });

  it('model from the price table with a monthly estimate; a model of another provider is refused', async () => {
    const other = await hub.api(
      'PUT',
      '/onboarding/model',
      { model: 'openrouter/openai/gpt-5', messagesPerDay: 200 },
      owner,
    );
    expect(other.status).toBe(400);
    const r = await hub.api<State>(
      'PUT',
      '/onboarding/model',
      { model: 'anthropic/claude-haiku-4-5', messagesPerDay: 200 },
      owner,
    );
    expect(r.status).toBe(200);
    // 200/day * 30 * (2500 * $1 + 350 * $5) / 1M
    expect(r.body.estimate).toBeCloseTo((6000 * (2500 * 1 + 350 * 5)) / 1e6, 5);
  });

  it('channels: Telegram getMe and Slack auth.test with precise reasons', async () => {
    const bad = await hub.api<{ error: { code: string; message: string } }>(
      'POST',
      '/onboarding/channels/telegram',
      { botToken: '123456789:AAHwrongTokenForTheFakeBotApi_012345' },
      owner,
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/Unauthorized/);
    const shape = await hub.api<{ error: { message: string } }>(
      'POST',
      '/onboarding/channels/telegram',
      { botToken: 'nope' },
      owner,
    );
    expect(shape.body.error.message).toMatch(/BotFather/);
    const tg = await hub.api<State>('POST', '/onboarding/channels/telegram', { botToken: GOOD.telegram }, owner);
    expect(tg.body.desired.channels.telegram).toEqual({ enabled: true, username: 'acme_helper_bot' });
    const sBad = await hub.api<{ error: { message: string } }>(
      'POST',
      '/onboarding/channels/slack',
      { botToken: GOOD.slackBot, appToken: 'xapp-1-wrong' },
      owner,
    );
    expect(sBad.status).toBe(422);
    expect(sBad.body.error.message).toMatch(/App-level token: Slack does not know this token/);
    const sl = await hub.api<State>(
      'POST',
      '/onboarding/channels/slack',
      { botToken: GOOD.slackBot, appToken: GOOD.slackApp },
      owner,
    );
    expect(sl.body.desired.channels.slack).toEqual({ enabled: true, team: 'Acme' });
    const wa = await hub.api<State>('PUT', '/onboarding/channels/whatsapp', { enabled: true }, owner);
    expect(wa.body.desired.channels.whatsapp).toEqual({ enabled: true });
  });

  it('personality, then config.apply reaches the instance when it connects, with secrets, and drift clears', async () => {
    const p = await hub.api<State>(
      'PUT',
      '/onboarding/personality',
      { name: 'Crumb', tone: 'friendly', emoji: '🥐', avatar: '', instructions: 'Always mention our sourdough.' },
      owner,
    );
    expect(p.status).toBe(200);
    // The operator provisions the instance; its sidecar connects afterwards.
    const inst = await hub.newInstance(clientId);
    expect((await me()).instances[0].drift).toBe('offline');
    const side = await fakeSidecar(inst.id, inst.secret);
    await expect.poll(() => side.got.filter((g) => g.type === 'config.apply').length, { timeout: 10_000 }).toBe(1);
    const params = side.got[0].params;
    expect(params.providerKeys).toEqual({ anthropic: GOOD.anthropic });
    expect(params.model).toBe('anthropic/claude-haiku-4-5');
    expect(params.channels.telegram).toEqual({ enabled: true, botToken: GOOD.telegram });
    expect(params.channels.slack).toEqual({ enabled: true, botToken: GOOD.slackBot, appToken: GOOD.slackApp });
    expect(params.identity).toMatchObject({ name: 'Crumb', emoji: '🥐', theme: 'friendly' });
    expect(params.files['SOUL.md']).toContain('You are Crumb, the assistant of Acme Bakery (Food)');
    expect(params.files['AGENTS.md']).toContain('Always mention our sourdough.');
    expect(params.revision).toBe((await me()).revision);
    await expect.poll(async () => (await me()).instances[0].drift).toBe('in_sync');
    // The stored command keeps no secret in clear.
    const cmdRows = await hub.db.query<{ params: unknown }>("SELECT params FROM commands WHERE type = 'config.apply'");
    expect(JSON.stringify(cmdRows)).not.toContain(GOOD.anthropic);

    // A change while online is pushed at once with the next revision.
    await hub.api(
      'PUT',
      '/onboarding/personality',
      { name: 'Crumb', tone: 'concise', emoji: '🥐', avatar: '', instructions: '' },
      owner,
    );
    await expect.poll(() => side.got.filter((g) => g.type === 'config.apply').length, { timeout: 10_000 }).toBe(2);
    expect(side.got.at(-1)!.params.identity.theme).toBe('concise');
    await expect.poll(async () => (await me()).instances[0].applied?.confirmedRevision).toBe((await me()).revision);

    // Test drive: chat.send goes to the instance; progress streams on the live `command` event.
    const sock = io(hub.httpUrl, { auth: { token: owner }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    await sock.emitWithAck('subscribe', { instanceId: inst.id });
    const frames: { status: string; progress?: { message?: string } | null; result?: any }[] = [];
    sock.on('command', (e) => frames.push(e));
    const td = await hub.api<{ commandId: string }>(
      'POST',
      '/onboarding/test-drive',
      { message: 'Do you have croissants?' },
      owner,
    );
    expect(td.status).toBe(202);
    await expect
      .poll(() => frames.find((f) => f.status === 'succeeded')?.result?.text, { timeout: 10_000 })
      .toBe('Hello there!');
    expect(frames.filter((f) => f.status === 'running').map((f) => f.progress?.message)).toEqual(['Hello ', 'there!']);
    expect(side.got.find((g) => g.type === 'chat.send')!.params.message).toBe('Do you have croissants?');
    sock.close();
    side.c.end(true);
  });

  it('finishing marks the client active; the operator sees every client’s progress; others cannot touch it', async () => {
    const done = await hub.api<State>('POST', '/onboarding/steps/success/done', undefined, owner);
    expect(done.body.completed).toEqual([
      'welcome',
      'company',
      'provider',
      'model',
      'channels',
      'personality',
      'success',
    ]);
    const list = await hub.api<(State & { clientName: string; clientStatus: string })[]>('GET', '/onboarding/progress');
    const mine = list.body.find((s) => s.clientId === clientId)!;
    expect(mine).toMatchObject({ clientName: 'Acme Bakery', clientStatus: 'active' });
    const other = await hub.api<{ token: string }>(
      'POST',
      '/onboarding/start',
      { company: 'Other', email: 'o@other.test', password: 'a-long-password' },
      '',
    );
    const peek = await hub.api('GET', `/onboarding?clientId=${clientId}`, undefined, other.body.token);
    expect(peek.status).toBe(404);
    const own = await hub.api<State[]>('GET', '/onboarding/progress', undefined, other.body.token);
    expect(own.body.map((s) => s.clientId)).not.toContain(clientId);
    const anon = await hub.api('GET', '/onboarding', undefined, '');
    expect(anon.status).toBe(401);
  });
});
