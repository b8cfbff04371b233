import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCloudSettings } from '../src/testing/cloud-settings.js';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { FakeTailscale } from '../src/testing/tailscale-fake.js';
import { VpsSimulator } from '../src/testing/vps-sim.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from './helpers/pg.js';
import { reachable } from './helpers/reachable.js';
import { until } from './helpers/sidecar-proc.js';

const BROKER = process.env.DS_TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';
const ready = (await reachable(BROKER, 1883)) && (await pgAvailable());

interface Deployment {
  id: string;
  instanceId: string;
  status: string;
  steps: { name: string; status: string; detail: string | null }[];
  error: unknown;
}

interface ServerView {
  serverId: number | null;
  state: string;
  operation: { kind: string; status: string; error: string | null } | null;
}

/**
 * Deployments with two hubs on one database and one broker: a deployment runs on exactly one hub
 * (the holder of its lease), a cancel made through the other hub stops it where it runs, and when
 * the hub running it stops, or loses its lease, the other takes it over where it was: one server,
 * and the agent turns live. A server change its hub did not finish is put right by the other.
 */
describe.skipIf(!ready)('deploy: several hubs', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  // Creating a server answers slowly, so a deployment is caught in the middle of its work.
  let createDelayMs = 0;
  const hetzner = new FakeHetzner({
    bootMs: 300,
    actionMs: 100,
    onBoot: sim.boot,
    answerDelayMs: (m, p) => (m === 'POST' && p === '/v1/servers' ? createDelayMs : 0),
  });
  const schema = uniqueSchema('deployhubs');
  let survivor: TestHub;
  let runner: TestHub | null = null;
  let client: string;

  const settings = () => ({
    databaseUrl: PG_URL,
    dbSchema: schema,
    mqttUrl: BROKER,
    shareGroup: `t${randomBytes(5).toString('hex')}`,
    masterKey: `k1:${randomBytes(32).toString('base64')}`,
    ...fakeCloudSettings(hetzner, tailscale),
    deployPollMs: 100,
    deployConnectTimeoutSec: 120,
  });
  let common: ReturnType<typeof settings>;

  const deployment = async (hub: TestHub, id: string) => (await hub.api<Deployment>('GET', `/deployments/${id}`)).body;
  const leaseOf = async (id: string) =>
    (
      await survivor.db.query<{ holder: string }>(
        'SELECT holder FROM hub_leases WHERE name = $1 AND expires_at > now()',
        [`deployment:${id}`],
      )
    )[0]?.holder ?? null;
  /** A deployment started through `runner`, caught while Hetzner is still answering its create. */
  const startCaught = async () => {
    createDelayMs = 4000;
    const r = await (runner as TestHub).api<Deployment>('POST', `/clients/${client}/deployments`, {
      location: 'fsn1',
      serverType: 'cx22',
    });
    expect(r.status).toBe(202);
    await until(
      () => hetzner.serversMatching(`deepsignal/deployment=${r.body.id}`).length === 1,
      60_000,
      'server created',
    );
    createDelayMs = 0;
    return r.body.id;
  };
  const live = (hub: TestHub, id: string) =>
    until(
      async () => {
        const d = await deployment(hub, id);
        if (d.status === 'failed') throw new Error(`failed: ${JSON.stringify(d.error)} ${sim.errors.join('; ')}`);
        return d.status === 'live' ? d : null;
      },
      120_000,
      'deployment live',
    );

  beforeAll(async () => {
    await Promise.all([hetzner.start(), tailscale.start()]);
    common = settings();
    // The survivor starts first: it holds the fleet-wide jobs' lease and so sweeps for orphans.
    survivor = await startTestHub(common);
    // Behind one address: servers fetch the sidecar from the survivor whichever hub deploys them.
    runner = await startTestHub({ ...common, publicUrl: survivor.httpUrl });
    client = (await survivor.api<{ id: string }>('POST', '/clients', { name: 'Acme', industry: 'x', plan: 'starter' }))
      .body.id;
  }, 180_000);
  afterAll(async () => {
    await sim.dispose();
    await runner?.close();
    await survivor?.close();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
    if (ready) await dropSchema(schema).catch(() => {});
  });

  it('runs where it was started, and a cancel through the other hub stops it there', async () => {
    const id = await startCaught();
    expect(await leaseOf(id)).not.toBeNull();
    const runnerHolder = await leaseOf(id);
    // The survivor's sweep leaves it alone: the lease is the runner's.
    expect((await survivor.api<Deployment>('POST', `/deployments/${id}/cancel`)).status).toBe(200);
    const d = await until(
      async () => {
        const x = await deployment(survivor, id);
        return x.status === 'canceled' ? x : null;
      },
      60_000,
      'canceled through the other hub',
    );
    expect(d.steps.find((s) => s.name === 'create_server')?.status).not.toBe('done');
    // Hetzner deletes the server with an action of its own, a moment after it answers.
    await until(() => hetzner.serversMatching(`deepsignal/deployment=${id}`).length === 0, 30_000, 'server deleted');
    expect(hetzner.log.filter((l) => l === 'POST /v1/servers')).toHaveLength(1);
    expect(runnerHolder).toContain(runner?.config.dataDir ?? '?');
    expect(await leaseOf(id)).toBeNull();
  }, 120_000);

  it('goes on through the other hub when the hub running it loses its lease, with one server', async () => {
    const before = hetzner.log.filter((l) => l === 'POST /v1/servers').length;
    const id = await startCaught();
    // The runner is cut off from the database long enough for its lease to run out (made to run
    // out now rather than in 15 s): the survivor's sweep takes the deployment over, and the runner,
    // failing to renew and then to save, stops its job without cleaning up.
    const db = (runner as TestHub).db;
    const query = db.query;
    db.query = (async () => {
      throw new Error('Connection terminated unexpectedly');
    }) as typeof query;
    try {
      await survivor.db.query("UPDATE hub_leases SET expires_at = now() - interval '1 second' WHERE name = $1", [
        `deployment:${id}`,
      ]);
      // Live while the runner cannot write a thing: the survivor did it.
      await live(survivor, id);
    } finally {
      db.query = query;
    }
    let stopped = false;
    void runner?.ctx.deployments?.settled(id).then(() => {
      stopped = true;
    });
    await until(() => stopped, 30_000, 'the runner stopped its job');
    const d = await live(survivor, id);
    expect(d.steps.find((s) => s.name === 'create_server')?.detail).toMatch(/already made for this deployment/);
    expect(hetzner.log.filter((l) => l === 'POST /v1/servers').length - before).toBe(1);
    expect(hetzner.serversMatching(`deepsignal/deployment=${id}`)).toHaveLength(1);
    // Two changes of its server asked through the two hubs at once: one starts, one is refused.
    const inst = (await survivor.api<{ instanceId: string }>('GET', `/deployments/${id}`)).body.instanceId;
    const asked = await Promise.all(
      [runner, survivor].map((h) =>
        (h as TestHub).api('POST', `/instances/${inst}/server/resize`, { serverType: 'cx32' }),
      ),
    );
    expect(asked.map((r) => r.status).sort()).toEqual([202, 409]);
  }, 180_000);

  it('goes on through the other hub when the hub running it stops', async () => {
    const before = hetzner.log.filter((l) => l === 'POST /v1/servers').length;
    const id = await startCaught();
    await runner?.close();
    runner = null;
    const d = await live(survivor, id);
    expect(d.steps.every((s) => s.status === 'done' || s.status === 'skipped')).toBe(true);
    expect(hetzner.log.filter((l) => l === 'POST /v1/servers').length - before).toBe(1);
    expect(hetzner.serversMatching(`deepsignal/deployment=${id}`)).toHaveLength(1);

    // A resize whose hub died in the middle, as it leaves things: the server powered off, its state
    // `resizing`, and no hub holding the change. The survivor's sweep puts it right.
    const server = () => survivor.api<ServerView>('GET', `/instances/${d.instanceId}/server`);
    const serverId = (await server()).body.serverId;
    const hz = survivor.ctx.deployments?.hetzner;
    if (!hz || serverId === null) throw new Error('no server to resize');
    await hz.waitForAction((await hz.serverAction(serverId, 'poweroff')).action);
    await survivor.db.query('UPDATE instance_hosts SET state = $2, operation = $3 WHERE instance_id = $1', [
      d.instanceId,
      'resizing',
      JSON.stringify({ kind: 'resize', status: 'running', error: null, at: new Date().toISOString() }),
    ]);
    const fixed = await until(
      async () => {
        const h = (await server()).body;
        return h.state === 'running' && h.operation?.status === 'failed' ? h : null;
      },
      60_000,
      'the interrupted resize put right',
    );
    expect(fixed.operation?.error).toMatch(/^interrupted: .*the server is running as cx22/);
    expect(hetzner.servers.get(serverId)?.status).toBe('running');
  }, 180_000);
});
