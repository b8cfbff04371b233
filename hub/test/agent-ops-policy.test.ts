import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeringSidecar, mintAgent, restartPlan } from './helpers/agent-ops.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';

type Err = { error: { code: string; message: string } };
type Proposal = { id: string; status: string; refusal: { code: string } | null };
type Agent = { name: string; state: string; breakerReason: string | null; failures: number };

/**
 * Every policy the hub enforces on what agents propose, each one tried and exceeded through the
 * API with real instances (embedded broker, signed commands answered over MQTT).
 */
describe('agent ops policy: the hub refuses, whatever the agent says', () => {
  let hub: TestHub;
  const sides: Awaited<ReturnType<typeof answeringSidecar>>[] = [];
  let a: { id: string; secret: string; clientId: string };
  let b: typeof a;
  let c: typeof a;
  let flaky: typeof a;
  let silent: typeof a;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    hub = await startTestHub();
    [a, b, c, flaky, silent] = [
      await hub.newInstance(),
      await hub.newInstance(),
      await hub.newInstance(),
      await hub.newInstance(),
      await hub.newInstance(),
    ];
    for (const i of [a, b, c]) sides.push(await answeringSidecar(hub, i));
    sides.push(await answeringSidecar(hub, flaky, () => 'failed'));
    await until(
      () => [a, b, c, flaky].every((i) => hub.ctx.fleet.get(i.id)?.status === 'online'),
      10_000,
      'instances online',
    );
    for (const n of ['orchestrator', 'security', 'onboarding', 'support', 'billing'])
      tokens[n] = await mintAgent(hub, n);
  });
  afterAll(async () => {
    for (const s of sides) await s.c.endAsync();
    await hub?.close();
  });

  const propose = (agent: string, body: Record<string, unknown>) =>
    hub.api<Proposal & Err>('POST', '/agent-proposals', body, tokens[agent]);
  const policy = (agent: string, body: Record<string, unknown>) =>
    hub.api('PUT', `/ops-agents/${agent}/policy`, body).then((r) => expect(r.status).toBe(200));
  const settled = (id: string) =>
    until(
      async () => {
        const p = (await hub.api<Proposal>('GET', `/agent-proposals/${id}`)).body;
        return ['succeeded', 'failed'].includes(p.status) ? p : null;
      },
      15_000,
      `proposal ${id} settled`,
    );
  const commandsOn = async (id: string) => (await hub.api<unknown[]>('GET', `/instances/${id}/commands`)).body;
  const agentView = async (name: string) =>
    (await hub.api<Agent[]>('GET', '/ops-agents')).body.find((x) => x.name === name) as Agent;

  it('refuses a policy naming an unknown command type or mode, with the reason', async () => {
    const bad = await hub.api<Err>('PUT', '/ops-agents/orchestrator/policy', { actions: { 'nope.cmd': 'auto' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('actions/nope.cmd');
    const mode = await hub.api<Err>('PUT', '/ops-agents/orchestrator/policy', { actions: { ping: 'sometimes' } });
    expect(mode.status).toBe(400);
    expect((await hub.api<Err>('PUT', '/ops-agents/orchestrator/policy', { maxInstancesPerHour: 0 })).status).toBe(400);
    // Only admins change policy; an agent cannot loosen its own.
    expect(
      (await hub.api('PUT', '/ops-agents/orchestrator/policy', { dryRun: false }, tokens.orchestrator)).status,
    ).toBe(403);
  });

  it('never: a command type the policy forbids is refused however the agent words it', async () => {
    await policy('orchestrator', { actions: { ping: 'never' } });
    const r = await propose('orchestrator', {
      ...restartPlan(a.id),
      commands: [{ instanceId: a.id, type: 'ping', params: {} }],
      risk: 'low',
      reasoning: 'URGENT: approved by the on-call admin, run now',
    });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('HUB_ERR_POLICY_NEVER');
    // Nothing was stored or sent; the refusal is on the record with what was asked and why.
    expect((await hub.api<Proposal[]>('GET', '/agent-proposals?agent=orchestrator')).body).toEqual([]);
    expect(await commandsOn(a.id)).toEqual([]);
    const audit = await hub.db.query<{ detail: Record<string, unknown> }>(
      "SELECT detail FROM audit_log WHERE action = 'agent.proposal.refused' ORDER BY id",
    );
    expect(audit[0].detail).toMatchObject({
      agent: 'orchestrator',
      code: 'HUB_ERR_POLICY_NEVER',
      commands: [{ instanceId: a.id, type: 'ping' }],
      reason: 'URGENT: approved by the on-call admin, run now',
    });
  });

  it('paused: every write of a paused agent is refused until it is resumed', async () => {
    expect((await hub.api('POST', '/ops-agents/orchestrator/pause')).status).toBe(200);
    expect((await agentView('orchestrator')).state).toBe('paused');
    const f = await hub.api<Err>(
      'POST',
      '/agent-findings',
      { kind: 'x', severity: 'info', what: 'x' },
      tokens.orchestrator,
    );
    expect(f.body.error.code).toBe('HUB_ERR_POLICY_PAUSED');
    expect((await propose('orchestrator', restartPlan(a.id))).body.error.code).toBe('HUB_ERR_POLICY_PAUSED');
    expect((await hub.api<Err>('POST', '/agent-runs', {}, tokens.orchestrator)).body.error.code).toBe(
      'HUB_ERR_POLICY_PAUSED',
    );
    expect(await commandsOn(a.id)).toEqual([]);
    await hub.api('POST', '/ops-agents/orchestrator/resume');
    expect((await hub.api('POST', '/agent-runs', {}, tokens.orchestrator)).status).toBe(201);
  });

  it('dry-run: proposals are recorded and never executed', async () => {
    await policy('orchestrator', { dryRun: true });
    expect((await agentView('orchestrator')).state).toBe('dry_run');
    const r = await propose('orchestrator', restartPlan(a.id));
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('dry_run');
    expect((await hub.api('POST', `/agent-proposals/${r.body.id}/approve`)).status).toBe(409);
    expect((await hub.api('POST', `/agent-proposals/${r.body.id}/execute`)).status).toBe(409);
    expect(await commandsOn(a.id)).toEqual([]);
    await policy('orchestrator', { dryRun: false });
  });

  it('blast radius: at most N instances per hour per agent', async () => {
    await policy('security', { actions: { 'openclaw.restart': 'auto' }, maxInstancesPerHour: 2 });
    // A plan larger than the limit is refused whole, before anything is stored.
    const big = await propose('security', {
      ...restartPlan(a.id),
      commands: [a, b, c].map((i) => ({ instanceId: i.id, type: 'openclaw.restart', params: {} })),
    });
    expect(big.status).toBe(429);
    expect(big.body.error.code).toBe('HUB_ERR_POLICY_BLAST_RADIUS');
    expect((await settled((await propose('security', restartPlan(a.id))).body.id)).status).toBe('succeeded');
    expect((await settled((await propose('security', restartPlan(b.id))).body.id)).status).toBe('succeeded');
    const third = await propose('security', restartPlan(c.id));
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('HUB_ERR_POLICY_BLAST_RADIUS');
    expect(third.body.error.message).toMatch(
      /acted on 2 instance\(s\) in the last hour; 1 more would pass its limit of 2/,
    );
    const refused = (await hub.api<Proposal[]>('GET', '/agent-proposals?agent=security&status=refused')).body;
    expect(refused).toHaveLength(1);
    expect(refused[0].refusal?.code).toBe('HUB_ERR_POLICY_BLAST_RADIUS');
    expect(await commandsOn(c.id)).toEqual([]);
    // An instance already acted on this hour is within the radius.
    expect((await settled((await propose('security', restartPlan(a.id))).body.id)).status).toBe('succeeded');
  });

  it('in flight: at most one change per instance at a time, on the auto and the admin path', async () => {
    await policy('onboarding', { actions: { 'openclaw.restart': 'auto', ping: 'approve' } });
    // No sidecar answers on this instance: its restart stays queued (in flight).
    const first = await propose('onboarding', restartPlan(silent.id));
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('executing');
    const second = await propose('onboarding', restartPlan(silent.id));
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('HUB_ERR_POLICY_IN_FLIGHT');
    const ping = await propose('onboarding', {
      ...restartPlan(silent.id),
      commands: [{ instanceId: silent.id, type: 'ping', params: {} }],
    });
    expect(ping.body.status).toBe('pending');
    const ok = await hub.api<Err>('POST', `/agent-proposals/${ping.body.id}/approve`);
    expect(ok.status).toBe(409);
    expect(ok.body.error.code).toBe('HUB_ERR_POLICY_IN_FLIGHT');
    // Approved by the admin, it stays approved with the refusal shown, for a later execute.
    const p = (await hub.api<Proposal>('GET', `/agent-proposals/${ping.body.id}`)).body;
    expect(p).toMatchObject({ status: 'approved', refusal: { code: 'HUB_ERR_POLICY_IN_FLIGHT' } });
    expect(await commandsOn(silent.id)).toHaveLength(1);
  });

  it('circuit breaker: K failed actions stop the agent until an admin resets it', async () => {
    await policy('support', { actions: { 'openclaw.restart': 'auto' }, failureLimit: 2 });
    expect((await settled((await propose('support', restartPlan(flaky.id))).body.id)).status).toBe('failed');
    expect((await agentView('support')).failures).toBe(1);
    expect((await settled((await propose('support', restartPlan(flaky.id))).body.id)).status).toBe('failed');
    const view = await agentView('support');
    expect(view.state).toBe('breaker_open');
    expect(view.breakerReason).toMatch(
      /2 failed actions in a row, the last openclaw\.restart .* failed \(gateway_unready\)/,
    );
    const r = await propose('support', restartPlan(a.id));
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('HUB_ERR_POLICY_BREAKER_OPEN');
    const f = await hub.api<Err>('POST', '/agent-findings', { kind: 'x', severity: 'info', what: 'x' }, tokens.support);
    expect(f.body.error.code).toBe('HUB_ERR_POLICY_BREAKER_OPEN');
    // Only an admin resets it.
    expect((await hub.api('POST', '/ops-agents/support/breaker/reset', {}, tokens.support)).status).toBe(403);
    const reset = await hub.api<{ breakerOpenedAt: string | null; failures: number }>(
      'POST',
      '/ops-agents/support/breaker/reset',
    );
    expect(reset.body).toMatchObject({ breakerOpenedAt: null, failures: 0 });
    expect((await agentView('support')).state).toBe('running');
    const audit = await hub.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target = 'support' AND action LIKE 'agent.breaker.%' ORDER BY id",
    );
    expect(audit.map((x) => x.action)).toEqual(['agent.breaker.open', 'agent.breaker.reset']);
    expect((await settled((await propose('support', restartPlan(b.id))).body.id)).status).toBe('succeeded');
  });

  it("maintenance windows: anything but a low-risk change waits for the client's window", async () => {
    await policy('billing', { actions: { 'openclaw.update': 'auto', 'openclaw.restart': 'auto' } });
    const update = {
      ...restartPlan(c.id),
      title: 'Update OpenClaw',
      commands: [{ instanceId: c.id, type: 'openclaw.update', params: { version: '2026.9.6' } }],
      risk: 'low',
    };
    const r = await propose('billing', { ...update, idempotencyKey: 'u1' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('HUB_ERR_POLICY_MAINTENANCE_WINDOW');
    expect(r.body.error.message).toContain('a high-risk change');
    expect(r.body.error.message).toContain('none is scheduled');
    // An agent may only make it stricter: a restart it calls high-risk waits too.
    const restart = await propose('billing', { ...restartPlan(c.id), risk: 'high' });
    expect(restart.body.error.code).toBe('HUB_ERR_POLICY_MAINTENANCE_WINDOW');
    expect(await commandsOn(c.id)).toEqual([]);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const w = await hub.api('POST', '/maintenance-windows', {
      clientId: c.clientId,
      name: 'agent changes',
      timeZone: 'UTC',
      startDate: yesterday,
      startTime: '00:00',
      durationMin: 3 * 1440,
    });
    expect(w.status).toBe(201);
    const inWindow = await propose('billing', { ...update, idempotencyKey: 'u2' });
    expect(inWindow.status).toBe(201);
    expect((await settled(inWindow.body.id)).status).toBe('succeeded');
    expect(sides[2].received.map((x) => x.type)).toEqual(['openclaw.update']);
  });
});
