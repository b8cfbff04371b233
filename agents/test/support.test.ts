import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../src/hub-client.js';
import type { SupportRequest } from '../src/hub-types.js';
import { createLlm } from '../src/llm.js';
import { supportCommand } from '../src/support/command.js';
import { runSupport } from '../src/support/run.js';
import { type AgentTestHub, fakeAnthropic, simulatedSidecar, startAgentHub, until } from './helpers.js';

describe('support agent against a real hub', () => {
  let t: AgentTestHub;
  let inst: { id: string; secret: string };
  let side: Awaited<ReturnType<typeof simulatedSidecar>>;
  let readToken: string;
  let bot: SupportRequest;
  let billing: SupportRequest;

  beforeAll(async () => {
    t = await startAgentHub();
    readToken = await t.serviceToken('support-agent', ['read']);
    inst = await t.newInstance('vps-help');
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
      await t.api<SupportRequest>('POST', '/support-requests', {
        instanceId: inst.id,
        subject: 'Our Telegram bot stopped answering',
        body: 'Since this morning nobody gets a reply.',
      })
    ).body;
    billing = (
      await t.api<SupportRequest>('POST', '/support-requests', {
        clientId: bot.clientId,
        subject: 'Question about our invoice',
        body: 'We were charged twice this month.',
      })
    ).body;
  });
  afterAll(async () => {
    await side?.close();
    await t?.close();
  });

  it('attaches health and error lines, proposes a category, and changes nothing without --apply', async () => {
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: readToken });
    const r = await runSupport({ hub, apply: false, logLines: 20 });
    const a = r.requests.find((x) => x.request.id === bot.id);
    const b = r.requests.find((x) => x.request.id === billing.id);
    expect(a?.triage.category).toBe('openclaw_down'); // measured health outranks the word "Telegram"
    expect(a?.health?.status).toBe('error');
    expect(a?.errorLines.map((l) => l.msg)).toEqual(['EADDRINUSE: port 18789 already in use']);
    expect(a?.triage.proposeResolve).toBe(false);
    expect(b?.triage.category).toBe('billing');
    expect(b?.health).toBeNull();
    expect(r.requests.every((x) => !x.resolution)).toBe(true);
    const open = await hub.supportRequests({ status: 'open' });
    expect(open.map((x) => x.id).sort()).toEqual([bot.id, billing.id].sort());
  });

  it('with --apply resolves only what the hub shows fixed, and says why a service token cannot', async () => {
    // An operator restarts OpenClaw; the sidecar answers and reports it up again.
    const cmd = await t.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, {
      type: 'openclaw.restart',
      params: {},
    });
    const admin = new HubClient({ baseUrl: t.hub.httpUrl, token: t.adminToken });
    expect((await admin.waitForCommand(cmd.body.id, { timeoutMs: 10_000 })).status).toBe('succeeded');
    await side.openclaw({ present: true, up: true, ready: true });
    await until(async () => (await admin.getInstance(inst.id)).status === 'online', 'instance healthy');

    const service = new HubClient({ baseUrl: t.hub.httpUrl, token: readToken });
    const refused = await runSupport({ hub: service, apply: true, logLines: 20 });
    const a = refused.requests.find((x) => x.request.id === bot.id);
    expect(a?.triage.proposeResolve).toBe(true);
    expect(a?.resolution?.resolved).toBe(false);
    expect(a?.resolution?.detail).toContain('403');

    const done = await runSupport({ hub: admin, apply: true, logLines: 20 });
    expect(done.requests.find((x) => x.request.id === bot.id)?.resolution).toEqual({
      resolved: true,
      detail: 'resolved',
    });
    expect(done.requests.find((x) => x.request.id === billing.id)?.resolution).toBeUndefined();
    const open = await admin.supportRequests({ status: 'open' });
    expect(open.map((x) => x.id)).toEqual([billing.id]);
  });

  it('adds a written note when a model is configured; the CLI prints text and refuses bad settings', async () => {
    const fake = await fakeAnthropic('Billing question, no technical issue. Reply: we are checking the double charge.');
    try {
      const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: readToken });
      const llm = createLlm({ apiKey: 'test-key', baseUrl: fake.url, model: 'claude-test' });
      const r = await runSupport({ hub, apply: false, logLines: 5, llm });
      expect(r.requests[0].llmNote).toContain('Billing question');
      expect(JSON.stringify(fake.seen[0].body.messages)).toContain('charged twice');
    } finally {
      await fake.close();
    }
    const out: string[] = [];
    expect(await supportCommand(['--hub', t.hub.httpUrl, '--token', readToken], {}, (s) => out.push(s))).toBe(0);
    expect(out[0]).toContain('category: billing');
    expect(out[0]).toContain('--apply resolves');
    await expect(supportCommand(['--log-lines', '0', '--token', 'x'], {})).rejects.toThrow(/--log-lines/);
    await expect(supportCommand(['--hub', 'ftp://x', '--token', 'x'], {})).rejects.toThrow(/http\(s\) URL/);
  });
});
