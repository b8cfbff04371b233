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
  steps: { name: string; status: string; error: string | null }[];
  error: { step: string; code: string; message: string } | null;
  cleanup: Record<string, string> | null;
}

/**
 * Deployments that go wrong: the provider's reason is kept, everything made is removed. Here no
 * server's sidecar ever connects (the connect timeout is 3 s), so every deployment that gets
 * past the provider ends with that reason.
 */
describe('deploy: failure paths', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({ bootMs: 300, actionMs: 100, onBoot: sim.boot });
  let hub: TestHub;
  let client: string;
  sim.noSidecarAll = true;

  const deploy = async (body: Record<string, string>) => {
    const r = await hub.api<{ id: string; instanceId: string }>('POST', `/clients/${client}/deployments`, body);
    expect(r.status).toBe(202);
    return r.body;
  };
  const ended = (id: string) =>
    until(
      async () => {
        const d = (await hub.api<Deployment>('GET', `/deployments/${id}`)).body;
        return ['failed', 'canceled', 'live'].includes(d.status) ? d : null;
      },
      90_000,
      'deployment ended',
    );
  const createdFor = (id: string) => hetzner.log.filter((l) => l === 'POST /v1/servers').length - (before.get(id) ?? 0);
  const before = new Map<string, number>();

  beforeAll(async () => {
    await Promise.all([hetzner.start(), tailscale.start()]);
    hub = await startTestHub({
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 100,
      deployConnectTimeoutSec: 3,
    });
    client = (await hub.api<{ id: string }>('POST', '/clients', { name: 'Acme', industry: 'retail', plan: 'starter' }))
      .body.id;
  }, 180_000);
  afterAll(async () => {
    await sim.dispose();
    await hub?.close();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
  });

  it('an unavailable server type fails in Hetzner’s words and leaves nothing behind', async () => {
    hetzner.unavailable.add('cx32@nbg1');
    const r = await deploy({ location: 'nbg1', serverType: 'cx32' });
    const d = await ended(r.id);
    expect(d.status).toBe('failed');
    expect(d.error).toEqual({
      step: 'create_server',
      code: 'resource_unavailable',
      message: 'Hetzner: server type cx32 is unavailable in nbg1 (resource_unavailable)',
    });
    expect(d.steps.find((s) => s.name === 'create_server')?.status).toBe('failed');
    expect(d.cleanup).toMatchObject({ server: 'none was made', tailnetKey: 'revoked', instance: 'record removed' });
    expect(hetzner.serversMatching(`deepsignal/deployment=${r.id}`)).toHaveLength(0);
    expect([...tailscale.keys.values()].filter((k) => k.description.includes(r.instanceId) && !k.revoked)).toHaveLength(
      0,
    );
    expect((await hub.api('GET', `/instances/${r.instanceId}`)).status).toBe(404);
  }, 120_000);

  it('a sidecar that never connects fails with that reason; server, device and record are removed', async () => {
    const r = await deploy({ location: 'fsn1', serverType: 'cx22' });
    const d = await ended(r.id);
    expect(d.status).toBe('failed');
    expect(d.error?.code).toBe('sidecar_timeout');
    expect(d.error?.message).toBe(`the sidecar on ds-${r.instanceId} did not connect to the hub within 3 s`);
    expect(d.steps.filter((s) => s.status === 'done').map((s) => s.name)).toEqual([
      'reserve',
      'create_server',
      'boot',
      'join_tailnet',
    ]);
    expect(d.cleanup?.server).toMatch(/^deleted \d+$/);
    expect(d.cleanup?.tailnetDevice).toMatch(/^deleted /);
    await until(() => hetzner.serversMatching(`deepsignal/deployment=${r.id}`).length === 0, 10_000, 'server deleted');
    expect([...tailscale.devices.values()].filter((x) => x.hostname === `ds-${r.instanceId}`)).toHaveLength(0);
    expect((await hub.api('GET', `/instances/${r.instanceId}`)).status).toBe(404);
  }, 120_000);

  it('429s from Hetzner are waited out: one server, the deployment goes on', async () => {
    hetzner.fail({
      method: 'POST',
      path: /^\/v1\/servers$/,
      status: 429,
      code: 'rate_limit_exceeded',
      message: 'limit reached',
      times: 2,
    });
    hetzner.fail({
      method: 'GET',
      path: /^\/v1\/actions\/\d+$/,
      status: 429,
      code: 'rate_limit_exceeded',
      message: 'limit reached',
      times: 3,
    });
    const n = hetzner.log.filter((l) => l === 'POST /v1/servers').length;
    const r = await deploy({ location: 'fsn1', serverType: 'cx22' });
    before.set(r.id, n);
    const d = await ended(r.id);
    // It got past the provider; only the missing sidecar stopped it.
    expect(d.error?.step).toBe('sidecar_connected');
    expect(d.steps.find((s) => s.name === 'boot')?.status).toBe('done');
    expect(createdFor(r.id)).toBe(3); // two 429s, then the create
    expect(hetzner.log.filter((l) => l.startsWith('DELETE /v1/servers/')).length).toBeGreaterThan(0);
  }, 120_000);

  it('the Hetzner API down mid-deploy: the deployment waits for it and makes no second server', async () => {
    const n = hetzner.log.filter((l) => l === 'POST /v1/servers').length;
    const r = await deploy({ location: 'hel1', serverType: 'cx22' });
    before.set(r.id, n);
    await until(() => hetzner.serversMatching(`deepsignal/deployment=${r.id}`).length === 1, 60_000, 'server created');
    hetzner.setDown(true);
    const atDown = hetzner.log.length;
    await until(() => hetzner.log.length >= atDown + 3, 60_000, 'requests while down');
    hetzner.setDown(false);
    const d = await ended(r.id);
    expect(d.error?.step).toBe('sidecar_connected');
    expect(d.steps.find((s) => s.name === 'boot')?.status).toBe('done');
    expect(createdFor(r.id)).toBe(1);
  }, 120_000);
});
