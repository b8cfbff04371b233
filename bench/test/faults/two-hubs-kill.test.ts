import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { DEADLINE } from '../../../scripts/test/processes.js';
import type { Child } from '../../src/fault/children.js';
import { type HubInfo, HubScenario, settle } from '../../src/fault/scenario.js';
import { type SimInstance, startSimInstance } from '../../src/fault/sim-instance.js';
import { checkSamples, storedConversations, waitFor } from '../../src/fault/verify.js';
import { login } from '../../src/hub/harness.js';
import { pgAvailable } from '../../src/pg.js';

const BROKER = process.env.DS_TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';
const REDIS = process.env.DS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const open = (url: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const u = new URL(url);
    const s = connect(Number(u.port || port), u.hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
const ready = (await pgAvailable()) && (await open(BROKER, 1883)) && (await open(REDIS, 6379));

/** Messages a hub process committed, from its Prometheus endpoint. */
async function committed(hub: HubInfo, token: string): Promise<number> {
  const r = await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const m = /^ds_ingest_committed_total\{stream="metrics"\} (\d+)/m.exec(await r.text());
  return m ? Number(m[1]) : 0;
}

/**
 * Two hubs on one Mosquitto (shared subscriptions), one PostgreSQL schema and one Redis, three
 * simulated instances: `kill -9` of one hub under load. The other carries on (commands through
 * it succeed, its browsers keep getting every instance's frames), the sidecars' outboxes replay
 * what the dead hub never acknowledged, and once the killed hub is back it takes its share again.
 * Every sample produced is stored exactly once; no command ran twice.
 */
describe.skipIf(!ready)('fault: kill -9 of one of two hubs', () => {
  let s: HubScenario | undefined;
  let peer: Child<HubInfo> | undefined;
  const sims: SimInstance[] = [];
  let socket: Socket | undefined;
  afterEach(async () => {
    socket?.close();
    for (const i of sims.splice(0)) await i.stop().catch(() => {});
    await peer?.kill9().catch(() => {});
    await s?.cleanup();
  });

  it('the survivor carries on, nothing is lost or doubled, the killed hub takes its share again', {
    timeout: 420_000,
  }, async () => {
    s = new HubScenario('pg');
    await s.setup(3, {
      DS_MQTT_URL: BROKER,
      DS_SHARE_GROUP: `k${randomBytes(5).toString('hex')}`,
      DS_REDIS_URL: REDIS,
      DS_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    });
    // Hubs of one deployment sign commands with the same key.
    const peerDir = path.join(s.dir, 'hub-b');
    mkdirSync(peerDir, { recursive: true });
    copyFileSync(path.join(s.store.dataDir, 'hub-key.pem'), path.join(peerDir, 'hub-key.pem'));
    peer = await s.startHubChild(peerDir);
    const survivor = peer.info;
    const survivorToken = await login(survivor.httpUrl);
    const api = async <T>(method: string, route: string, body?: unknown) => {
      const r = await fetch(`${survivor.httpUrl}/api/v1${route}`, {
        method,
        headers: {
          authorization: `Bearer ${survivorToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as T };
    };

    const scenario = s;
    for (const [i, c] of s.creds.entries())
      sims.push(
        await startSimInstance({
          hub: scenario.proxy.url(),
          instanceId: c.id,
          secret: c.secret,
          hubKey: scenario.hub.info.hubPublicKey,
          stateDir: path.join(scenario.dir, `sidecar-${i}`),
          sampleIntervalMs: 200,
          batchIntervalMs: 400,
        }),
      );
    // A browser on the hub that survives.
    socket = io(survivor.httpUrl, { path: '/socket.io', auth: { token: survivorToken }, transports: ['websocket'] });
    const framesFor = new Set<string>();
    socket.on('metrics', (e: { instanceId: string }) => framesFor.add(e.instanceId));

    // Both hubs ingest before the kill.
    const killedToken = scenario.token;
    expect(
      await waitFor(
        async () =>
          (await committed(scenario.hub.info, killedToken)) > 0 && (await committed(survivor, survivorToken)) > 0,
        DEADLINE.ack * 2,
      ),
      'both hubs commit a share of the messages',
    ).toBe(true);

    // The fleet-wide jobs (alerts, billing, rollouts…) run on one hub: the one started first.
    const jobsHolder = async () =>
      (await scenario.withDb((q) => q('SELECT holder FROM hub_leases WHERE name = $1', ['fleet-jobs'])))[0]?.holder as
        | string
        | undefined;
    expect(await jobsHolder()).toBe(`${hostname()}:${path.resolve(scenario.store.dataDir)}`);

    // Kill at a moment when some sidecar holds messages no hub has acknowledged yet.
    const unacked = () => sims.some((i) => [...i.sidecar.outbox.entries()].some((e) => e.state > 0));
    expect(await waitFor(unacked, 20_000)).toBe(true);
    await scenario.hub.kill9();

    // The survivor carries on: every instance's frames reach its browser, commands through it succeed.
    framesFor.clear();
    expect(
      await waitFor(() => scenario.creds.every((c) => framesFor.has(c.id)), DEADLINE.ack * 2),
      'frames of every instance after the kill',
    ).toBe(true);
    const pings: string[] = [];
    for (const c of scenario.creds) {
      const r = await api<{ id: string }>('POST', `/instances/${c.id}/commands`, { type: 'ping', params: {} });
      expect(r.status).toBe(202);
      pings.push(r.body.id);
    }
    expect(
      await waitFor(async () => {
        for (const id of pings)
          if ((await api<{ status: string }>('GET', `/commands/${id}`)).body.status !== 'succeeded') return false;
        return true;
      }, DEADLINE.command),
      'pings through the survivor succeed',
    ).toBe(true);

    // Its lease expires unrenewed and the survivor takes the fleet-wide jobs over.
    expect(
      await waitFor(async () => (await jobsHolder()) === `${hostname()}:${path.resolve(peerDir)}`, 60_000),
      'the survivor holds the fleet-wide jobs',
    ).toBe(true);

    // The killed hub comes back on the same database and takes its share again.
    await scenario.startHub();
    expect(
      await waitFor(async () => (await committed(scenario.hub.info, scenario.token)) > 0, DEADLINE.ack * 2),
      'the restarted hub commits again',
    ).toBe(true);

    // Everything produced is stored exactly once; nothing ran twice.
    for (const [i, inst] of sims.entries()) {
      const { required, settled } = await settle(inst, DEADLINE.command);
      expect(settled, `instance ${i} settled`).toBe(true);
      const id = scenario.creds[i].id;
      const r = await scenario.withDb((q) => checkSamples(q, id, required));
      expect(r.duplicates).toBe(0);
      expect(r.missing).toEqual([]);
      expect(new Set(inst.ran).size).toBe(inst.ran.length);
      const conv = await scenario.withDb((q) => storedConversations(q, id));
      expect(conv.duplicates).toBe(0);
    }
  });
});
