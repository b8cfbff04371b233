import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSidecar, metricsMsg, pub, startTestHub, type TestHub } from './helpers/hub.js';

describe('live stream (Socket.IO)', () => {
  let hub: TestHub;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await hub?.close();
  });

  const connect = (token?: string) =>
    new Promise<Socket>((res, rej) => {
      const s = io(hub.httpUrl, {
        path: '/socket.io',
        auth: token ? { token } : {},
        transports: ['websocket'],
        reconnection: false,
      });
      sockets.push(s);
      s.once('connect', () => res(s));
      s.once('connect_error', rej);
    });

  it('refuses a handshake without a valid token', async () => {
    await expect(connect('bad')).rejects.toThrow(/unauthorized/);
  });

  it('delivers metrics to the fleet room and logs to an instance subscriber', async () => {
    const inst = await hub.newInstance();
    const s = await connect(hub.token);
    const ack = await s.emitWithAck('subscribe', { instanceId: inst.id });
    expect(ack).toEqual({ ok: true });
    expect(await s.emitWithAck('subscribe', { instanceId: 'inst-nope' })).toEqual({ ok: false, error: 'not_found' });
    const gotMetrics = new Promise<{ instanceId: string; values: Record<string, number> }>((r) => s.on('metrics', r));
    const gotLogs = new Promise<{ lines: { msg: string }[] }>((r) => s.on('logs', r));
    const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
    await pub(c, `ds/v1/${inst.id}/metrics`, metricsMsg(inst.id, 'b', 0));
    await pub(c, `ds/v1/${inst.id}/logs`, {
      v: 1,
      id: 'l',
      instanceId: inst.id,
      bootId: 'b',
      seq: 0,
      ts: Date.now(),
      lines: [{ t: Date.now(), level: 'info', msg: 'hello' }],
    });
    const m = await gotMetrics;
    expect(m.instanceId).toBe(inst.id);
    expect(m.values.cpu).toBe(20);
    expect((await gotLogs).lines[0].msg).toBe('hello');
    await c.endAsync();
  });

  it('delivers every frame of a burst: a busy socket is not a slow one', async () => {
    const ids = await Promise.all(Array.from({ length: 40 }, async () => (await hub.newInstance()).id));
    const s = await connect(hub.token);
    const seen = new Set<string>();
    const all = new Promise<void>((r) =>
      s.on('metrics', (m: { instanceId: string }) => {
        if (ids.includes(m.instanceId)) seen.add(m.instanceId);
        if (seen.size === ids.length) r();
      }),
    );
    // One synchronous loop, as ingest does for a batch of messages from many instances.
    for (const id of ids) hub.ctx.fleet.liveMetrics(id, { cpu: 1 }, new Date());
    await all;
    expect(seen.size).toBe(ids.length);
  });
});
