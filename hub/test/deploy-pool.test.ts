import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';
import { parseWarmPool } from '../src/deploy/pool.js';
import { fakeCloudSettings } from '../src/testing/cloud-settings.js';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { FakeTailscale } from '../src/testing/tailscale-fake.js';
import { VpsSimulator } from '../src/testing/vps-sim.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { dropSchema, PG_URL, uniqueSchema } from './helpers/pg.js';
import { until } from './helpers/sidecar-proc.js';

interface PoolView {
  image: string;
  serverType: string;
  available: boolean;
  locations: {
    location: string;
    wanted: number;
    ready: number;
    monthlyCost: number;
    servers: { id: string; state: string; serverId: number | null; image: string; monthlyPrice: number | null }[];
  }[];
}
interface Deployment {
  id: string;
  instanceId: string;
  status: string;
  steps: { name: string; status: string; detail: string | null }[];
  server: { id: number | null; location: string; serverType: string };
  error: unknown;
}

/**
 * The warm pool against the local Hetzner and Tailscale APIs: it fills to the wanted number per
 * location with booted, joined servers whose sidecars wait to be given their instance; a deploy
 * takes one and is live without creating a server; the pool refills; a restarted hub on the
 * same database keeps the pool (no second server for a slot); a new snapshot replaces them all.
 */
describe('deploy: the warm pool', () => {
  const tailscale = new FakeTailscale({ tailnet: 'example.com' });
  const sim = new VpsSimulator(tailscale);
  const hetzner = new FakeHetzner({
    bootMs: 300,
    actionMs: 100,
    onBoot: sim.boot,
    onDelete: (s) => sim.halt(s.id),
  });
  const schema = uniqueSchema('warmpool');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warm-pool-'));
  let hub: TestHub | null = null;
  let client = '';

  const start = async (extra: Record<string, string> = {}) => {
    await hub?.close();
    hub = await startTestHub({
      databaseUrl: PG_URL,
      dbSchema: schema,
      dataDir,
      ...fakeCloudSettings(hetzner, tailscale),
      deployPollMs: 100,
      warmPool: 'fsn1:2,nbg1:1',
      ...extra,
    });
    return hub;
  };
  const pool = async () => (await (hub as TestHub).api<PoolView>('GET', '/deploy/pool')).body;
  const poolServers = () => hetzner.serversMatching('deepsignal/role=warm-pool');
  const full = async (image?: string) => {
    const v = await pool();
    const at = (l: string) => v.locations.find((x) => x.location === l);
    const ok =
      at('fsn1')?.ready === 2 &&
      at('nbg1')?.ready === 1 &&
      v.locations.every((l) => l.servers.every((s) => s.state === 'ready' && (!image || s.image === image))) &&
      poolServers().length === 3;
    return ok ? v : null;
  };
  const live = (id: string) =>
    until(
      async () => {
        const x = (await (hub as TestHub).api<Deployment>('GET', `/deployments/${id}`)).body;
        if (x.status === 'failed') throw new Error(`failed: ${JSON.stringify(x.error)} ${sim.errors.join('; ')}`);
        return x.status === 'live' ? x : null;
      },
      60_000,
      'deployment live',
    );

  beforeAll(async () => {
    await Promise.all([hetzner.start(), tailscale.start()]);
    const h = await start();
    client = (await h.api<{ id: string }>('POST', '/clients', { name: 'Acme', industry: 'retail', plan: 'starter' }))
      .body.id;
  }, 180_000);
  afterAll(async () => {
    await hub?.close();
    await sim.dispose();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
    await dropSchema(schema).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fills to the wanted number per location with booted, joined servers and shows their cost', async () => {
    const v = await until(() => full(), 60_000, 'pool full');
    expect(v.serverType).toBe('cx22');
    const fsn1 = v.locations.find((l) => l.location === 'fsn1');
    expect(fsn1?.wanted).toBe(2);
    expect(fsn1?.monthlyCost).toBeCloseTo(2 * 4.51);
    // Joined the tailnet, single-use keys spent and revoked; no instance exists for them yet.
    const hosts = [...tailscale.devices.values()].map((x) => x.hostname);
    for (const s of poolServers()) expect([hosts.includes(s.name), sim.booted.has(s.id)]).toEqual([true, true]);
    for (const k of tailscale.keys.values()) expect([k.used, k.revoked]).toEqual([true, true]);
    const instances = (await (hub as TestHub).api<unknown[]>('GET', '/instances')).body;
    expect(instances).toHaveLength(0);
    // Staff only: a client's owner does not see the pool.
    const h = hub as TestHub;
    const owner = { email: 'owner@acme.example', password: 'owner-password-1' };
    expect((await h.api('POST', `/clients/${client}/users`, { ...owner, role: 'client_owner' })).status).toBe(201);
    const tok = (await h.api<{ token: string }>('POST', '/auth/login', owner)).body.token;
    expect((await h.api('GET', '/deploy/pool', undefined, tok)).status).toBe(403);
    expect((await h.api('GET', '/deploy/pool', undefined, 'not-a-token')).status).toBe(401);
  }, 90_000);

  it('a deploy takes a ready server, goes live without creating one, and the pool refills', async () => {
    const before = new Set(poolServers().map((s) => s.id));
    const maxBefore = Math.max(...hetzner.servers.keys());
    const t0 = Date.now();
    const r = await (hub as TestHub).api<{ id: string; instanceId: string }>('POST', `/clients/${client}/deployments`, {
      location: 'fsn1',
      serverType: 'cx22',
    });
    expect(r.status).toBe(202);
    const d = await live(r.body.id);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(before.has(d.server.id as number)).toBe(true);
    const step = (n: string) => d.steps.find((s) => s.name === n);
    expect(step('create_server')?.detail).toMatch(/^taken from the warm pool/);
    expect(step('boot')?.detail).toMatch(/already running \(warm pool\)/);
    expect(d.steps.every((s) => s.status === 'done')).toBe(true);
    // The server now belongs to the deployment (labels), and its sidecar logged in as the instance.
    const s = hetzner.servers.get(d.server.id as number);
    expect(s?.labels).toMatchObject({ 'deepsignal/deployment': r.body.id, 'deepsignal/client': client });
    expect(s?.labels['deepsignal/role']).toBeUndefined();
    expect(sim.booted.get(d.server.id as number)?.sidecarJson.instanceId).toBe(r.body.instanceId);
    // Refilled with a new server (not the taken one).
    await until(() => full(), 60_000, 'pool refilled');
    expect(poolServers().some((x) => x.id > maxBefore)).toBe(true);
    expect(poolServers().some((x) => x.id === d.server.id)).toBe(false);
  }, 120_000);

  it('falls back to a cold create when no pool server matches, and says so', async () => {
    const r = await (hub as TestHub).api<{ id: string }>('POST', `/clients/${client}/deployments`, {
      location: 'fsn1',
      serverType: 'cx32',
    });
    const d = await live(r.body.id);
    expect(d.steps.find((s) => s.name === 'create_server')?.detail).toMatch(/^cold create/);
    expect(d.server.serverType).toBe('cx32');
    expect((await full())?.locations.find((l) => l.location === 'fsn1')?.ready).toBe(2);
  }, 120_000);

  it('a pool server deleted behind its back: the deploy that takes it creates one instead', async () => {
    const gone = poolServers().find((s) => s.location === 'nbg1');
    expect(gone).toBeDefined();
    hetzner.servers.delete(gone?.id as number);
    await sim.halt(gone?.id as number);
    const r = await (hub as TestHub).api<{ id: string; instanceId: string }>('POST', `/clients/${client}/deployments`, {
      location: 'nbg1',
      serverType: 'cx22',
    });
    const d = await live(r.body.id);
    expect(d.steps.find((s) => s.name === 'create_server')?.detail).toMatch(
      new RegExp(`^cold create \\(the warm-pool server ${gone?.id} no longer existed\\)`),
    );
    expect(d.server.id).not.toBe(gone?.id);
    expect(sim.booted.get(d.server.id as number)?.sidecarJson.instanceId).toBe(r.body.instanceId);
    // The old server's tailnet device is gone; the new one joined under the same name.
    const hosts = [...tailscale.devices.values()].filter((x) => x.hostname === gone?.name);
    expect(hosts).toHaveLength(1);
    await until(() => full(), 60_000, 'pool refilled');
  }, 120_000);

  it('two deploys at once take two different servers', async () => {
    const h = hub as TestHub;
    const ready = new Set(
      poolServers()
        .filter((s) => s.location === 'fsn1')
        .map((s) => s.id),
    );
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        h.api<{ id: string }>('POST', `/clients/${client}/deployments`, { location: 'fsn1', serverType: 'cx22' }),
      ),
    );
    const [da, db] = await Promise.all([live(a.body.id), live(b.body.id)]);
    for (const d of [da, db]) {
      expect(d.steps.find((s) => s.name === 'create_server')?.detail).toMatch(/^taken from the warm pool/);
      expect(ready.has(d.server.id as number)).toBe(true);
    }
    expect(da.server.id).not.toBe(db.server.id);
    await until(() => full(), 60_000, 'pool refilled');
  }, 120_000);

  it('a restarted hub keeps the pool: the same servers, no second one for a slot', async () => {
    const ids = poolServers()
      .map((s) => s.id)
      .sort();
    const maxBefore = Math.max(...hetzner.servers.keys());
    // One slot as a hub leaves it when it dies after asking Hetzner for the server but before
    // the answer is recorded: the new hub must find that server by its label, not make another.
    const old = hub as TestHub;
    await old.ctx.deployments?.pool.stop();
    const lost = await old.db.query<{ id: string; server_id: string }>(
      "UPDATE pool_servers SET state = 'creating', server_id = NULL, action_id = NULL WHERE id = (SELECT id FROM pool_servers WHERE state = 'ready' AND location = 'fsn1' ORDER BY created_at LIMIT 1) RETURNING id",
    );
    expect(lost).toHaveLength(1);
    const h = await start();
    const p = h.ctx.deployments?.pool;
    for (let i = 0; i < 3; i++) {
      p?.kick();
      await p?.idle();
    }
    expect(await full()).not.toBeNull();
    expect(
      poolServers()
        .map((s) => s.id)
        .sort(),
    ).toEqual(ids);
    expect(Math.max(...hetzner.servers.keys())).toBe(maxBefore);
    const slot = (
      await h.db.query<{ server_id: string }>('SELECT server_id FROM pool_servers WHERE id = $1', [lost[0].id])
    )[0];
    expect(hetzner.serversMatching(`deepsignal/pool-slot=${lost[0].id}`).map((s) => s.id)).toEqual([
      Number(slot.server_id),
    ]);
  }, 120_000);

  it('a new prepared snapshot replaces every pool server', async () => {
    const old = new Set(poolServers().map((s) => s.id));
    const snap = hetzner.addSnapshot('deepsignal prepared 2026.9.7');
    await start({ warmPoolImage: String(snap) });
    const v = await until(() => full(String(snap)), 90_000, 'pool refreshed');
    expect(v.image).toBe(String(snap));
    expect(poolServers().every((s) => !old.has(s.id) && s.image === snap)).toBe(true);
    // The replaced servers are gone with their tailnet devices; each pool server has one device.
    for (const id of old) expect(hetzner.servers.has(id)).toBe(false);
    const hosts = [...tailscale.devices.values()].map((x) => x.hostname);
    for (const s of poolServers()) expect(hosts.filter((h) => h === s.name)).toHaveLength(1);
    for (const id of old) {
      const name = sim.booted.get(id)?.server.name;
      expect(name && hosts.includes(name)).toBe(false);
    }
  }, 150_000);
});

describe('warm pool settings', () => {
  it('reads locations with counts and refuses anything else with the variable to fix', () => {
    const c = parseConfig({ dataDir: tmpdir(), warmPool: 'fsn1:2,nbg1:1' });
    expect(parseWarmPool(c.warmPool)).toEqual([
      { location: 'fsn1', count: 2 },
      { location: 'nbg1', count: 1 },
    ]);
    expect(parseWarmPool(parseConfig({ dataDir: tmpdir() }).warmPool)).toEqual([]);
    for (const bad of ['fsn1', 'fsn1:two', 'fsn1:2;nbg1:1', 'FSN1:2', 'fsn1:-1']) {
      let err: unknown = null;
      try {
        parseConfig({ dataDir: tmpdir(), warmPool: bad });
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ConfigError);
      expect((err as Error).message, bad).toMatch(/^DS_WARM_POOL: locations with a count, e\.g\. fsn1:2,nbg1:1/);
    }
  });
});
