import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../src/testing/cloud-settings.js';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { FakeTailscale } from '../src/testing/tailscale-fake.js';
import { VpsSimulator } from '../src/testing/vps-sim.js';
import { mintAgent } from './helpers/agent-ops.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';

type Outcome = { type: string; status: string; deploymentId?: string; backupId?: string; detail?: string };
type Preview = {
  fromServerType: string;
  toServerType: string;
  toLocation: string;
  monthlyDelta: number | null;
  backupId?: string;
  oldServerId?: number | null;
};
type Proposal = {
  id: string;
  status: string;
  refusal: { code: string; message: string } | null;
  commands: { type: string; preview?: Preview }[];
  outcomes: Outcome[];
  error?: { code: string; message: string };
};
type Host = { serverId: number | null; serverName: string; serverType: string; location: string; state: string };

/**
 * Hub actions in the orchestrator's proposals, end to end against the Hetzner and Tailscale fakes
 * and simulated servers running the real sidecar bundle: a dead server replaced by a new one with
 * its backup restored, a resize, and the policy applied to both.
 */
describe('agent ops: hub actions (instance.replace, instance.resize)', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({
    bootMs: 200,
    actionMs: 100,
    onBoot: sim.boot,
    onDelete: (s) => sim.halt(s.id),
  });
  let hub: TestHub;
  let client: string;
  let token: string;
  const inst: string[] = [];

  const deploy = async () => {
    const r = await hub.api<{ id: string; instanceId: string }>('POST', `/clients/${client}/deployments`, {
      location: 'fsn1',
      serverType: 'cx22',
    });
    expect(r.status).toBe(202);
    await until(
      async () => {
        const d = (await hub.api<{ status: string; error: unknown }>('GET', `/deployments/${r.body.id}`)).body;
        if (d.status === 'failed')
          throw new Error(`deploy failed: ${JSON.stringify(d.error)} ${sim.errors.join('; ')}`);
        return d.status === 'live';
      },
      120_000,
      'deployment live',
    );
    return r.body.instanceId;
  };
  const host = async (id: string) => (await hub.api<Host>('GET', `/instances/${id}/server`)).body;
  const propose = (body: Record<string, unknown>) => hub.api<Proposal>('POST', '/agent-proposals', body, token);
  const plan = (instanceId: string, type: string, params: Record<string, unknown>) => ({
    title: `${type} on ${instanceId}`,
    commands: [{ instanceId, type, params }],
    expectedEffect: 'the instance runs again',
    risk: 'high',
    reasoning: 'the server is gone',
  });
  const settled = (id: string) =>
    until(
      async () => {
        const p = (await hub.api<Proposal>('GET', `/agent-proposals/${id}`)).body;
        return ['succeeded', 'failed'].includes(p.status) ? p : null;
      },
      180_000,
      `proposal ${id} settled`,
    );
  const booted = (serverId: number | null) => [...sim.booted.values()].find((b) => b.server.id === serverId);

  beforeAll(async () => {
    await Promise.all([hetzner.start(), tailscale.start()]);
    hub = await startTestHub({
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 100,
    });
    client = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Acme', industry: 'retail', plan: 'starter' }))
      .body.id;
    inst.push(...(await Promise.all([deploy(), deploy()])));
    token = await mintAgent(hub, 'orchestrator');
  }, 240_000);
  afterAll(async () => {
    await sim.dispose();
    await hub?.close();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
  });

  it('replaces a dead server: new server in its location, latest backup restored, same instance, dead one deleted', async () => {
    const id = inst[0];
    const first = await host(id);
    const old = booted(first.serverId);
    expect(old).toBeDefined();
    mkdirSync(path.join(old!.openclawDir, 'workspace'), { recursive: true });
    writeFileSync(path.join(old!.openclawDir, 'workspace/SOUL.md'), 'You are Acme’s shop assistant.');
    const bak = await hub.api<{ id: string }>('POST', `/instances/${id}/backups`);
    expect(bak.status).toBe(202);
    await until(
      async () => (await hub.api<{ status: string }>('GET', `/backups/${bak.body.id}`)).body.status === 'ready',
      60_000,
      'backup ready',
    );

    // A replacement of a live instance is refused: only a dead server is replaced.
    const live = await propose(plan(id, 'instance.replace', {}));
    expect(live.status).toBe(409);
    expect(live.body.error?.code).toBe('HUB_ERR_CONFLICT');

    // The server dies (its sidecar stops; the server still exists at the provider).
    await sim.halt(first.serverId as number);
    await until(() => hub.ctx.fleet.get(id)?.presence === 'offline', 60_000, 'instance offline');
    const probed = await hub.api<{ providerStatus: string }>('GET', `/instances/${id}/server?probe=true`);
    expect(probed.body.providerStatus).toBe('running');

    const p = await propose(plan(id, 'instance.replace', {}));
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect(p.body.status).toBe('pending'); // approve by policy
    expect(p.body.commands[0].preview).toMatchObject({
      fromServerType: 'cx22',
      toServerType: 'cx22',
      toLocation: 'fsn1',
      backupId: bak.body.id,
      oldServerId: first.serverId,
      monthlyDelta: 0,
    });
    const approved = await hub.api<Proposal>('POST', `/agent-proposals/${p.body.id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.outcomes[0]).toMatchObject({ type: 'instance.replace', status: 'running' });
    const done = await settled(p.body.id);
    expect(done.status, JSON.stringify(done.outcomes)).toBe('succeeded');
    expect(done.outcomes[0]).toMatchObject({
      backupId: bak.body.id,
      deploymentId: approved.body.outcomes[0].deploymentId,
    });

    const now = await host(id);
    expect(now.serverId).not.toBe(first.serverId);
    expect(now).toMatchObject({ location: 'fsn1', serverType: 'cx22', state: 'running' });
    expect(hub.ctx.fleet.get(id)?.presence).toBe('online');
    expect(hetzner.servers.has(first.serverId as number)).toBe(false);
    expect(hetzner.serversMatching(`deepsignal/instance=${id}`).map((s) => s.id)).toEqual([now.serverId]);
    expect([...tailscale.devices.values()].some((d) => d.hostname === first.serverName)).toBe(false);
    const fresh = booted(now.serverId);
    const soul = path.join(fresh!.openclawDir, 'workspace/SOUL.md');
    expect(existsSync(soul)).toBe(true);
    expect(readFileSync(soul, 'utf8')).toBe('You are Acme’s shop assistant.');
    // The new server's sidecar has a new secret: the dead server's can no longer log in.
    expect(fresh!.sidecarJson.secret).not.toBe(old!.sidecarJson.secret);
    const audit = await hub.api<{ action: string; detail: { reason?: string } }[]>('GET', `/audit?target=${p.body.id}`);
    expect(
      audit.body.some((a) => a.action === 'agent.proposal.execute' && a.detail.reason === 'the server is gone'),
    ).toBe(true);
  }, 300_000);

  it('resizes with the price difference, only inside the maintenance window', async () => {
    const id = inst[1];
    const before = await host(id);
    const p = await propose({ ...plan(id, 'instance.resize', { serverType: 'cx32' }), reasoning: 'memory above 90 %' });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect(p.body.commands[0].preview).toMatchObject({
      fromServerType: 'cx22',
      toServerType: 'cx32',
      monthlyDelta: 3.58,
    });
    // Outside any window: approved but refused by the window rule, shown on the proposal.
    const refused = await hub.api<Proposal & { error: { code: string } }>(
      'POST',
      `/agent-proposals/${p.body.id}/approve`,
      {},
    );
    expect(refused.body.error?.code).toBe('HUB_ERR_POLICY_MAINTENANCE_WINDOW');
    expect(hetzner.servers.get(before.serverId as number)?.serverType).toBe('cx22');

    const start = new Date(Date.now() - 5 * 60_000);
    const w = await hub.api('POST', '/maintenance-windows', {
      clientId: client,
      name: 'now',
      timeZone: 'UTC',
      startDate: start.toISOString().slice(0, 10),
      startTime: start.toISOString().slice(11, 16),
      durationMin: 120,
      days: [0, 1, 2, 3, 4, 5, 6],
    });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    const ex = await hub.api<Proposal>('POST', `/agent-proposals/${p.body.id}/execute`, {});
    expect(ex.status, JSON.stringify(ex.body)).toBe(200);
    const done = await settled(p.body.id);
    expect(done.status, JSON.stringify(done.outcomes)).toBe('succeeded');
    expect(hetzner.servers.get(before.serverId as number)?.serverType).toBe('cx32');
    expect((await host(id)).serverType).toBe('cx32');
  }, 240_000);

  it('applies never, bad params and the blast radius to hub actions', async () => {
    const bad = await propose(plan(inst[1], 'instance.resize', { serverType: 'cx32', extra: 1 }));
    expect(bad.status).toBe(400);
    const unknown = await propose(plan(inst[1], 'instance.resize', { serverType: 'cx999' }));
    expect(unknown.status).toBe(400);
    const same = await propose(plan(inst[1], 'instance.resize', { serverType: 'cx32' }));
    expect(same.status).toBe(409);

    const set = (body: Record<string, unknown>) =>
      hub.api('PUT', '/ops-agents/orchestrator/policy', body).then((r) => expect(r.status).toBe(200));
    await set({ actions: { 'openclaw.restart': 'auto', 'instance.resize': 'never', '*': 'approve' } });
    const never = await propose(plan(inst[1], 'instance.resize', { serverType: 'cx42' }));
    expect(never.status).toBe(403);
    expect(never.body.error?.code).toBe('HUB_ERR_POLICY_NEVER');

    // Two instances were acted on this hour (the replace and the resize): past a limit of 1.
    await set({ actions: { 'instance.resize': 'approve' }, maxInstancesPerHour: 1 });
    const p = await propose(plan(inst[1], 'instance.resize', { serverType: 'cx42' }));
    expect(p.status).toBe(201);
    const r = await hub.api<{ error: { code: string } }>('POST', `/agent-proposals/${p.body.id}/approve`, {});
    expect(r.body.error?.code).toBe('HUB_ERR_POLICY_BLAST_RADIUS');
  }, 120_000);
});
