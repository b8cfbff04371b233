import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsCluster } from '../../../scripts/test/nats-cluster.js';
import { connectSidecar, metricsMsg, pub, serveCommands, startTestHub, type TestHub } from '../helpers/hub.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../helpers/pg.js';
import { reachable } from '../helpers/reachable.js';
import { until } from '../helpers/sidecar-proc.js';

/**
 * Two hubs on a three-node NATS cluster (MQTT gateway, JetStream), one PostgreSQL schema and one
 * Redis. NATS speaks MQTT 3.1.1 only and does not split `$share/…` subscriptions, so the hubs fall
 * back to plain subscriptions: every hub receives every message, ingest dedupe stores it once, and
 * live metric frames stay on the hub that made them (a browser gets one, not one per hub).
 */
const REDIS = process.env.DS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ready = (await NatsCluster.available()) && (await reachable(REDIS, 6379)) && (await pgAvailable());

const dir = mkdtempSync(path.join(tmpdir(), 'ds-nats-'));
const cluster = new NatsCluster(dir, 3);
const schema = uniqueSchema('nats');
let h1: TestHub;
let h2: TestHub;
const clients: MqttClient[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  if (!ready) return;
  await cluster.start();
  const common = {
    databaseUrl: PG_URL,
    dbSchema: schema,
    shareGroup: `n${randomBytes(5).toString('hex')}`,
    redisUrl: REDIS,
    masterKey: `k1:${randomBytes(32).toString('base64')}`,
  };
  h1 = await startTestHub({ ...common, mqttUrl: cluster.url(0) });
  h2 = await startTestHub({ ...common, mqttUrl: cluster.url(1) });
}, 180_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const c of clients) await c.endAsync(true).catch(() => {});
  await h1?.stop();
  await h2?.stop();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
  if (ready) await dropSchema(schema);
});

describe.skipIf(!ready)('several hubs on a NATS cluster (no shared subscriptions)', () => {
  it('each message is stored once, a browser gets one frame per sample, presence and commands work across nodes', async () => {
    expect(h1.broker.everyHubReceivesAll).toBe(true);
    expect(h2.broker.everyHubReceivesAll).toBe(true);
    const socket = io(h2.httpUrl, { path: '/socket.io', auth: { token: h2.token }, transports: ['websocket'] });
    sockets.push(socket);
    const frames = new Map<string, number>();
    socket.on('metrics', (e: { instanceId: string; t: string }) => {
      const k = `${e.instanceId} ${e.t}`;
      frames.set(k, (frames.get(k) ?? 0) + 1);
    });
    await until(() => socket.connected, 30_000, 'live stream connected');

    // Sidecars on the third node, which neither hub is connected to.
    const K = 4;
    const insts: { id: string; secret: string; c: MqttClient }[] = [];
    for (let k = 0; k < K; k++) {
      const inst = await h1.newInstance();
      const c = await connectSidecar(cluster.url(2), inst.id, inst.secret);
      clients.push(c);
      insts.push({ ...inst, c });
      await pub(c, `ds/v1/${inst.id}/status`, {
        v: 1,
        id: `st-${k}`,
        instanceId: inst.id,
        bootId: 'boot-n',
        seq: 0,
        ts: Date.now(),
        state: 'online',
      });
    }
    // A new sample every 300 ms until the browser has two distinct ones of every instance (the
    // hub sends at most one frame per instance and second).
    const t0 = Date.now() - 3_600_000;
    let seq = 0;
    const distinct = (id: string) => [...frames.keys()].filter((k) => k.startsWith(`${id} `)).length;
    await until(
      async () => {
        for (const i of insts)
          await pub(i.c, `ds/v1/${i.id}/metrics`, metricsMsg(i.id, 'boot-n', seq, t0 + seq * 10_000));
        seq++;
        await new Promise((r) => setTimeout(r, 300));
        return insts.every((i) => distinct(i.id) >= 2);
      },
      90_000,
      'two frames of every instance on hub 2',
    );
    // Every message was stored exactly once though both hubs received it.
    const sent = seq;
    await until(
      async () => {
        const r = await h2.db.query<{ n: number; d: number }>(
          'SELECT count(*)::int AS n, count(DISTINCT (instance_id, t))::int AS d FROM metric_samples WHERE instance_id = ANY($1)',
          [insts.map((i) => i.id)],
        );
        return r[0].n === K * sent * 2 && r[0].d === r[0].n;
      },
      60_000,
      'every sample stored once',
    );
    const dup = (h: TestHub) => h.ctx.stats.value(h.ctx.stats.duplicates);
    expect((await dup(h1)) + (await dup(h2))).toBeGreaterThan(0);
    expect(
      [...frames.values()].every((n) => n === 1),
      'one frame per sample, not one per hub',
    ).toBe(true);
    // Both hubs know presence (the status topic reaches every hub).
    for (const h of [h1, h2])
      await until(() => insts.every((i) => h.ctx.fleet.get(i.id)?.presence === 'online'), 30_000, 'online on both');

    // A command issued on hub 1 to a sidecar on node 3 succeeds, as both hubs report it.
    const target = insts[0];
    await serveCommands(target.c, target.id, h1.hubPublicKey, (v, report) => {
      if (v.ok) void report(v.command.id, 'succeeded', { result: { pong: true } });
    });
    const cmd = await h1.api<{ id: string }>('POST', `/instances/${target.id}/commands`, { type: 'ping', params: {} });
    expect(cmd.status).toBe(202);
    for (const h of [h1, h2])
      await until(
        async () => (await h.api<{ status: string }>('GET', `/commands/${cmd.body.id}`)).body.status === 'succeeded',
        60_000,
        'ping succeeded on both hubs',
      );
  }, 240_000);
});
