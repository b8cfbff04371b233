import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../src/hub-client.js';
import type { TicketWithThread } from '../src/hub-types.js';
import { createLlm } from '../src/llm.js';
import { supportCommand } from '../src/support/command.js';
import { runSupport } from '../src/support/run.js';
import { say, startMessagesApiFake } from '../src/testing/messages-api-fake.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

const NOTICE = 'This is an automatic reply';

describe('support agent against a real hub: notes and drafts land on the tickets', () => {
  let t: AgentTestHub;
  let inst: { id: string; secret: string; clientId: string };
  let side: Awaited<ReturnType<typeof simulatedSidecar>>;
  let agentToken: string;
  let readToken: string;
  let client: string;
  let bot: string;
  let billing: string;

  const ticket = async (id: string) => (await t.api<TicketWithThread>('GET', `/tickets/${id}`)).body;

  beforeAll(async () => {
    t = await startAgentHub();
    agentToken = await t.serviceToken('support-agent', ['read', 'support:triage']);
    readToken = await t.serviceToken('support-reader', ['read']);
    inst = await t.newInstance('vps-help');
    expect(
      (
        await t.api('POST', `/clients/${inst.clientId}/users`, {
          email: 'owner@acme.test',
          password: 'password-123',
          role: 'client_owner',
        })
      ).status,
    ).toBe(201);
    client = (
      await t.api<{ token: string }>('POST', '/auth/login', { email: 'owner@acme.test', password: 'password-123' }, '')
    ).body.token;
    side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, inst.id, inst.secret);
    await side.status('online');
    await side.openclaw({ present: true, up: false, error: 'gateway exited with code 1' });
    await side.logs([
      { level: 'info', subsystem: 'gateway', msg: 'starting' },
      { level: 'error', subsystem: 'gateway', msg: 'EADDRINUSE: port 18789 already in use' },
    ]);
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: readToken });
    await until(async () => {
      const [i, logs] = await Promise.all([hub.getInstance(inst.id), hub.logs(inst.id, { level: 'warn' })]);
      return i.status === 'error' && logs.length === 1;
    }, 'instance down with an error line');
    bot = (
      await t.api<{ id: string }>(
        'POST',
        '/tickets',
        {
          instanceId: inst.id,
          subject: 'Our Telegram bot stopped answering',
          body: 'Since this morning nobody gets a reply.',
        },
        client,
      )
    ).body.id;
    billing = (
      await t.api<{ id: string }>(
        'POST',
        '/tickets',
        { subject: 'Question about our plan', body: 'What does the growth plan include? We were charged twice.' },
        client,
      )
    ).body.id;
  });
  afterAll(async () => {
    await side?.close();
    await t?.close();
  });

  it('writes a triage note and a draft (no reply, no resolution) with the narrow token', async () => {
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: agentToken });
    const r = await runSupport({ hub, dryRun: false, logLines: 20 });
    const a = r.tickets.find((x) => x.ticket.id === bot);
    expect(a?.triage.category).toBe('openclaw_down'); // measured health outranks the word "Telegram"
    expect(a?.posted).toMatchObject({ ok: true, autoReplied: false });

    const seen = await ticket(bot);
    expect(seen).toMatchObject({ category: 'openclaw_down', priority: 'high', state: 'open' });
    const note = seen.thread.find((e) => e.kind === 'note' && e.author === 'agent');
    expect(note?.body).toContain('openclaw_down');
    expect(note?.body).toContain('OpenClaw down: gateway exited with code 1');
    expect(seen.draftReply).toContain('restarting it');
    expect(seen.proposedResolution).toBeNull();
    expect(seen.thread.filter((e) => e.kind === 'message')).toHaveLength(1); // nothing sent to the client

    const b = await ticket(billing);
    expect(b.category).toBe('billing');
    const bNote = b.thread.find((e) => e.kind === 'note' && e.author === 'agent');
    expect(bNote?.body).toContain('What each plan includes'); // a relevant article, from the hub's search
    // The client never sees the note.
    const asClient = (await t.api<TicketWithThread>('GET', `/tickets/${billing}`, undefined, client)).body;
    expect(asClient.thread.some((e) => e.kind === 'note')).toBe(false);
    expect(asClient.draftReply).toBeUndefined();

    // Triaged tickets are not triaged again until the client writes.
    const again = await runSupport({ hub, dryRun: false, logLines: 20 });
    expect(again.skipped.sort()).toEqual([bot, billing].sort());
  });

  it('a read-only token is refused by the hub and the CLI says so; --dry-run writes nothing', async () => {
    await t.api('POST', `/tickets/${billing}/replies`, { body: 'Any news?' }, client);
    const out: string[] = [];
    expect(await supportCommand(['--hub', t.hub.httpUrl, '--token', readToken], {}, (s) => out.push(s))).toBe(1);
    expect(out[0]).toContain('refused');
    expect(
      await supportCommand(['--hub', t.hub.httpUrl, '--token', readToken, '--dry-run'], {}, (s) => out.push(s)),
    ).toBe(0);
    expect(out[1]).toContain('dry run');
    const b = await ticket(billing);
    expect(b.thread.filter((e) => e.kind === 'note' && e.author === 'agent')).toHaveLength(1);
    await expect(supportCommand(['--log-lines', '0', '--token', 'x'], {})).rejects.toThrow(/--log-lines/);
  });

  it('auto-replies only where the category allows it, saying so and offering a human', async () => {
    expect((await t.api('PUT', '/support/settings/categories/billing', { autoReply: true })).status).toBe(200);
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: agentToken });
    const r = await runSupport({ hub, dryRun: false, logLines: 20 });
    expect(r.tickets.find((x) => x.ticket.id === billing)?.posted?.autoReplied).toBe(true);
    const b = await ticket(billing);
    const auto = b.thread.filter((e) => e.kind === 'message' && e.author === 'agent');
    expect(auto).toHaveLength(1);
    expect(auto[0].automatic).toBe(true);
    expect(auto[0].body).toContain(NOTICE);
    expect(auto[0].body).toContain('a person from our team');
    expect(b.state).toBe('waiting_on_client');
  });

  it('proposes resolution only once the cause is verifiably gone, and never resolves', async () => {
    const cmd = await t.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, {
      type: 'openclaw.restart',
      params: {},
    });
    const admin = new HubClient({ baseUrl: t.hub.httpUrl, token: t.adminToken });
    expect((await admin.waitForCommand(cmd.body.id, { timeoutMs: 10_000 })).status).toBe('succeeded');
    await side.openclaw({ present: true, up: true, ready: true });
    await until(async () => (await admin.getInstance(inst.id)).status === 'online', 'instance healthy');
    await t.api('POST', `/tickets/${bot}/replies`, { body: 'Still nothing?' }, client);

    const fake = await startMessagesApiFake({
      script: () => say('Restart fixed the port clash; the agent answers again.'),
    });
    try {
      const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: agentToken });
      const llm = createLlm({ apiKey: 'test-key', baseUrl: fake.url, model: 'claude-test' });
      await runSupport({ hub, dryRun: false, logLines: 5, llm });
    } finally {
      await fake.close();
    }
    const seen = await ticket(bot);
    expect(seen.proposedResolution).toContain('openclaw.restart');
    expect(seen.state).toBe('open');
    expect(seen.thread.filter((e) => e.kind === 'note' && e.author === 'agent').at(-1)?.body).toContain(
      'Restart fixed the port clash',
    );
  });
});
