import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildUsage } from '../../src/billing/meter.js';
import { ackCollector, connectSidecar, pub, startTestHub, type TestHub } from '../helpers/hub.js';
import { login, makeTenant } from '../security/tenants.js';

const HOUR = 3_600_000;

/** A conversation turn: a user message and the assistant's reply with tokens, cost and latency. */
function turn(n: number, t: number, model = 'anthropic/claude-sonnet-4-5', channel = 'telegram') {
  return [
    { messageId: `u-${n}`, t, sessionKey: 's', channel, role: 'user', text: `question ${n}`, tokensIn: 0 },
    {
      messageId: `a-${n}`,
      t: t + 1000,
      sessionKey: 's',
      channel,
      role: 'assistant',
      text: `answer ${n}`,
      tokensIn: 100 + n,
      tokensOut: 50 + n,
      cost: 0.0125,
      model,
      latencyMs: 800 + n,
    },
  ];
}

for (const postgres of [false, true]) {
  describe(`usage metering (${postgres ? 'PostgreSQL' : 'PGlite'})`, () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub({ postgres });
    });
    afterAll(async () => hub?.close());

    it('counts each message exactly once across replays and re-reads under a new boot', async () => {
      const a = await makeTenant(hub, 'alpha');
      const b = await makeTenant(hub, 'beta');
      // A fresh instance of alpha we hold the secret of.
      const inst = await hub.newInstance(a.client);
      const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
      const acks = ackCollector(c);
      await c.subscribeAsync(`ds/v1/${inst.id}/ack`, { qos: 1 });
      const day = Date.UTC(2026, 10, 3, 9); // 3 Nov 2026, 09:00 UTC
      const batch1 = [...turn(1, day), ...turn(2, day + 2 * HOUR, 'anthropic/claude-haiku-4-5', 'slack')];
      const batch2 = [...turn(3, day + 24 * HOUR)];
      const send = (bootId: string, seq: number, messages: unknown[]) =>
        pub(c, `ds/v1/${inst.id}/conversations`, {
          v: 1,
          id: `${bootId}-${seq}`,
          instanceId: inst.id,
          bootId,
          seq,
          ts: Date.now(),
          messages,
        });
      await send('boot-1', 0, batch1);
      await send('boot-1', 1, batch2);
      await acks.waitFor((x) => x.bootId === 'boot-1' && x.seq === 1);
      // The same batches again (a replay after a lost ack), and re-read under a new boot
      // with new seqs: new to the stream cursors, but the same messages.
      await send('boot-1', 0, batch1);
      await send('boot-1', 1, batch2);
      await send('boot-2', 0, [...batch1, ...batch2]);
      await send('boot-2', 1, [...turn(4, day + 30 * HOUR)]);
      await acks.waitFor((x) => x.bootId === 'boot-2' && x.seq === 1);

      const r = await hub.api<{
        tokensIn: number;
        tokensOut: number;
        cost: number;
        messages: number;
        byModel: { model: string; tokensIn: number; tokensOut: number; cost: number }[];
        byDay: { day: string; messages: number; tokensIn: number }[];
      }>('GET', `/clients/${a.client}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z`);
      expect(r.status).toBe(200);
      const n = [1, 2, 3, 4];
      expect(r.body.messages).toBe(4);
      expect(r.body.tokensIn).toBe(n.reduce((s, i) => s + 100 + i, 0));
      expect(r.body.tokensOut).toBe(n.reduce((s, i) => s + 50 + i, 0));
      expect(r.body.cost).toBeCloseTo(4 * 0.0125, 9);
      expect(r.body.byModel.map((m) => [m.model, m.tokensIn])).toEqual(
        expect.arrayContaining([
          ['anthropic/claude-sonnet-4-5', 101 + 103 + 104],
          ['anthropic/claude-haiku-4-5', 102],
        ]),
      );
      expect(r.body.byDay.map((d) => [d.day, d.messages])).toEqual([
        ['2026-11-03', 2],
        ['2026-11-04', 2],
      ]);
      // A partial window reads the hourly aggregate: only turn 1 and 2 (3 Nov 09:00-12:00).
      const part = await hub.api<{ messages: number; tokensIn: number }>(
        'GET',
        `/clients/${a.client}/usage?from=2026-11-03T08:00:00Z&to=2026-11-03T12:00:00Z`,
      );
      expect([part.body.messages, part.body.tokensIn]).toEqual([2, 101 + 102]);

      // The aggregates equal a recomputation from the stored messages.
      const before = await hub.db.query('SELECT * FROM usage_daily ORDER BY client_id, bucket, model, channel');
      await hub.db.tx((q) => rebuildUsage(q, new Date(Date.UTC(2026, 10, 1)), new Date(Date.UTC(2026, 11, 1))));
      const after = await hub.db.query('SELECT * FROM usage_daily ORDER BY client_id, bucket, model, channel');
      expect(after.map((x) => ({ ...x, cost: Number(x.cost).toFixed(9) }))).toEqual(
        before.map((x) => ({ ...x, cost: Number(x.cost).toFixed(9) })),
      );

      // Tenancy: beta's owner cannot read alpha's usage; alpha's owner can.
      const owner = await login(hub, 'client_owner@alpha.test');
      expect((await hub.api('GET', `/clients/${a.client}/usage`, undefined, b.owner)).status).toBe(404);
      expect((await hub.api('GET', `/clients/${a.client}/usage`, undefined, owner)).status).toBe(200);
      expect((await hub.api('GET', '/usage/fleet', undefined, owner)).status).toBe(403);
      expect((await hub.api('GET', `/clients/${a.client}/usage?from=nope`)).status).toBe(400);

      // Fleet-wide usage covers every instance, with latency computed on the hub.
      const f = await hub.api<{
        messages: number;
        latencyMs: number;
        byInstance: { instanceId: string }[];
        byClient: { clientId: string; messages: number }[];
      }>('GET', '/usage/fleet?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z');
      expect(f.status).toBe(200);
      expect(f.body.messages).toBe(4);
      expect(f.body.latencyMs).toBeCloseTo((801 + 802 + 803 + 804) / 4, 6);
      expect(f.body.byInstance.map((x) => x.instanceId)).toEqual([inst.id]);
      expect(f.body.byClient).toEqual([expect.objectContaining({ clientId: a.client, messages: 4 })]);
      await c.endAsync();
    });
  });
}
