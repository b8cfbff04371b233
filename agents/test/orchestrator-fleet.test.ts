import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../../hub/src/testing/cloud-settings.js';
import { FakeHetzner } from '../../hub/src/testing/hetzner-fake.js';
import { FakeTailscale } from '../../hub/src/testing/tailscale-fake.js';
import { VpsSimulator } from '../../hub/src/testing/vps-sim.js';
import { HubClient } from '../src/hub-client.js';
import type { ProposalView } from '../src/hub-types.js';
import { runPass } from '../src/orchestrator/pass.js';
import { DEFAULT_POLICY, type OrchestratorPolicy } from '../src/orchestrator/policy.js';
import { DownSinceStore } from '../src/orchestrator/state.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

type Sidecar = Awaited<ReturnType<typeof simulatedSidecar>>;

/**
 * The orchestrator's rules beyond restarts against a real hub with deployments (the Hetzner and
 * Tailscale fakes; servers booted by the simulator): failover of a dead server, resizes for
 * sustained pressure and idleness, and an update held for the client's maintenance window.
 */
describe('orchestrator: failover, scaling and updates', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({ bootMs: 200, actionMs: 100, onBoot: sim.boot, onDelete: (s) => sim.halt(s.id) });
  let t: AgentTestHub;
  let hub: HubClient;
  let client: string;
  const sides: Sidecar[] = [];
  const pinned = '2026.9.6';

  const waitLive = (id: string) =>
    until(
      async () => {
        const d = (await t.api<{ status: string; error: unknown }>('GET', `/deployments/${id}`)).body;
        if (d.status === 'failed')
          throw new Error(`deploy failed: ${JSON.stringify(d.error)} ${sim.errors.join('; ')}`);
        return d.status === 'live';
      },
      'deployment live',
      120_000,
    );
  const deploy = async (serverType: string) => {
    const r = await t.api<{ id: string; instanceId: string }>('POST', `/clients/${client}/deployments`, {
      location: 'fsn1',
      serverType,
    });
    expect(r.status).toBe(202);
    return r.body;
  };
  /** A deployed server whose sidecar is ours: its metrics are what the test says. */
  const deployControlled = async (serverType: string) => {
    sim.noSidecarAll = true;
    const r = await deploy(serverType);
    let secret = '';
    await until(
      async () => {
        const b = [...sim.booted.values()].find((x) => x.sidecarJson.instanceId === r.instanceId);
        secret = b?.sidecarJson.secret ?? '';
        return !!secret;
      },
      'server booted',
      60_000,
    );
    const side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, r.instanceId, secret);
    sides.push(side);
    await side.status('online');
    await waitLive(r.id);
    return { id: r.instanceId, side };
  };
  const policy = (p: Partial<OrchestratorPolicy> = {}): OrchestratorPolicy => ({
    ...DEFAULT_POLICY,
    waitSec: 0,
    pressureWindowSec: 600,
    idleWindowSec: 600,
    ...p,
  });
  const pass = (p: Partial<OrchestratorPolicy> = {}) =>
    runPass({ hub, policy: policy(p), state: new DownSinceStore() });
  const proposalsFor = async (instanceId: string, type: string) =>
    (await t.api<ProposalView[]>('GET', '/agent-proposals?agent=orchestrator&limit=200')).body.filter((p) =>
      p.commands.some((c) => c.instanceId === instanceId && c.type === type),
    );
  /** Samples every 30 s over the last `sec` seconds, oldest first. */
  const series = (sec: number, at: (k: number, n: number) => { cpu: number; memPct: number }) => {
    const n = Math.floor(sec / 30) + 1;
    const now = Date.now();
    return Array.from({ length: n }, (_, k) => ({ t: now - (n - 1 - k) * 30_000, ...at(k, n) }));
  };

  beforeAll(async () => {
    await Promise.all([hetzner.start(), tailscale.start()]);
    t = await startAgentHub({
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 100,
      deployOpenclawVersion: pinned,
    });
    client = (await t.api<{ id: string }>('POST', '/clients', { name: 'Acme', industry: 'retail', plan: 'starter' }))
      .body.id;
    const token = (await t.api<{ token: string }>('POST', '/ops-agents/orchestrator/token')).body.token;
    hub = new HubClient({ baseUrl: t.hub.httpUrl, token });
  }, 120_000);
  afterAll(async () => {
    for (const s of sides) await s.close().catch(() => {});
    await sim.dispose();
    await t?.close();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
  });

  it('proposes one instance.replace for a server deleted at the provider, not repeated', async () => {
    const d = await deploy('cx22');
    await waitLive(d.id);
    const bak = await t.api<{ id: string }>('POST', `/instances/${d.instanceId}/backups`);
    await until(
      async () => (await t.api<{ status: string }>('GET', `/backups/${bak.body.id}`)).body.status === 'ready',
      'backup ready',
      60_000,
    );
    const server = (await t.api<{ serverId: number }>('GET', `/instances/${d.instanceId}/server`)).body.serverId;
    // Gone behind the hub's back: the provider no longer has it, its sidecar stops.
    await sim.halt(server);
    hetzner.servers.delete(server);
    await until(
      async () => (await hub.listInstances()).find((i) => i.id === d.instanceId)?.status === 'offline',
      'instance offline',
      60_000,
    );

    const r1 = await pass();
    const f1 = r1.findings.find((f) => f.instanceId === d.instanceId && f.kind === 'server_dead');
    expect(f1?.message).toContain('no longer exists');
    expect(f1?.action).toMatchObject({ type: 'instance.replace', decision: 'proposed' });
    const r2 = await pass();
    const f2 = r2.findings.find((f) => f.instanceId === d.instanceId && f.kind === 'server_dead');
    expect(f2?.action?.decision).toBe('in_flight');
    const props = await proposalsFor(d.instanceId, 'instance.replace');
    expect(props).toHaveLength(1);
    expect(props[0]).toMatchObject({ status: 'pending', risk: 'high' });
    expect(props[0].commands[0].preview).toMatchObject({ toLocation: 'fsn1', backupId: bak.body.id });
    // An instance offline for less than the threshold, its server still there: nothing.
    expect(r2.findings.filter((f) => f.kind === 'server_dead')).toHaveLength(1);
  }, 240_000);

  it('sustained memory pressure gets a resize with the price difference; a single spike gets nothing', async () => {
    const hot = await deployControlled('cx22');
    const spiky = await deployControlled('cx22');
    await hot.side.history(series(600, () => ({ cpu: 30, memPct: 95 })));
    await spiky.side.history(series(600, (k, n) => ({ cpu: 30, memPct: k === n - 1 ? 99 : 50 })));
    await until(
      async () => {
        const m = await hub.metrics(spiky.id, { name: 'memory', from: new Date(Date.now() - 700_000).toISOString() });
        return m.points.length > 5;
      },
      'metrics stored',
      30_000,
    );
    const r = await pass();
    const f = r.findings.find((x) => x.instanceId === hot.id && x.kind === 'memory_pressure');
    expect(f?.action).toMatchObject({ type: 'instance.resize', decision: 'proposed' });
    const [p] = await proposalsFor(hot.id, 'instance.resize');
    expect(p.commands[0].params).toEqual({ serverType: 'cx32' });
    expect(p.expectedEffect).toContain('+3.58 EUR/month (4.51 → 8.09)');
    expect(p.commands[0].preview).toMatchObject({ fromServerType: 'cx22', toServerType: 'cx32', monthlyDelta: 3.58 });
    expect(r.findings.filter((x) => x.instanceId === spiky.id && x.kind.endsWith('_pressure'))).toEqual([]);
    expect(await proposalsFor(spiky.id, 'instance.resize')).toEqual([]);
  }, 240_000);

  it('an idle oversized server gets a downsize proposal', async () => {
    const idle = await deployControlled('cx42');
    await idle.side.history(series(600, () => ({ cpu: 2, memPct: 10 })));
    await until(
      async () =>
        (await hub.metrics(idle.id, { name: 'cpu', from: new Date(Date.now() - 700_000).toISOString() })).points
          .length > 5,
      'metrics stored',
      30_000,
    );
    const r = await pass();
    const f = r.findings.find((x) => x.instanceId === idle.id && x.kind === 'idle_oversized');
    expect(f?.action).toMatchObject({ type: 'instance.resize', decision: 'proposed' });
    const [p] = await proposalsFor(idle.id, 'instance.resize');
    expect(p.commands[0].params).toEqual({ serverType: 'cx32' });
    expect(p.expectedEffect).toContain('−11.54 EUR/month (19.63 → 8.09)');
  }, 240_000);

  it('an outdated OpenClaw gets an update the hub holds for the client’s next maintenance window', async () => {
    const inst = (
      await t.api<{ id: string; secret: string }>('POST', '/instances', { clientId: client, hostname: 'vps-old' })
    ).body;
    const side = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, inst.id, inst.secret);
    sides.push(side);
    await side.status('online');
    await side.hello({ sidecarVersion: '0.1.0', openclawVersion: '2026.1.2' });
    await until(async () => (await hub.getInstance(inst.id)).openclawVersion === '2026.1.2', 'versions seen');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const w = await t.api('POST', '/maintenance-windows', {
      clientId: client,
      name: 'night',
      timeZone: 'UTC',
      startDate: tomorrow,
      startTime: '03:00',
      durationMin: 60,
      days: [0, 1, 2, 3, 4, 5, 6],
    });
    expect(w.status, JSON.stringify(w.body)).toBe(201);

    const r = await pass();
    const f = r.findings.find((x) => x.instanceId === inst.id && x.kind === 'openclaw_behind');
    expect(f?.action).toMatchObject({ type: 'openclaw.update', decision: 'proposed' });
    const [p] = await proposalsFor(inst.id, 'openclaw.update');
    expect(p.commands[0].params).toMatchObject({ version: pinned });
    const ok = await t.api<ProposalView>('POST', `/agent-proposals/${p.id}/approve`, {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.status).toBe('executing');
    expect(ok.body.outcomes[0]).toMatchObject({ status: 'scheduled', runAfter: `${tomorrow}T03:00:00.000Z` });
    const held = (
      await t.api<{ id: string; status: string; type: string }[]>('GET', `/scheduled-changes?instanceId=${inst.id}`)
    ).body;
    expect(held).toEqual([
      expect.objectContaining({
        id: ok.body.outcomes[0].scheduledChangeId,
        status: 'scheduled',
        type: 'openclaw.update',
      }),
    ]);
    expect(side.received).toEqual([]); // nothing sent before the window
  }, 120_000);
});
