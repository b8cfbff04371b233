import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, HubError } from '../src/hub-client.js';
import type { CommandView } from '../src/hub-types.js';
import { createLlm } from '../src/llm.js';
import { orchestratorCommand } from '../src/orchestrator/command.js';
import { runPass } from '../src/orchestrator/pass.js';
import { DEFAULT_POLICY, type OrchestratorPolicy } from '../src/orchestrator/policy.js';
import { formatReport } from '../src/orchestrator/report.js';
import { DownSinceStore } from '../src/orchestrator/state.js';
import { say, startMessagesApiFake } from '../src/testing/messages-api-fake.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

describe('orchestrator against a real hub', () => {
  let t: AgentTestHub;
  let dir: string;
  let sick: { id: string; secret: string };
  let side: Awaited<ReturnType<typeof simulatedSidecar>>;
  let down: Awaited<ReturnType<typeof simulatedSidecar>>;
  let opsToken: string;
  let readToken: string;

  beforeAll(async () => {
    t = await startAgentHub();
    dir = mkdtempSync(join(tmpdir(), 'agents-orch-'));
    opsToken = (await t.api<{ token: string }>('POST', '/ops-agents/orchestrator/token')).body.token;
    readToken = await t.serviceToken('watcher', ['read']);
    sick = await t.newInstance('vps-sick');
    side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, sick.id, sick.secret);
    await side.status('online');
    await side.openclaw({ present: true, up: false, error: 'gateway exited' });
    await side.metrics(95, 40);
    const gone = await t.newInstance('vps-gone');
    down = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, gone.id, gone.secret);
    await down.status('online');
    await down.status('offline');
    await t.newInstance('vps-new');
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: opsToken });
    await until(async () => {
      const list = await hub.listInstances();
      const s = list.find((i) => i.id === sick.id);
      return (
        s?.status === 'error' &&
        s.openclaw?.up === false &&
        s.metrics.disk !== undefined &&
        list.find((i) => i.id === gone.id)?.status === 'offline'
      );
    }, 'the simulated fleet to show up');
  });
  afterAll(async () => {
    await side?.close();
    await down?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const restarts = async () =>
    (await t.api<CommandView[]>('GET', `/instances/${sick.id}/commands?type=openclaw.restart`)).body;
  const policy = (p: Partial<OrchestratorPolicy>): OrchestratorPolicy => ({ ...DEFAULT_POLICY, waitSec: 10, ...p });

  it('waits out the grace period, restarts once, then holds off within the cooldown', async () => {
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: opsToken });
    const state = new DownSinceStore(join(dir, 'state.json'));
    const t0 = Date.now();
    const p = policy({ graceSec: 60, cooldownSec: 900 });

    const first = await runPass({ hub, policy: p, state, now: () => t0 });
    const f1 = first.findings.find((f) => f.instanceId === sick.id && f.kind === 'openclaw_down');
    expect(f1?.action?.decision).toBe('waiting_grace');
    const kinds = first.findings.map((f) => `${f.hostname}:${f.kind}`).sort();
    expect(kinds).toEqual([
      'vps-gone:offline',
      'vps-new:never_connected',
      'vps-sick:disk_high',
      'vps-sick:openclaw_down',
    ]);

    // Grace is measured across runs: a fresh store reads the first sighting back from the file.
    const dry = await runPass({
      hub,
      policy: { ...p, dryRun: true },
      state: new DownSinceStore(join(dir, 'state.json')),
      now: () => t0 + 61_000,
    });
    expect(dry.findings.find((f) => f.kind === 'openclaw_down')?.action?.decision).toBe('would_issue');
    expect(await restarts()).toEqual([]);

    const second = await runPass({ hub, policy: p, state, now: () => t0 + 61_000 });
    const a2 = second.findings.find((f) => f.kind === 'openclaw_down')?.action;
    expect(a2?.decision).toBe('issued');
    expect(a2?.finalStatus).toBe('succeeded');
    expect(second.issued).toEqual([a2?.commandId]);
    expect(side.received).toEqual([{ id: a2?.commandId, type: 'openclaw.restart' }]);

    // OpenClaw still reported down right after our own restart: no second restart in the cooldown.
    await side.openclaw({ present: true, up: false });
    const third = await runPass({ hub, policy: p, state, now: () => t0 + 200_000 });
    expect(third.findings.find((f) => f.kind === 'openclaw_down')?.action?.decision).toBe('cooldown');
    expect(third.issued).toEqual([]);
    const list = await restarts();
    expect(list).toHaveLength(1);
    expect(list[0].status).toBe('succeeded');
    expect(list[0].issuedBy).toBe('user:agent-orchestrator@service.deepsignal');
    expect(formatReport(third)).toContain('openclaw.restart: cooldown');

    // The restart went through the hub as an auto-approved proposal, with the finding behind it.
    const proposals = (
      await t.api<{ id: string; status: string; findingId: string; runId: string }[]>(
        'GET',
        '/agent-proposals?agent=orchestrator',
      )
    ).body;
    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({ id: a2?.proposalId, status: 'succeeded', runId: second.runId });
    // Findings are posted once per lasting condition (three passes, one of each), with evidence.
    const found = (
      await t.api<{ id: string; kind: string; instanceId: string; evidence: Record<string, unknown> }[]>(
        'GET',
        '/agent-findings?agent=orchestrator',
      )
    ).body;
    expect(found.map((f) => f.kind).sort()).toEqual(['disk_high', 'never_connected', 'offline', 'openclaw_down']);
    expect(found.find((f) => f.kind === 'openclaw_down')?.id).toBe(proposals[0].findingId);
    expect(found.find((f) => f.kind === 'openclaw_down')?.evidence).toMatchObject({
      openclaw: { up: false, error: 'gateway exited' },
    });
    // Every pass but the dry run is a recorded run with the hub's counts.
    const runs = (
      await t.api<{ id: string; findings: number; endedAt: string | null }[]>('GET', '/agent-runs?agent=orchestrator')
    ).body;
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.endedAt)).toBe(true);
    expect(runs.find((r) => r.id === first.runId)?.findings).toBe(4);
  });

  it('a token without the command scope is refused with a readable error', async () => {
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: readToken });
    const err = await hub.issueCommand(sick.id, 'openclaw.restart').catch((e) => e);
    expect(err).toBeInstanceOf(HubError);
    expect(err.status).toBe(403);
    expect(err.code).toBe('HUB_ERR_SCOPE');
    expect(err.message).toMatch(
      /^POST \/instances\/.+\/commands: 403 HUB_ERR_SCOPE this API token.s scopes do not allow/,
    );
    // In a pass the refusal is reported on the finding; nothing is issued.
    const r = await runPass({
      hub,
      policy: policy({ graceSec: 0, cooldownSec: 0 }),
      state: new DownSinceStore(),
    });
    const a = r.findings.find((f) => f.kind === 'openclaw_down')?.action;
    expect(a?.decision).toBe('error');
    expect(a?.detail).toContain('HUB_ERR_SCOPE');
    expect(await restarts()).toHaveLength(1);
  });

  it('checks params with the protocol before calling the hub', async () => {
    const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: opsToken });
    const bad = await hub.issueCommand(sick.id, 'openclaw.restart', { waitReadySec: -1 }).catch((e) => e);
    expect(bad).toMatchObject({ status: 0, code: 'bad_params' });
    expect((await hub.issueCommand(sick.id, 'nope').catch((e) => e)).code).toBe('unknown_type');
    const anon = await new HubClient({ baseUrl: t.hub.httpUrl, token: 'dsa_wrong' }).listInstances().catch((e) => e);
    expect(anon.status).toBe(401);
  });

  it('writes a short summary through the Anthropic Messages API when a key is set', async () => {
    const fake = await startMessagesApiFake({
      script: () => say('One instance has OpenClaw down; a restart already ran. One is offline.'),
    });
    try {
      const llm = createLlm({ apiKey: 'test-key', baseUrl: fake.url, model: 'claude-test' });
      const hub = new HubClient({ baseUrl: t.hub.httpUrl, token: readToken });
      const r = await runPass({ hub, policy: policy({ dryRun: true }), state: new DownSinceStore(), llm });
      expect(r.llmSummary).toBe('One instance has OpenClaw down; a restart already ran. One is offline.');
      expect(r.llmError).toBeNull();
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0].headers['anthropic-version']).toBeTruthy();
      expect(fake.requests[0].headers.authorization).toBeUndefined(); // the key goes in x-api-key only
      expect(fake.requests[0].body.model).toBe('claude-test');
      expect(JSON.stringify(fake.requests[0].body.messages)).toContain('vps-gone');
      // A failing model never fails the pass.
      const broken = createLlm({ apiKey: 'wrong-key', baseUrl: fake.url, model: 'claude-test' });
      const r2 = await runPass({ hub, policy: policy({ dryRun: true }), state: new DownSinceStore(), llm: broken });
      expect(r2.llmSummary).toBeNull();
      expect(r2.llmError).toMatch(/401/);
      expect(r2.findings.length).toBe(r.findings.length);
    } finally {
      await fake.close();
    }
  });

  it('runs from the CLI: --once --dry-run --json, and bad settings are refused', async () => {
    const out: string[] = [];
    const code = await orchestratorCommand(
      ['--once', '--dry-run', '--json', '--hub', t.hub.httpUrl, '--state-file', join(dir, 'cli.json')],
      { DS_AGENT_TOKEN: readToken },
      (s) => out.push(s),
    );
    expect(code).toBe(0);
    const report = JSON.parse(out[0]) as { dryRun: boolean; instances: number; findings: { instanceId: string }[] };
    expect(report.dryRun).toBe(true);
    expect(report.instances).toBe(3);
    await expect(orchestratorCommand(['--once', '--hub', t.hub.httpUrl], {})).rejects.toThrow(/DS_AGENT_TOKEN/);
    await expect(orchestratorCommand(['--disk-pct', '200'], { DS_AGENT_TOKEN: 'x' })).rejects.toThrow(
      /--disk-pct \/ DS_AGENT_DISK_PCT must be a number from 1 to 100/,
    );
    const help: string[] = [];
    expect(await orchestratorCommand(['--help'], {}, (s) => help.push(s))).toBe(0);
    expect(help[0]).toContain('--cooldown-sec');
  });
});

describe("orchestrator under the hub's policy", () => {
  let t: AgentTestHub;
  let side: Awaited<ReturnType<typeof simulatedSidecar>>;
  let hub: HubClient;
  let id: string;

  beforeAll(async () => {
    t = await startAgentHub();
    const sick = await t.newInstance('vps-sick');
    id = sick.id;
    side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, sick.id, sick.secret);
    await side.status('online');
    await side.openclaw({ present: true, up: false });
    hub = new HubClient({
      baseUrl: t.hub.httpUrl,
      token: (await t.api<{ token: string }>('POST', '/ops-agents/orchestrator/token')).body.token,
    });
    await until(
      async () => (await hub.listInstances()).find((i) => i.id === id)?.openclaw?.up === false,
      'OpenClaw down on the simulated instance',
    );
  });
  afterAll(async () => {
    await side?.close();
    await t?.close();
  });

  const pass = () =>
    runPass({
      hub,
      policy: { ...DEFAULT_POLICY, graceSec: 0, cooldownSec: 60, waitSec: 10 },
      state: new DownSinceStore(),
    });
  const restartAction = (r: Awaited<ReturnType<typeof runPass>>) =>
    r.findings.find((f) => f.kind === 'openclaw_down')?.action;

  it('a restart that needs approval waits for an admin, who approves it: then it runs', async () => {
    expect(
      (await t.api('PUT', '/ops-agents/orchestrator/policy', { actions: { 'openclaw.restart': 'approve' } })).status,
    ).toBe(200);
    const a = restartAction(await pass());
    expect(a?.decision).toBe('proposed');
    expect(side.received).toEqual([]);
    const ok = await t.api<{ status: string }>('POST', `/agent-proposals/${a?.proposalId}/approve`);
    expect(['executing', 'succeeded']).toContain(ok.body.status);
    await until(async () => side.received.length === 1, 'the approved restart to reach the instance');
    expect(side.received[0].type).toBe('openclaw.restart');
  });

  it("records the run with the model's tokens and their cost", async () => {
    const fake = await startMessagesApiFake({
      script: [say('OpenClaw is down on vps-sick; a restart ran.')],
      usage: { input_tokens: 120, output_tokens: 30 },
    });
    try {
      const llm = createLlm({ apiKey: 'test-key', baseUrl: fake.url, model: 'claude-sonnet-4-5' });
      const r = await runPass({
        hub,
        policy: { ...DEFAULT_POLICY, graceSec: 0, cooldownSec: 60, waitSec: 0 },
        state: new DownSinceStore(),
        llm,
      });
      const run = (
        await t.api<{ id: string; tokensIn: number; tokensOut: number; costUsd: number }[]>(
          'GET',
          '/agent-runs?agent=orchestrator',
        )
      ).body.find((x) => x.id === r.runId);
      // The fake answers 120 tokens in, 30 out: at $3 and $15 per million.
      expect(run).toMatchObject({ tokensIn: 120, tokensOut: 30 });
      expect(run?.costUsd).toBeCloseTo((120 * 3 + 30 * 15) / 1e6, 10);
    } finally {
      await fake.close();
    }
  });

  it('a paused agent is refused by the hub, and says so', async () => {
    await t.api('POST', '/ops-agents/orchestrator/pause');
    const r = await pass();
    expect(r.runError).toContain('HUB_ERR_POLICY_PAUSED');
    expect(r.findings.find((f) => f.kind === 'openclaw_down')?.reportError).toContain('HUB_ERR_POLICY_PAUSED');
    expect(formatReport(r)).toContain('run not recorded');
    await t.api('POST', '/ops-agents/orchestrator/resume');
  });
});
