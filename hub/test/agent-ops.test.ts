import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeringSidecar, mintAgent, restartPlan } from './helpers/agent-ops.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';
import { makeTenant } from './security/tenants.js';

type Proposal = {
  id: string;
  status: string;
  decidedBy: string | null;
  outcomes: { commandId: string; status: string; type: string }[];
  targets: { instanceId: string; hostname: string | null }[];
  refusal: { code: string } | null;
};

describe('agent ops: identities, findings, proposals', () => {
  let hub: TestHub;
  let inst: { id: string; secret: string; clientId: string };
  let side: Awaited<ReturnType<typeof answeringSidecar>>;
  let orch: string;

  beforeAll(async () => {
    // The machine's PostgreSQL here (the policy test runs on PGlite): jsonb containment, arrays, both.
    hub = await startTestHub({ postgres: true, agentTokenTtlHours: 2 });
    inst = await hub.newInstance();
    side = await answeringSidecar(hub, inst);
    await until(() => hub.ctx.fleet.get(inst.id)?.status === 'online', 10_000, 'the instance online');
    orch = await mintAgent(hub, 'orchestrator');
  });
  afterAll(async () => {
    await side?.c.endAsync();
    await hub?.close();
  });

  it('mints an agent token with its narrow scopes, once, admin only; minting again revokes the old one', async () => {
    const r = await hub.api<{ token: string; scopes: string[]; expiresAt: string; tokenId: string }>(
      'POST',
      '/ops-agents/security/token',
    );
    expect(r.status).toBe(201);
    expect(r.body.scopes).toEqual(['read', 'agent:report']);
    expect(r.body.token).toMatch(/^dsa_/);
    const ttl = Date.parse(r.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(1.9 * 3_600_000);
    expect(ttl).toBeLessThanOrEqual(2 * 3_600_000);
    expect((await hub.api('GET', '/agent-findings', undefined, r.body.token)).status).toBe(200);
    // The token list never shows the plaintext again.
    expect(JSON.stringify((await hub.api('GET', '/tokens')).body)).not.toContain(r.body.token);

    const again = await hub.api<{ token: string }>('POST', '/ops-agents/security/token');
    expect((await hub.api('GET', '/agent-findings', undefined, r.body.token)).status).toBe(401);
    expect((await hub.api('GET', '/agent-findings', undefined, again.body.token)).status).toBe(200);

    expect((await hub.api('POST', '/ops-agents/nobody/token')).status).toBe(404);
    const support = (await hub.api<{ token: string }>('GET', '/ops-agents')).status;
    expect(support).toBe(200);
    // The support agent also gets support:triage, nothing more.
    const sup = await hub.api<{ scopes: string[] }>('POST', '/ops-agents/support/token');
    expect(sup.body.scopes).toEqual(['read', 'agent:report', 'support:triage', 'kb:propose']);
    // An agent cannot mint tokens or issue commands itself.
    expect((await hub.api('POST', '/ops-agents/orchestrator/token', undefined, orch)).status).toBe(403);
    const cmd = await hub.api<{ error: { code: string } }>(
      'POST',
      `/instances/${inst.id}/commands`,
      { type: 'openclaw.restart' },
      orch,
    );
    expect(cmd.status).toBe(403);
    expect(cmd.body.error.code).toBe('HUB_ERR_SCOPE');
  });

  it('rotates: the agent gets a fresh token with its current one, which is then revoked; an expired one is refused', async () => {
    const old = await mintAgent(hub, 'learning');
    const r = await hub.api<{ token: string; expiresAt: string }>('POST', '/ops-agents/learning/token/rotate', {}, old);
    expect(r.status).toBe(201);
    expect((await hub.api('GET', '/ops-agents', undefined, old)).status).toBe(401);
    expect((await hub.api('GET', '/ops-agents', undefined, r.body.token)).status).toBe(200);
    // Another agent's name is not this token's to rotate.
    expect((await hub.api('POST', '/ops-agents/orchestrator/token/rotate', {}, r.body.token)).status).toBe(404);
    // Past its expiry a token is refused, and so is rotating with it: an admin mints a new one.
    await hub.db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE name = 'agent learning'");
    expect((await hub.api('POST', '/ops-agents/learning/token/rotate', {}, r.body.token)).status).toBe(401);
    const audit = await hub.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action LIKE 'agent.token.%' AND detail->>'agent' = 'learning' ORDER BY id",
    );
    expect(audit.map((a) => a.action)).toEqual(['agent.token.mint', 'agent.token.rotate']);
  });

  it('records findings from the agent with evidence; others cannot post them; bad input is a 400', async () => {
    const f = await hub.api<{ id: string; agent: string; clientId: string }>(
      'POST',
      '/agent-findings',
      {
        instanceId: inst.id,
        kind: 'openclaw_down',
        severity: 'critical',
        what: 'OpenClaw is down',
        evidence: { openclaw: { up: false }, seenSince: '2026-12-03T06:00:00Z' },
      },
      orch,
    );
    expect(f.status).toBe(201);
    expect(f.body).toMatchObject({ agent: 'orchestrator', clientId: inst.clientId });
    const list = await hub.api<{ id: string; evidence: unknown }[]>('GET', '/agent-findings?agent=orchestrator');
    expect(list.body.find((x) => x.id === f.body.id)?.evidence).toEqual({
      openclaw: { up: false },
      seenSince: '2026-12-03T06:00:00Z',
    });
    const byAdmin = await hub.api<{ error: { code: string } }>('POST', '/agent-findings', {
      kind: 'x',
      severity: 'info',
      what: 'x',
    });
    expect(byAdmin.body.error.code).toBe('HUB_ERR_NOT_AN_AGENT');
    const bad = await hub.api('POST', '/agent-findings', { kind: 'x', severity: 'dire', what: 'x' }, orch);
    expect(bad.status).toBe(400);
    const unknown = await hub.api(
      'POST',
      '/agent-findings',
      { kind: 'x', severity: 'info', what: 'x', instanceId: 'inst-nope' },
      orch,
    );
    expect(unknown.status).toBe(404);
  });

  it('executes an auto-approved restart through the command path and records its outcome and audit', async () => {
    const r = await hub.api<Proposal>('POST', '/agent-proposals', restartPlan(inst.id, { idempotencyKey: 'k1' }), orch);
    expect(r.status).toBe(201);
    expect(r.body.decidedBy).toBe('auto');
    expect(r.body.targets).toEqual([expect.objectContaining({ instanceId: inst.id, hostname: 'vps-1' })]);
    await expect
      .poll(async () => (await hub.api<Proposal>('GET', `/agent-proposals/${r.body.id}`)).body.status)
      .toBe('succeeded');
    const p = (await hub.api<Proposal>('GET', `/agent-proposals/${r.body.id}`)).body;
    expect(p.outcomes).toEqual([expect.objectContaining({ type: 'openclaw.restart', status: 'succeeded' })]);
    expect(side.received.map((c) => c.id)).toContain(p.outcomes[0].commandId);
    const cmd = (await hub.api<{ issuedBy: string }>('GET', `/commands/${p.outcomes[0].commandId}`)).body;
    expect(cmd.issuedBy).toBe('user:agent-orchestrator@service.deepsignal');
    const audit = await hub.db.query<{ action: string; detail: { agent?: string; reason?: string } }>(
      "SELECT action, detail FROM audit_log WHERE target = $1 AND action LIKE 'agent.%' ORDER BY id",
      [r.body.id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'agent.proposal.create',
      'agent.proposal.execute',
      'agent.proposal.succeeded',
    ]);
    expect(audit[1].detail).toMatchObject({
      agent: 'orchestrator',
      reason: 'OpenClaw has been down past the grace period',
    });
    // The instance's timeline shows it, for operators.
    const tl = await hub.api<{ entries: { kind: string; status: string; actor: string }[] }>(
      'GET',
      `/instances/${inst.id}/timeline?kinds=agent_proposal`,
    );
    expect(tl.body.entries).toEqual([
      expect.objectContaining({ kind: 'agent_proposal', status: 'succeeded', actor: 'agent:orchestrator' }),
    ]);
    // The same idempotency key gives the same proposal back, nothing new is sent.
    const again = await hub.api<Proposal>(
      'POST',
      '/agent-proposals',
      restartPlan(inst.id, { idempotencyKey: 'k1' }),
      orch,
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(r.body.id);
  });

  it('queues what needs approval; an admin approves (executed) or rejects; decisions are final', async () => {
    const plan = {
      title: 'Check the sidecar answers',
      commands: [{ instanceId: inst.id, type: 'ping', params: {} }],
      expectedEffect: 'a pong within a second',
      risk: 'low',
      reasoning: 'no heartbeat seen for a while',
    };
    const a = await hub.api<Proposal>('POST', '/agent-proposals', plan, orch);
    expect(a.body.status).toBe('pending');
    const queue = await hub.api<Proposal[]>('GET', '/agent-proposals?status=pending');
    expect(queue.body.map((p) => p.id)).toContain(a.body.id);
    // An agent may not approve its own proposals.
    expect((await hub.api('POST', `/agent-proposals/${a.body.id}/approve`, {}, orch)).status).toBe(403);
    const ok = await hub.api<Proposal>('POST', `/agent-proposals/${a.body.id}/approve`, { note: 'go' });
    expect(ok.status).toBe(200);
    // The sidecar may already have answered by the time the approval returns.
    expect(['executing', 'succeeded']).toContain(ok.body.status);
    await expect
      .poll(async () => (await hub.api<Proposal>('GET', `/agent-proposals/${a.body.id}`)).body.status)
      .toBe('succeeded');

    const b = await hub.api<Proposal>('POST', '/agent-proposals', { ...plan, title: 'again' }, orch);
    const no = await hub.api<Proposal>('POST', `/agent-proposals/${b.body.id}/reject`, { note: 'not now' });
    expect(no.body.status).toBe('rejected');
    const late = await hub.api<{ error: { code: string; message: string } }>(
      'POST',
      `/agent-proposals/${b.body.id}/approve`,
      {},
    );
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('is rejected');
    expect((await hub.api('POST', `/agent-proposals/${b.body.id}/execute`)).status).toBe(409);
    // Unknown types and bad params are refused before anything is stored.
    const bad = await hub.api<{ error: { code: string } }>(
      'POST',
      '/agent-proposals',
      { ...plan, commands: [{ instanceId: inst.id, type: 'openclaw.restart', params: { waitReadySec: -1 } }] },
      orch,
    );
    expect(bad.body.error.code).toBe('HUB_ERR_BAD_PARAMS');
  });

  it('records runs with the counts the hub makes and the cost the agent reports', async () => {
    const run = await hub.api<{ id: string }>('POST', '/agent-runs', {}, orch);
    expect(run.status).toBe(201);
    await hub.api(
      'POST',
      '/agent-findings',
      { runId: run.body.id, kind: 'disk_high', severity: 'warning', what: 'disk 95 %' },
      orch,
    );
    const end = await hub.api<{
      findings: number;
      proposals: number;
      costUsd: number;
      tokensIn: number;
      endedAt: string;
    }>('POST', `/agent-runs/${run.body.id}/finish`, { costUsd: 0.0123, tokensIn: 1200, tokensOut: 80 }, orch);
    expect(end.body).toMatchObject({ findings: 1, proposals: 0, costUsd: 0.0123, tokensIn: 1200 });
    expect(end.body.endedAt).toBeTruthy();
    // Another agent cannot finish this run.
    const sec = await mintAgent(hub, 'billing');
    expect((await hub.api('POST', `/agent-runs/${run.body.id}/finish`, {}, sec)).status).toBe(404);
    const agents = await hub.api<{ name: string; lastRun: { id: string } | null; state: string }[]>(
      'GET',
      '/ops-agents',
    );
    expect(agents.body.find((a) => a.name === 'orchestrator')?.lastRun?.id).toBe(run.body.id);
  });

  it('keeps Agent Ops to operators: a client user is refused', async () => {
    const t = await makeTenant(hub, 'gamma');
    for (const path of ['/ops-agents', '/agent-proposals', '/agent-findings', '/agent-runs'])
      expect((await hub.api('GET', path, undefined, t.owner)).status).toBe(403);
    expect((await hub.api('POST', '/agent-findings', { kind: 'x', severity: 'info', what: 'x' }, t.owner)).status).toBe(
      403,
    );
  });
});
