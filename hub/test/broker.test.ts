import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackCollector, connectSidecar, metricsMsg, pub, startTestHub, type TestHub } from './helpers/hub.js';

describe('embedded broker: authentication, ACL, hostile input', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => hub?.close());

  const refused = (url: string, opts: mqtt.IClientOptions) =>
    new Promise<number | undefined>((res) => {
      const c = mqtt.connect(url, { reconnectPeriod: 0, protocolVersion: 4, ...opts });
      c.once('connect', () => {
        c.end(true);
        res(0);
      });
      c.once('error', (e) => {
        c.end(true);
        res((e as { code?: number }).code ?? -1);
      });
    });

  it('refuses a wrong secret, an unknown id and a foreign client id, and counts them', async () => {
    const inst = await hub.newInstance();
    expect(await refused(hub.mqttUrl, { clientId: `ds-${inst.id}`, username: inst.id, password: 'wrong' })).toBe(4);
    expect(await refused(hub.mqttUrl, { clientId: 'ds-nobody', username: 'nobody', password: 'x' })).toBe(4);
    expect(await refused(hub.mqttUrl, { clientId: 'other', username: inst.id, password: inst.secret })).toBe(2);
    expect(await hub.ctx.stats.value(hub.ctx.stats.authFailures, { reason: 'bad_secret' })).toBe(2);
    expect(await hub.ctx.stats.value(hub.ctx.stats.authFailures, { reason: 'bad_client_id' })).toBe(1);
  });

  it("refuses subscribing to another instance's topics and publishing on cmd/ack or for another instance", async () => {
    const a = await hub.newInstance();
    const b = await hub.newInstance();
    const c = await connectSidecar(hub.mqttUrl, a.id, a.secret);
    await expect(c.subscribeAsync(`ds/v1/${b.id}/cmd`, { qos: 1 })).rejects.toThrow();
    await expect(c.subscribeAsync('ds/v1/+/metrics', { qos: 1 })).rejects.toThrow();
    const granted = await c.subscribeAsync(`ds/v1/${a.id}/cmd`, { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    // Publishing on another instance's topic closes the connection (MQTT 3.1.1 has no refusal code).
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(`ds/v1/${b.id}/metrics`, JSON.stringify(metricsMsg(b.id, 'x', 0)), { qos: 1 });
    await closed;
    c.end(true);
    const c2 = await connectSidecar(hub.mqttUrl, a.id, a.secret);
    const closed2 = new Promise<void>((r) => c2.once('close', () => r()));
    c2.publish(`ds/v1/${a.id}/cmd`, '{}', { qos: 1 });
    await closed2;
    c2.end(true);
    expect(await hub.ctx.stats.value(hub.ctx.stats.aclDenied, { action: 'subscribe' })).toBe(2);
    expect(await hub.ctx.stats.value(hub.ctx.stats.aclDenied, { action: 'publish' })).toBe(2);
    const rows = await hub.db.query('SELECT 1 FROM metric_samples WHERE instance_id = $1', [b.id]);
    expect(rows).toHaveLength(0);
  });

  it('drops spoofed, malformed and oversize payloads with reasons and keeps ingesting valid ones', async () => {
    const a = await hub.newInstance();
    const b = await hub.newInstance();
    const c = await connectSidecar(hub.mqttUrl, a.id, a.secret);
    const acks = ackCollector(c);
    await c.subscribeAsync(`ds/v1/${a.id}/ack`, { qos: 1 });
    const topic = `ds/v1/${a.id}/metrics`;
    const before = (r: string) => hub.ctx.stats.value(hub.ctx.stats.rejects, { reason: r });
    const spoof0 = await before('spoofed');
    const json0 = await before('bad_json');
    await pub(c, topic, metricsMsg(b.id, 'x', 0)); // body names another instance
    const junk = [
      '',
      '{',
      'null',
      '[]',
      '{"v":2}',
      '{"v":1}',
      // Over the 256 KiB message limit, under the packet limit (a larger packet closes the
      // connection as it is read: test/broker/limits.test.ts).
      Buffer.alloc(256 * 1024 + 200, 97),
      '\u0000\u0001',
      '{"v":1,"samples":"x"}',
    ];
    for (let i = 0; i < 40; i++) {
      await pub(c, topic, junk[i % junk.length]);
      if (i % 10 === 0) await pub(c, topic, metricsMsg(a.id, 'boot', i / 10));
    }
    await acks.waitFor((x) => x.seq === 3);
    expect(await before('spoofed')).toBe(spoof0 + 1);
    expect(await before('bad_json')).toBeGreaterThan(json0);
    expect(await before('oversize')).toBeGreaterThan(0);
    expect(await before('invalid')).toBeGreaterThan(0);
    expect(await before('bad_version')).toBeGreaterThan(0);
    const rows = await hub.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM metric_samples WHERE instance_id = $1',
      [a.id],
    );
    expect(Number(rows[0].n)).toBe(8);
    const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/ds_ingest_rejects_total\{reason="spoofed"\} \d+/);
    expect(metrics).toMatch(/ds_instance_metric\{instance="[^"]+",client="[^"]+",hostname="[^"]+",name="cpu"\}/);
    await c.endAsync();
  });

  it('marks the instance online on status and offline on the last will', async () => {
    const a = await hub.newInstance();
    expect(hub.ctx.fleet.get(a.id)?.status).toBe('provisioning');
    const will = { v: 1, id: 'w', instanceId: a.id, bootId: 'b', seq: 0, ts: Date.now(), state: 'offline' };
    const c = await connectSidecar(hub.mqttUrl, a.id, a.secret, {
      will: { topic: `ds/v1/${a.id}/status`, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    });
    await pub(c, `ds/v1/${a.id}/status`, { ...will, id: 's', state: 'online' });
    await expect.poll(() => hub.ctx.fleet.get(a.id)?.status).toBe('online');
    c.stream.destroy(); // unclean: the broker publishes the will
    await expect.poll(() => hub.ctx.fleet.get(a.id)?.status).toBe('offline');
  });
});
