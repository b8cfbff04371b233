import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackCollector, connectSidecar, metricsMsg, pub, startTestHub, type TestHub } from './helpers/hub.js';
import { pgAvailable } from './helpers/pg.js';

const hasPg = await pgAvailable();

for (const backend of ['pglite', 'postgres'] as const) {
  describe.skipIf(backend === 'postgres' && !hasPg)(`ingest over MQTT on ${backend}`, () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub({ postgres: backend === 'postgres', ingestThread: true });
    });
    afterAll(async () => hub?.close());

    it('stores metrics, acks after commit, drops duplicates and acks them again', async () => {
      const inst = await hub.newInstance();
      const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
      const acks = ackCollector(c);
      await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
      const t0 = Date.now() - 60_000;
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot1', 0, t0));
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot1', 1, t0 + 2000));
      await acks.waitFor((a) => a.bootId === 'boot1' && a.stream === 'metrics' && a.seq === 1);
      const rows = await hub.db.query<{ n: string }>(
        'SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1',
        [inst.id],
      );
      expect(Number(rows[0].n)).toBe(4);
      // Replay after a "lost ack": not stored again, acked again.
      acks.acks.length = 0;
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'boot1', 1, t0 + 2000));
      await acks.waitFor((a) => a.seq === 1);
      const again = await hub.db.query<{ n: string }>(
        'SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1',
        [inst.id],
      );
      expect(Number(again[0].n)).toBe(4);
      expect(await hub.ctx.stats.value(hub.ctx.stats.duplicates)).toBeGreaterThanOrEqual(1);
      // The API reads them back.
      const r = await hub.api<{ points: [string, number][] }>(
        'GET',
        `/instances/${inst.id}/metrics?name=cpu&from=${new Date(t0 - 1000).toISOString()}&to=${new Date(t0 + 10_000).toISOString()}&step=1s`,
      );
      expect(r.status).toBe(200);
      expect(r.body.points.map((p) => p[1])).toEqual([12.5, 20, 12.5, 20]);
      const one = await hub.api<{ status: string; metrics: Record<string, number> }>('GET', `/instances/${inst.id}`);
      expect(one.body.metrics.memory).toBe(50);
      await c.endAsync();
    });

    it('holds the ack for a seq until everything below it is in, and honours base with a gap', async () => {
      const inst = await hub.newInstance();
      const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
      const acks = ackCollector(c);
      await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'b', 0));
      await acks.waitFor((a) => a.seq === 0);
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'b', 2));
      await hub.ctx.ingest.flushed();
      expect(acks.acks.flat().every((a) => a.seq === 0)).toBe(true);
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'b', 1));
      await acks.waitFor((a) => a.seq === 2);
      // The sidecar dropped 3..5: base=6 settles them and records a gap.
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'b', 6, Date.now(), { base: 6 }));
      await acks.waitFor((a) => a.seq === 6);
      const gaps = await hub.db.query<{ from_seq: string; to_seq: string }>(
        'SELECT from_seq, to_seq FROM ingest_gaps WHERE instance_id = $1',
        [inst.id],
      );
      expect(gaps.map((g) => [Number(g.from_seq), Number(g.to_seq)])).toEqual([[3, 5]]);
      await c.endAsync();
    });

    it('stores logs, conversations (once per messageId) and openclaw state', async () => {
      const inst = await hub.newInstance();
      const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
      const acks = ackCollector(c);
      await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
      const env = (seq: number) => ({ v: 1, id: `x${seq}`, instanceId: inst.id, bootId: 'b', seq, ts: Date.now() });
      const t = Date.now();
      await pub(c, `ds/v1/${inst.id}/logs`, {
        ...env(0),
        lines: [{ t, level: 'error', subsystem: 'gw', msg: 'boom' }],
      });
      const conv = {
        messageId: 'msg-1',
        t,
        sessionKey: 'agent:main:main',
        channel: 'telegram',
        role: 'user',
        text: 'Thanks, that was really helpful and great!',
        tokensIn: 3,
      };
      await pub(c, `ds/v1/${inst.id}/conversations`, { ...env(0), messages: [conv] });
      await pub(c, `ds/v1/${inst.id}/conversations`, { ...env(1), messages: [conv] });
      await pub(c, `ds/v1/${inst.id}/events`, {
        ...env(0),
        events: [
          {
            t,
            type: 'openclaw.state',
            data: { present: true, up: true, version: '2026.9.6', model: 'anthropic/claude' },
          },
        ],
      });
      await acks.waitFor((a) => a.stream === 'events' && a.seq === 0);
      await acks.waitFor((a) => a.stream === 'conversations' && a.seq === 1);
      const logs = await hub.api<{ msg: string }[]>('GET', `/instances/${inst.id}/logs?level=warn`);
      expect(logs.body.map((l) => l.msg)).toEqual(['boom']);
      const convs = await hub.api<{ messageId: string; channel: string; sentiment: number | null }[]>(
        'GET',
        `/instances/${inst.id}/conversations`,
      );
      expect(convs.body).toHaveLength(1);
      expect(convs.body[0].channel).toBe('telegram');
      expect(convs.body[0].sentiment).toBeGreaterThan(0); // scored at ingest
      const one = await hub.api<{ openclaw: { version: string } }>('GET', `/instances/${inst.id}`);
      expect(one.body.openclaw.version).toBe('2026.9.6');
      await c.endAsync();
    });
  });
}

// On PostgreSQL the metrics are committed by the writer thread: its failures, health and acks.
describe.each(hasPg ? (['pglite', 'postgres'] as const) : (['pglite'] as const))(
  'ack only after commit on %s',
  (backend) => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub({ postgres: backend === 'postgres', ingestThread: true });
    });
    afterAll(async () => hub?.close());

    it('acks nothing while the database refuses writes, then acks once the commit succeeds', async () => {
      const inst = await hub.newInstance();
      const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
      const acks = ackCollector(c);
      await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
      await hub.db.query('ALTER TABLE metric_samples RENAME TO metric_samples_away');
      await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'b', 0));
      await expect.poll(() => hub.ctx.stats.value(hub.ctx.stats.commitFailures)).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(acks.acks).toHaveLength(0);
      const health = await fetch(`${hub.httpUrl}/healthz`);
      expect(health.status).toBe(503);
      await hub.db.query('ALTER TABLE metric_samples_away RENAME TO metric_samples');
      await acks.waitFor((a) => a.seq === 0, 15_000);
      const rows = await hub.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1',
        [inst.id],
      );
      expect(Number(rows[0].n)).toBe(2);
      await c.endAsync();
    });
  },
);
