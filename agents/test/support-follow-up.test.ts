import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../src/hub-client.js';
import { createLlm } from '../src/llm.js';
import { RUNNABLE } from '../src/runner/run.js';
import type { SupportTicket } from '../src/support/api.js';
import { runSupport } from '../src/support/run.js';
import { say, startMessagesApiFake } from '../src/testing/messages-api-fake.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

type Sidecar = Awaited<ReturnType<typeof simulatedSidecar>>;

const NOTICE = 'This is an automatic reply';
const WINDOW_SEC = 2;

describe('support agent: dead channels, staying healthy, escalation, article drafts', () => {
  let t: AgentTestHub;
  let token: string;
  let client: string;
  let inst: { id: string; secret: string; clientId: string };
  let side: Sidecar;
  let dead: string;
  let hub: HubClient;

  const ticket = async (id: string) => (await t.api<SupportTicket>('GET', `/tickets/${id}`)).body;
  const open = async (subject: string, body: string, instanceId?: string) =>
    (await t.api<{ id: string }>('POST', '/tickets', { instanceId, subject, body }, client)).body.id;
  const pass = () => runSupport({ hub, dryRun: false, logLines: 20, healthyWindowSec: WINDOW_SEC });

  beforeAll(async () => {
    t = await startAgentHub();
    // The token the hub mints for its support agent, with exactly its declared scopes.
    token = (await t.api<{ token: string }>('POST', '/ops-agents/support/token')).body.token;
    hub = new HubClient({ baseUrl: t.hub.httpUrl, token });
    inst = await t.newInstance('vps-chan');
    await t.api('POST', `/clients/${inst.clientId}/users`, {
      email: 'owner@chan.test',
      password: 'password-123',
      role: 'client_owner',
    });
    client = (
      await t.api<{ token: string }>('POST', '/auth/login', { email: 'owner@chan.test', password: 'password-123' }, '')
    ).body.token;
    side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, inst.id, inst.secret);
    await side.status('online');
    // The gateway is up and ready; only the Telegram channel is disconnected.
    await side.openclaw({
      present: true,
      up: true,
      ready: true,
      channels: [{ id: 'telegram', enabled: true, connected: false, error: '401 Unauthorized: bot token revoked' }],
    });
    // A change shortly before the ticket: it is among the recent changes the triage names.
    const cmd = await t.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, { type: 'ping', params: {} });
    const admin = new HubClient({ baseUrl: t.hub.httpUrl, token: t.adminToken });
    expect((await admin.waitForCommand(cmd.body.id, { timeoutMs: 60_000 })).status).toBe('succeeded');
    await until(
      async () => (await admin.getInstance(inst.id)).openclaw?.channels?.[0]?.connected === false,
      'channel state on the hub',
      60_000,
    );
  }, 120_000);
  afterAll(async () => {
    await side?.close();
    await t?.close();
  });

  it('triages new tickets within a minute under npm start', () => {
    expect(RUNNABLE.support).toBeLessThanOrEqual(60);
  });

  it('scenario: dead-channel ticket — cause channel, the channel article, recent changes, a draft', async () => {
    dead = await open('Nobody gets answers any more', 'Since this morning our customers get no reply at all.', inst.id);
    const r = await pass();
    const a = r.tickets.find((x) => x.ticket.id === dead);
    expect(a?.triage.category).toBe('channel');
    expect(a?.escalation).toBeNull();
    expect(a?.articles.map((x) => x.title)).toContain('Connecting Telegram');
    const seen = await ticket(dead);
    expect(seen).toMatchObject({ category: 'channel', priority: 'normal', state: 'open' });
    const note = seen.thread.find((e) => e.kind === 'note' && e.author === 'agent')?.body ?? '';
    expect(note).toContain('channel telegram: 401 Unauthorized: bot token revoked');
    expect(note).toContain('recent changes: ping');
    expect(note).toMatch(/Relevant articles: .*Connecting Telegram/);
    expect(seen.draftReply).toContain('channels looks disconnected');
    expect(seen.draftReply).toContain('Connecting Telegram');
    expect(seen.thread.filter((e) => e.kind === 'message')).toHaveLength(1);
    expect(seen.escalatedAt).toBeNull();
  });

  it('resolves only after the cause stayed gone for the window, and only where the category allows it', async () => {
    await side.openclaw({
      present: true,
      up: true,
      ready: true,
      channels: [{ id: 'telegram', enabled: true, connected: true }],
    });
    await until(
      async () => (await hub.getInstance(inst.id)).openclaw?.channels?.[0]?.connected === true,
      'channel connected on the hub',
      60_000,
    );
    const first = await pass();
    expect(first.followUps.find((f) => f.ticketId === dead)?.action).toBe('watching');
    const soon = await pass();
    expect(['unchanged', 'proposed']).toContain(soon.followUps.find((f) => f.ticketId === dead)?.action);
    // Automatic replies are off for channels: past the window the agent proposes, never resolves.
    let proposed = soon.followUps.find((f) => f.ticketId === dead)?.action === 'proposed';
    await until(
      async () => {
        proposed ||= (await pass()).followUps.find((f) => f.ticketId === dead)?.action === 'proposed';
        return proposed;
      },
      'the resolution proposed after the window',
      60_000,
    );
    let seen = await ticket(dead);
    expect(seen.state).toBe('open');
    expect(seen.proposedResolution).toContain('has been gone since');
    // The hub itself refuses an automatic resolution the category does not allow.
    const refused = await t.api<{ error: { code: string; message: string } }>(
      'POST',
      `/tickets/${dead}/triage`,
      { note: 'try', resolve: 'fixed' },
      token,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('automatic replies are off for channel');

    // An admin allows automatic replies for channels: the next pass resolves, saying so.
    expect((await t.api('PUT', '/support/settings/categories/channel', { autoReply: true })).status).toBe(200);
    const done = await pass();
    expect(done.followUps.find((f) => f.ticketId === dead)?.action).toBe('resolved');
    seen = await ticket(dead);
    expect(seen.state).toBe('resolved');
    const last = seen.thread.filter((e) => e.kind === 'message').at(-1);
    expect(last).toMatchObject({ author: 'agent', automatic: true });
    expect(last?.body).toContain('your channel is connected again');
    expect(last?.body).toContain(NOTICE);
  });

  it('does not resolve while the cause comes back within the window', async () => {
    await side.openclaw({
      present: true,
      up: true,
      ready: true,
      channels: [{ id: 'telegram', enabled: true, connected: false, error: 'ETIMEDOUT' }],
    });
    await until(
      async () => (await hub.getInstance(inst.id)).openclaw?.channels?.[0]?.connected === false,
      'channel down again',
      60_000,
    );
    const again = await open('Telegram is down again', 'The Telegram bot stopped replying.', inst.id);
    expect((await pass()).tickets.find((x) => x.ticket.id === again)?.triage.category).toBe('channel');
    await side.openclaw({
      present: true,
      up: true,
      ready: true,
      channels: [{ id: 'telegram', enabled: true, connected: true }],
    });
    await until(async () => (await hub.getInstance(inst.id)).openclaw?.channels?.[0]?.connected === true, 'up', 60_000);
    expect((await pass()).followUps.find((f) => f.ticketId === again)?.action).toBe('watching');
    await side.openclaw({
      present: true,
      up: true,
      ready: true,
      channels: [{ id: 'telegram', enabled: true, connected: false, error: 'ETIMEDOUT' }],
    });
    await until(
      async () => (await hub.getInstance(inst.id)).openclaw?.channels?.[0]?.connected === false,
      'down',
      60_000,
    );
    expect((await pass()).followUps.find((f) => f.ticketId === again)?.action).toBe('relapsed');
    expect((await ticket(again)).state).not.toBe('resolved');
  });

  it('"I want a human" escalates, with no automatic reply even where the category allows one', async () => {
    expect((await t.api('PUT', '/support/settings/categories/billing', { autoReply: true })).status).toBe(200);
    const id = await open('Question about my invoice', 'Can I talk to a human about the invoice, please?');
    const r = await pass();
    expect(r.tickets.find((x) => x.ticket.id === id)?.escalation).toBe('the client asked for a person');
    const seen = await ticket(id);
    expect(seen.escalationReason).toBe('the client asked for a person');
    expect(seen.escalatedAt).toBeTruthy();
    expect(seen.priority).toBe('high');
    expect(seen.thread.filter((e) => e.kind === 'message')).toHaveLength(1); // no automatic reply
    expect(seen.draftReply).toBeTruthy();
    expect(seen.thread.find((e) => e.kind === 'note' && e.author === 'agent')?.body).toContain(
      'Escalated to a person: the client asked for a person',
    );
  });

  it('negative sentiment escalates', async () => {
    const id = await open(
      'Your billing is a joke',
      'This is unacceptable. I am furious: we were charged twice and nobody answers. Terrible.',
    );
    const r = await pass();
    expect(r.tickets.find((x) => x.ticket.id === id)?.escalation).toMatch(/^negative sentiment \(score -0\.\d+/);
    const seen = await ticket(id);
    expect(seen.escalationReason).toMatch(/negative sentiment/);
    expect(seen.thread.filter((e) => e.kind === 'message')).toHaveLength(1);
  });

  it('proposes a draft article from a resolved ticket that had none, once, for an editor to publish', async () => {
    const id = await open('Greeting in French', 'Bonjour! Can the greeting be in French?');
    const first = await pass();
    expect(first.tickets.find((x) => x.ticket.id === id)?.articles).toEqual([]);
    await t.api('POST', `/tickets/${id}/replies`, { body: 'Settings, Agent, Greeting: write it in French there.' });
    expect((await t.api('PATCH', `/tickets/${id}`, { state: 'resolved' })).status).toBe(200);

    const fake = await startMessagesApiFake({
      script: () => say('## A greeting in your language\n\nOpen Settings, Agent, Greeting and write it there.'),
    });
    try {
      const llm = createLlm({ apiKey: 'test-key', baseUrl: fake.url, model: 'claude-test' });
      const r = await runSupport({ hub, dryRun: false, logLines: 20, healthyWindowSec: WINDOW_SEC, llm });
      const proposed = r.articles.find((a) => a.ticketId === id);
      expect(proposed?.articleId).toBeTruthy();
      const article = (
        await t.api<{ status: string; body: string; sourceTicketId: string }>(
          'GET',
          `/kb/articles/${proposed?.articleId}`,
        )
      ).body;
      expect(article).toMatchObject({ status: 'draft', sourceTicketId: id });
      expect(article.body).toContain('write it there');
    } finally {
      await fake.close();
    }
    // The dead-channel ticket had its article: nothing proposed for it; and nothing twice.
    const again = await pass();
    expect(again.articles.map((a) => a.ticketId)).not.toContain(id);
    expect(again.articles.map((a) => a.ticketId)).not.toContain(dead);
    // Without a key the draft is the rules' own text from the thread.
    const id2 = await open('Farewell wording', 'Can the farewell line be shorter?');
    expect((await pass()).tickets.find((x) => x.ticket.id === id2)?.articles).toEqual([]);
    await t.api('POST', `/tickets/${id2}/replies`, { body: 'Settings, Agent, Farewell; it applies at once.' });
    await t.api('PATCH', `/tickets/${id2}`, { state: 'resolved' });
    const plain = (await pass()).articles.find((a) => a.ticketId === id2);
    const body = (await t.api<{ body: string }>('GET', `/kb/articles/${plain?.articleId}`)).body.body;
    expect(body).toContain('## The symptom');
    expect(body).toContain('Settings, Agent, Farewell');
  });
});
