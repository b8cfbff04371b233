import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../src/testing/cloud-settings.js';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { FakeTailscale } from '../src/testing/tailscale-fake.js';
import { VpsSimulator } from '../src/testing/vps-sim.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';

interface Deployment {
  id: string;
  instanceId: string;
  status: string;
  steps: { name: string; status: string; startedAt: string | null; endedAt: string | null; error: string | null }[];
  server: {
    provider: string;
    id: number | null;
    serverType: string;
    location: string;
    ipv4: string | null;
    tailnetIp: string | null;
  };
  error: { step: string; code: string; message: string } | null;
  cleanup: Record<string, string> | null;
}

/**
 * One-click deploy end to end against the local Hetzner and Tailscale APIs: the server "boots"
 * its user data (VpsSimulator), a real sidecar runs from exactly the sidecar.json it writes and
 * the bundle the hub serves, the deployment turns live, and release deletes the server and the
 * tailnet device.
 */
describe('deploy: from POST to a live agent and back', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({ bootMs: 300, actionMs: 100, onBoot: sim.boot });
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

  it('shows server types with prices and locations with their country', async () => {
    const c = await hub.api<{
      locations: { name: string; country: string }[];
      serverTypes: { name: string; monthlyPrice: Record<string, number> }[];
    }>('GET', '/deploy/catalogue');
    expect(c.status).toBe(200);
    expect(c.body.locations.find((l) => l.name === 'hel1')?.country).toBe('FI');
    expect(c.body.serverTypes.find((t) => t.name === 'cx22')?.monthlyPrice.fsn1).toBeCloseTo(4.51);
  });

  it('deploys, goes live, shows the server on the instance, and releases it', async () => {
    const r = await hub.api<{ id: string; instanceId: string; status: string }>(
      'POST',
      `/clients/${client}/deployments`,
      {
        location: 'fsn1',
        serverType: 'cx22',
      },
    );
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('queued');
    const d = await until(
      async () => {
        const x = (await hub.api<Deployment>('GET', `/deployments/${r.body.id}`)).body;
        if (x.status === 'failed') throw new Error(`failed: ${JSON.stringify(x.error)} ${sim.errors.join('; ')}`);
        return x.status === 'live' ? x : null;
      },
      90_000,
      'deployment live',
    ).catch((e) => {
      throw new Error(`${e.message}; sidecar: ${[...sim.booted.values()].map((b) => b.stderr()).join('\n')}`);
    });
    expect(d.steps.map((s) => [s.name, s.status])).toEqual([
      ['reserve', 'done'],
      ['create_server', 'done'],
      ['boot', 'done'],
      ['join_tailnet', 'done'],
      ['sidecar_connected', 'done'],
      ['configured', 'done'],
      ['live', 'done'],
    ]);
    for (const s of d.steps) expect(s.endedAt && s.startedAt && s.endedAt >= s.startedAt).toBeTruthy();
    // Exactly one server, labelled with the deployment, behind the Tailscale-only firewall.
    const servers = hetzner.serversMatching(`deepsignal/deployment=${r.body.id}`);
    expect(servers).toHaveLength(1);
    const fw = [...hetzner.firewalls.values()].find((f) => servers[0].firewalls.includes(f.id));
    expect(fw?.rules).toEqual([expect.objectContaining({ direction: 'in', protocol: 'udp', port: '41641' })]);
    // The sidecar ran from exactly what the user data wrote.
    const booted = sim.booted.get(servers[0].id);
    expect(booted?.sidecarJsonMode).toBe(0o600);
    expect(booted?.sidecarJson.instanceId).toBe(r.body.instanceId);
    expect(booted?.sidecarJson.hubKey).toBe(hub.hubPublicKey);
    // The single-use key was spent and revoked; the device carries the tag.
    const key = [...tailscale.keys.values()].find((k) => k.description.includes(r.body.instanceId));
    expect([key?.reusable, key?.preauthorized, key?.used, key?.revoked, key?.tags]).toEqual([
      false,
      true,
      true,
      true,
      ['tag:deepsignal-client'],
    ]);
    const host = await hub.api<Record<string, unknown>>('GET', `/instances/${r.body.instanceId}/server`);
    expect(host.body).toMatchObject({
      provider: 'hetzner',
      serverId: servers[0].id,
      serverType: 'cx22',
      location: 'fsn1',
      country: 'DE',
      ipv4: servers[0].ipv4,
      monthlyPrice: 4.51,
      state: 'running',
    });
    expect(String(host.body.tailnetIp)).toMatch(/^100\./);
    // Connected (here without an OpenClaw gateway beside it, so the sidecar reports it as an error).
    expect(['online', 'error']).toContain(
      (await hub.api<{ status: string }>('GET', `/instances/${r.body.instanceId}`)).body.status,
    );

    const rel = await hub.api<{ released: Record<string, string> }>('DELETE', `/instances/${r.body.instanceId}`);
    expect(rel.status).toBe(200);
    await sim.halt(servers[0].id);
    await until(() => hetzner.servers.size === 0, 10_000, 'server deleted at Hetzner');
    expect(tailscale.devices.size).toBe(0);
    expect((await hub.api('GET', `/instances/${r.body.instanceId}`)).status).toBe(404);
  }, 120_000);
});
