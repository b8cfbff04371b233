import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackCollector, connectSidecar, metricsMsg, pub, startTestHub, type TestHub } from '../helpers/hub.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../helpers/pg.js';
import { reachable } from '../helpers/reachable.js';

/**
 * External-broker mode against the machine's Mosquitto (127.0.0.1:1883, anonymous here; the
 * ACL side is covered by mosquitto-export.test.ts). Two hubs share one PostgreSQL schema and one
 * broker; each run uses its own shared-subscription group so parallel runs do not steal messages.
 */
const BROKER = process.env.DS_TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';
const ready = (await reachable(BROKER, 1883)) && (await pgAvailable());

let h1: TestHub;
let h2: TestHub;
const schema = uniqueSchema('hubext');
const group = `t${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  if (!ready) return;
  const common = { databaseUrl: PG_URL, dbSchema: schema, mqttUrl: BROKER, shareGroup: group };
  h1 = await startTestHub(common);
  h2 = await startTestHub(common);
}, 60_000);
afterAll(async () => {
  await h1?.stop();
  await h2?.stop();
  if (ready) await dropSchema(schema);
});

describe.skipIf(!ready)('external broker (Mosquitto)', () => {
  it('a sidecar publishing through Mosquitto gets its ack once the batch is committed', async () => {
    expect(h1.broker.mode).toBe('external');
    const inst = await h1.newInstance();
    const c = await connectSidecar(BROKER, inst.id, inst.secret);
    const acks = ackCollector(c);
    await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
    let rowsAtAck = -1;
    const acked = acks.waitFor((a) => a.stream === 'metrics' && a.seq === 0);
    await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot-e1', 0));
    await acked;
    const r = await h1.db.query<{ n: number }>('SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1', [
      inst.id,
    ]);
    rowsAtAck = r[0].n;
    expect(rowsAtAck).toBe(2);
    await c.endAsync();
  });

  it('two hubs split ingest through a shared subscription without duplicates, and both see status', async () => {
    // Created on hub 1 after hub 2 started: hub 2 finds it in the database on first message.
    const inst = await h1.newInstance();
    const c = await connectSidecar(BROKER, inst.id, inst.secret);
    const acks = ackCollector(c);
    await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
    await pub(c, `ds/v1/${inst.id}/status`, {
      v: 1,
      id: 'st-1',
      instanceId: inst.id,
      bootId: 'boot-e2',
      seq: 0,
      ts: Date.now(),
      state: 'online',
    });
    const committed = (h: TestHub) => h.ctx.stats.value(h.ctx.stats.committed, { stream: 'metrics' });
    const before = await Promise.all([h1, h2].map(committed));
    const N = 40;
    for (let seq = 0; seq < N; seq++)
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot-e2', seq, Date.now() - (N - seq) * 5000));
    // Acks are cumulative [SPEC 4.2] and can come from either hub: the cursor is shared in the database.
    await acks.waitFor((a) => a.bootId === 'boot-e2' && a.seq === N - 1, 15_000);

    const per = (await Promise.all([h1, h2].map(committed))).map((n, i) => n - before[i]);
    expect(per[0]).toBeGreaterThan(0);
    expect(per[1]).toBeGreaterThan(0);
    expect(per[0] + per[1]).toBe(N);
    const rows = await h1.db.query<{ n: number; d: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT t)::int AS d FROM metric_samples WHERE instance_id = $1',
      [inst.id],
    );
    expect(rows[0]).toEqual({ n: 2 * N, d: 2 * N });

    // A replay of an already stored message, to whichever hub, is acked and not stored again.
    await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot-e2', 3, Date.now() - 999_000));
    await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot-e2', 4, Date.now() - 998_000));
    await new Promise((r) => setTimeout(r, 500));
    const again = await h1.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1',
      [inst.id],
    );
    expect(again[0].n).toBe(2 * N);

    for (const h of [h1, h2]) {
      const r = await h.api<{ status: string }>('GET', `/instances/${inst.id}`);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('online');
    }
    await c.endAsync();
  });
});
