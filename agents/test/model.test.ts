import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../src/hub-client.js';
import type { ProposalView, RunView } from '../src/hub-types.js';
import { createLlm } from '../src/llm.js';
import { runPass } from '../src/orchestrator/pass.js';
import { DEFAULT_POLICY } from '../src/orchestrator/policy.js';
import { formatReport } from '../src/orchestrator/report.js';
import { DownSinceStore } from '../src/orchestrator/state.js';
import { DEFAULT_SECURITY_POLICY, runSecurity } from '../src/security/run.js';
import {
  callTool,
  fail,
  type MessagesApiFake,
  type Script,
  type SeenMessagesRequest,
  say,
  startMessagesApiFake,
  toolResults,
} from '../src/testing/messages-api-fake.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

const READ_TOOLS = [
  'list_instances',
  'get_instance',
  'metrics_history',
  'recent_logs',
  'command_history',
  'list_findings',
  'list_proposals',
  'kb_suggest',
  'list_tickets',
];
const toolNames = (r: SeenMessagesRequest) => (r.body.tools ?? []).map((t) => ('name' in t ? t.name : ''));

describe('the model investigates and proposes through the hub', () => {
  let t: AgentTestHub;
  let side: Awaited<ReturnType<typeof simulatedSidecar>>;
  let hub: HubClient;
  let id: string;
  const fakes: MessagesApiFake[] = [];

  beforeAll(async () => {
    t = await startAgentHub();
    const sick = await t.newInstance('vps-sick');
    id = sick.id;
    side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, sick.id, sick.secret);
    await side.status('online');
    await side.openclaw({ present: true, up: false, error: 'gateway exited' });
    await side.logs([{ level: 'error', subsystem: 'gateway', msg: 'listen EADDRINUSE: port 18789 already in use' }]);
    hub = new HubClient({
      baseUrl: t.hub.httpUrl,
      token: (await t.api<{ token: string }>('POST', '/ops-agents/orchestrator/token')).body.token,
    });
    await until(
      async () =>
        (await hub.listInstances()).find((i) => i.id === id)?.openclaw?.up === false &&
        (await hub.logs(id, { level: 'error' })).length > 0,
      'OpenClaw down and its error line on the hub',
      60_000,
    );
  }, 180_000);
  afterAll(async () => {
    for (const f of fakes) await f.close();
    await side?.close();
    await t?.close();
  });

  const fake = async (script: Script, usage?: { input_tokens: number; output_tokens: number }) => {
    const f = await startMessagesApiFake({ script, ...(usage ? { usage } : {}) });
    fakes.push(f);
    return f;
  };
  /** A pass in which the rules only watch (the grace period is not over): what changes is the model's doing. */
  const pass = (f: MessagesApiFake, o: { dryRun?: boolean } = {}) =>
    runPass({
      hub,
      policy: { ...DEFAULT_POLICY, graceSec: 3600, cooldownSec: 60, waitSec: 0, dryRun: !!o.dryRun },
      state: new DownSinceStore(),
      llm: createLlm({ apiKey: f.apiKey, baseUrl: f.url, model: 'claude-sonnet-4-5' }),
    });
  const run = async (runId: string | null | undefined) =>
    (await t.api<RunView[]>('GET', '/agent-runs?agent=orchestrator')).body.find((r) => r.id === runId);

  it('reads with its tools, gets a 404 back as an error, proposes a restart the hub runs; the run bills every call', async () => {
    const f = await fake([
      callTool('list_instances'),
      (req) => {
        // The model sees what the hub answered, and goes on from it.
        expect(toolResults(req)[0].content).toContain('vps-sick');
        return callTool('recent_logs', { instanceId: id, level: 'error' });
      },
      callTool('get_instance', { instanceId: 'ins_does_not_exist' }),
      callTool('propose_action', {
        title: 'Restart OpenClaw on vps-sick',
        commands: [{ instanceId: id, type: 'openclaw.restart', params: {} }],
        expectedEffect: 'OpenClaw listens again',
        risk: 'low',
        reasoning: 'the gateway exited with EADDRINUSE; a restart frees the port',
      }),
      say('OpenClaw on vps-sick exited (port 18789 in use); I proposed a restart and the hub ran it.'),
    ]);
    const r = await pass(f);
    expect(f.rejected).toEqual([]);
    expect(f.requests).toHaveLength(5);
    expect(toolNames(f.requests[0])).toEqual([...READ_TOOLS, 'propose_action', 'post_finding']);
    expect(f.requests[0].body.messages[0].content).toContain('openclaw_down');

    const logs = toolResults(f.requests[2])[0];
    expect(logs).toMatchObject({ name: 'recent_logs', isError: false });
    expect(logs.content).toContain('EADDRINUSE');
    const missing = toolResults(f.requests[3])[0];
    expect(missing).toMatchObject({ name: 'get_instance', isError: true });
    expect(missing.content).toMatch(/404/);
    const decision = toolResults(f.requests[4])[0];
    expect(decision.isError).toBe(false);
    expect(JSON.parse(decision.content)).toMatchObject({ decision: 'issued', status: expect.any(String) });

    // The rules only watched; the restart is the model's, approved and executed by the hub's policy.
    expect(r.findings.find((x) => x.kind === 'openclaw_down')?.action?.decision).toBe('waiting_grace');
    expect(r.modelProposals).toEqual([expect.objectContaining({ decision: 'issued', proposalId: expect.any(String) })]);
    expect(r.issued).toHaveLength(1);
    await until(
      async () => side.received.some((c) => c.type === 'openclaw.restart'),
      'the restart to reach the VPS',
      60_000,
    );
    const p = (await t.api<ProposalView>('GET', `/agent-proposals/${r.modelProposals?.[0].proposalId}`)).body;
    expect(p).toMatchObject({ agent: 'orchestrator', decidedBy: 'auto', runId: r.runId });
    expect(r.llmSummary).toContain('proposed a restart');
    expect(formatReport(r)).toContain('Proposed by the model:');

    // Tokens and cost of all five calls, at $3 / $15 per million.
    const rec = await run(r.runId);
    expect(rec).toMatchObject({ tokensIn: f.usage.input_tokens, tokensOut: f.usage.output_tokens, proposals: 1 });
    expect(f.usage.input_tokens).toBeGreaterThan(0);
    expect(rec?.costUsd).toBeCloseTo((f.usage.input_tokens * 3 + f.usage.output_tokens * 15) / 1e6, 10);
    await until(
      async () => (await hub.listCommands(id, { type: 'openclaw.restart' }))[0]?.status === 'succeeded',
      'the restart to finish',
      60_000,
    );
  }, 120_000);

  it("gets the hub's refusal of a never-allowed action as an answer, and the run still finishes", async () => {
    const f = await fake([
      callTool('propose_action', {
        title: "Rotate vps-sick's MQTT secret",
        commands: [{ instanceId: id, type: 'credentials.rotate', params: {} }],
        expectedEffect: 'a new secret',
        risk: 'medium',
        reasoning: 'just in case',
      }),
      say('The hub refused the rotation: the orchestrator may never rotate credentials.'),
    ]);
    const r = await pass(f);
    const answer = toolResults(f.requests[1])[0];
    expect(answer.isError).toBe(false);
    expect(JSON.parse(answer.content)).toMatchObject({ decision: 'refused', code: 'HUB_ERR_POLICY_NEVER' });
    expect(r.modelProposals?.[0]).toMatchObject({ decision: 'refused', code: 'HUB_ERR_POLICY_NEVER' });
    expect(r.llmError).toBeNull();
    const rec = await run(r.runId);
    expect(rec?.endedAt).toBeTruthy();
    expect(rec?.tokensIn).toBe(f.usage.input_tokens);
  }, 60_000);

  it('a dry run offers the read tools only; the same findings again within the cooldown cost no call', async () => {
    const f = await fake([say('Nothing to add.')]);
    const llm = createLlm({ apiKey: f.apiKey, baseUrl: f.url, model: 'claude-sonnet-4-5' });
    const dry = { ...DEFAULT_POLICY, graceSec: 3600, cooldownSec: 60, waitSec: 0, dryRun: true };
    const r = await runPass({ hub, policy: dry, state: new DownSinceStore(), llm });
    expect(toolNames(f.requests[0])).toEqual(READ_TOOLS);
    expect(r.llmSummary).toBe('Nothing to add.');
    const again = await runPass({ hub, policy: dry, state: new DownSinceStore(), llm });
    expect(f.requests).toHaveLength(1);
    expect(again.llmSummary).toBeUndefined();
    expect(again.findings.map((x) => x.kind)).toEqual(r.findings.map((x) => x.kind));
  }, 60_000);

  it('retries a 529 and a 429 (after its retry-after), and reports an API that stays down while the rules stand', async () => {
    const flaky = await fake([fail('overloaded'), fail('rate_limit', { retryAfterSec: 1 }), say('Retried twice.')]);
    const t0 = Date.now();
    const ok = await pass(flaky);
    expect(ok.llmSummary).toBe('Retried twice.');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(flaky.requests).toHaveLength(3);
    const billed = await run(ok.runId);
    expect(billed).toMatchObject({ tokensIn: flaky.usage.input_tokens, tokensOut: flaky.usage.output_tokens });

    const down = await fake(() => fail('overloaded'));
    const r = await pass(down);
    expect(down.requests).toHaveLength(3); // the first try and the SDK's two retries
    expect(r.llmSummary).toBeNull();
    expect(r.llmError).toMatch(/529|overloaded/i);
    expect(r.findings.find((x) => x.kind === 'openclaw_down')).toBeTruthy();
    expect(formatReport(r)).toContain('OpenClaw is down');
    const rec = await run(r.runId);
    expect(rec).toMatchObject({ tokensIn: 0, tokensOut: 0 });
    expect(rec?.error).toMatch(/529|overloaded/i);
  }, 120_000);

  // The same pass against the real Messages API, when a key is set (never in CI without one).
  it.runIf(!!process.env.ANTHROPIC_API_KEY)(
    'investigates with the real API when ANTHROPIC_API_KEY is set',
    async () => {
      const llm = createLlm({
        apiKey: process.env.ANTHROPIC_API_KEY,
        baseUrl: process.env.DS_ANTHROPIC_BASE_URL,
        model: process.env.DS_ANTHROPIC_MODEL ?? 'claude-sonnet-4-5',
      });
      const r = await runPass({
        hub,
        policy: { ...DEFAULT_POLICY, graceSec: 3600, cooldownSec: 60, waitSec: 0, dryRun: true },
        state: new DownSinceStore(),
        llm,
      });
      expect(r.llmError).toBeNull();
      expect(r.llmSummary).toBeTruthy();
      expect(llm?.usage.tokensIn).toBeGreaterThan(0);
    },
    300_000,
  );

  it('the security agent proposes hubkey.rotate for an old hub key, and lets the model look into it', async () => {
    const longAgo = new Date(Date.now() - 400 * 86_400_000);
    utimesSync(join(t.hub.config.dataDir, 'hub-key.pem'), longAgo, longAgo);
    const sec = new HubClient({
      baseUrl: t.hub.httpUrl,
      token: (await t.api<{ token: string }>('POST', '/ops-agents/security/token')).body.token,
    });
    const f = await fake([
      callTool('list_proposals', { agent: 'security' }),
      (req) => {
        expect(toolResults(req)[0].content).toContain('hubkey.rotate');
        return say('The hub key is over a year old; a hubkey.rotate for vps-sick waits for an admin.');
      },
    ]);
    const llm = createLlm({ apiKey: f.apiKey, baseUrl: f.url, model: 'claude-sonnet-4-5' });
    const r = await runSecurity({ hub: sec, policy: DEFAULT_SECURITY_POLICY, dryRun: false, llm });
    const hk = r.findings.find((x) => x.kind === 'hub_key_old');
    expect(hk).toMatchObject({ instanceId: id, proposed: { status: 'pending' } });
    const p = (await t.api<ProposalView>('GET', `/agent-proposals/${hk?.proposed?.proposalId}`)).body;
    expect(p.commands).toEqual([{ instanceId: id, type: 'hubkey.rotate', params: {} }]);
    expect(r.llmSummary).toContain('waits for an admin');
    // Key material never sits in a proposal: the hub makes it when it executes.
    const leak = await sec
      .propose({
        title: 'x',
        commands: [
          {
            instanceId: id,
            type: 'hubkey.rotate',
            params: { publicKey: `ed25519:${'B'.repeat(43)}`, retireOldAfter: 1 },
          },
        ],
        expectedEffect: 'x',
        risk: 'low',
        reasoning: 'x',
      })
      .catch((e) => e);
    expect(leak).toMatchObject({ status: 400, code: 'HUB_ERR_BAD_PARAMS' });
    const rec = (await t.api<RunView[]>('GET', '/agent-runs?agent=security')).body.find((x) => x.id === r.runId);
    expect(rec).toMatchObject({ tokensIn: f.usage.input_tokens, tokensOut: f.usage.output_tokens });

    // Approved inside a maintenance window, the hub names its next key and the sidecar gets it signed.
    const mw = await t.api('POST', '/maintenance-windows', {
      clientId: (await hub.getInstance(id)).clientId,
      name: 'key rotation',
      timeZone: 'UTC',
      startDate: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
      startTime: '00:00',
      durationMin: 3 * 1440,
    });
    expect(mw.status).toBe(201);
    const ok = await t.api<ProposalView>('POST', `/agent-proposals/${p.id}/approve`, {});
    expect(ok.body.refusal).toBeNull();
    await until(async () => side.received.some((c) => c.type === 'hubkey.rotate'), 'hubkey.rotate on the VPS', 60_000);
    const cmd = (await hub.listCommands(id, { type: 'hubkey.rotate' }))[0];
    expect(cmd.params).toMatchObject({ publicKey: expect.stringMatching(/^ed25519:/) });
    expect((cmd.params as { publicKey: string }).publicKey).not.toBe(t.hub.hubPublicKey);
    // The hub still signs with its current key, so the sidecar keeps trusting it.
    expect((cmd.params as { retireOldAfter: number }).retireOldAfter).toBe(Date.UTC(9999, 11, 31));
  }, 120_000);
});
