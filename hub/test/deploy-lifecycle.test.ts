import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../src/testing/cloud-settings.js';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { FakeTailscale } from '../src/testing/tailscale-fake.js';
import { VpsSimulator } from '../src/testing/vps-sim.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';

interface Host {
  serverId: number | null;
  serverType: string;
  location: string;
  state: string;
  monthlyPrice: number | null;
  snapshotId: number | null;
  operation: { kind: string; status: string; error: string | null } | null;
}

/** After the deploy: resize, pause with a snapshot, resume from it, move, release. */
describe('deploy: the instance’s life after it', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({
    bootMs: 300,
    actionMs: 100,
    snapshotMs: 400,
    onBoot: sim.boot,
    onDelete: (s) => sim.halt(s.id),
  });
  let hub: TestHub;
  let client: string;

  beforeAll(async () => {
    await Promise.all([hetzner.start(), tailscale.start()]);
    hub = await startTestHub({
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 100,
    });
    client = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Acme', industry: 'retail', plan: 'starter' }))
      .body.id;
  }, 180_000);
  afterAll(async () => {
    await sim.dispose();
    await hub?.close();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
  });

  const live = (id: string) =>
    until(
      async () => {
        const d = (await hub.api<{ status: string; error: unknown }>('GET', `/deployments/${id}`)).body;
        if (d.status === 'failed') throw new Error(`failed: ${JSON.stringify(d.error)} ${sim.errors.join('; ')}`);
        return d.status === 'live' ? d : null;
      },
      120_000,
      'deployment live',
    );
  const host = async (inst: string) => (await hub.api<Host>('GET', `/instances/${inst}/server`)).body;
  const settle = (inst: string, pred: (h: Host) => boolean, what: string) =>
    until(
      async () => {
        const h = await host(inst);
        if (h.operation?.status === 'failed') throw new Error(`${what}: ${h.operation.error}`);
        return pred(h) ? h : null;
      },
      120_000,
      what,
    );

  it('resizes, pauses to a snapshot, resumes, moves and releases', async () => {
    const r = await hub.api<{ id: string; instanceId: string }>('POST', `/clients/${client}/deployments`, {
      location: 'fsn1',
      serverType: 'cx22',
    });
    await live(r.body.id);
    const inst = r.body.instanceId;
    const first = await host(inst);

    expect((await hub.api('POST', `/instances/${inst}/server/resize`, { serverType: 'cx32' })).status).toBe(202);
    const resized = await settle(inst, (h) => h.state === 'running' && h.serverType === 'cx32', 'resized');
    expect(resized.monthlyPrice).toBeCloseTo(8.09);
    expect(hetzner.servers.get(first.serverId as number)?.serverType).toBe('cx32');

    expect((await hub.api('POST', `/instances/${inst}/server/pause`)).status).toBe(202);
    const paused = await settle(inst, (h) => h.state === 'paused', 'paused');
    expect(paused.serverId).toBeNull();
    expect(hetzner.images.get(paused.snapshotId as number)?.type).toBe('snapshot');
    expect(hetzner.serversMatching(`deepsignal/instance=${inst}`)).toHaveLength(0);
    expect([...tailscale.devices.values()].filter((d) => d.hostname === `ds-${inst}`)).toHaveLength(0);

    const res = await hub.api<{ deploymentId: string }>('POST', `/instances/${inst}/server/resume`, {});
    expect(res.status).toBe(202);
    await live(res.body.deploymentId);
    const resumed = await host(inst);
    expect(resumed.state).toBe('running');
    expect(resumed.serverId).not.toBe(first.serverId);
    expect(hetzner.servers.get(resumed.serverId as number)?.image).toBe(paused.snapshotId);
    expect(hetzner.images.has(paused.snapshotId as number)).toBe(false);

    expect((await hub.api('POST', `/instances/${inst}/server/move`, { location: 'nbg1' })).status).toBe(202);
    const moved = await settle(inst, (h) => h.state === 'running' && h.location === 'nbg1', 'moved');
    expect(hetzner.serversMatching(`deepsignal/instance=${inst}`).map((s) => s.location)).toEqual(['nbg1']);
    expect(moved.serverId).not.toBe(resumed.serverId);

    const rel = await hub.api('DELETE', `/instances/${inst}`);
    expect(rel.status, JSON.stringify(rel.body)).toBe(200);
    await until(() => hetzner.servers.size === 0, 10_000, 'released');
  }, 300_000);
});
