import type { MqttClient } from 'mqtt';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSidecar, pub, serveCommands, startTestHub, type TestHub } from './helpers/hub.js';

describe('signed command dispatch', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => hub?.close());

  /** A minimal sidecar: verifies each command with the hub key and reports delivered -> succeeded. */
  async function fakeSidecar(id: string, secret: string) {
    const c = await connectSidecar(hub.mqttUrl, id, secret);
    const received: string[] = [];
    await serveCommands(c, id, hub.hubPublicKey, (v, report) => {
      if (!v.ok) return void report(v.commandId ?? 'x', 'rejected', { error: { code: v.reason, message: v.message } });
      received.push(v.command.id);
      void report(v.command.id, 'delivered').then(() =>
        report(v.command.id, 'succeeded', { result: { pong: true, ts: Date.now() } }),
      );
    });
    return { c, received };
  }

  const status = async (id: string) =>
    (await hub.api<{ status: string; result: unknown }>('GET', `/commands/${id}`)).body;

  it('signs, publishes, and follows the sidecar reports to succeeded, live and audited', async () => {
    const inst = await hub.newInstance();
    const side = await fakeSidecar(inst.id, inst.secret);
    await pub(side.c, `ds/v1/${inst.id}/status`, {
      v: 1,
      id: 's',
      instanceId: inst.id,
      bootId: 'b',
      seq: 0,
      ts: Date.now(),
      state: 'online',
    });
    await expect.poll(() => hub.ctx.fleet.get(inst.id)?.status).toBe('online');
    const sock = io(hub.httpUrl, { auth: { token: hub.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    await sock.emitWithAck('subscribe', { instanceId: inst.id });
    const states: string[] = [];
    sock.on('command', (e) => states.push(e.status));
    const r = await hub.api<{ id: string; status: string }>('POST', `/instances/${inst.id}/commands`, {
      type: 'ping',
      params: {},
    });
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('queued');
    await expect.poll(async () => (await status(r.body.id)).status).toBe('succeeded');
    expect((await status(r.body.id)).result).toMatchObject({ pong: true });
    await expect.poll(() => states).toEqual(['queued', 'delivered', 'succeeded']);
    const audit = await hub.db.query<{ action: string }>('SELECT action FROM audit_log WHERE target = $1 ORDER BY id', [
      r.body.id,
    ]);
    expect(audit.map((a) => a.action)).toEqual(['command.create', 'command.delivered', 'command.succeeded']);
    sock.close();
    await side.c.endAsync();
  });

  it('refuses a command too large to ever be delivered before it is stored, with the reason and a counter', async () => {
    const inst = await hub.newInstance();
    // An A/B variant with thousands of peers: valid by shape, but over what one signed message carries.
    const peers = Array.from({ length: 5000 }, (_, i) => ({
      channel: 'telegram',
      kind: 'direct',
      id: `${i}`.padEnd(60, 'x'),
    }));
    const params = { variant: { agentId: 'ab-b', files: {}, channels: ['telegram'], peers } };
    const r = await hub.api<{ error: { code: string; message: string } }>('POST', `/instances/${inst.id}/commands`, {
      type: 'config.apply',
      params,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('HUB_ERR_BAD_PARAMS');
    expect(r.body.error.message).toMatch(/^params are \d+ bytes, over the \d+-byte limit$/);
    // The hub's own senders (experiments, rollouts) go through the same refusal.
    const refused = () =>
      hub.ctx.stats.value(hub.ctx.stats.commandsRefused, { type: 'config.apply', reason: 'too_large' });
    const before = await refused();
    await expect(
      hub.ctx.commands.create({
        instanceId: inst.id,
        type: 'config.apply',
        params,
        issuer: { userId: 'system', email: 'experiments' },
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^config\.apply: params are \d+ bytes/),
    });
    expect(await refused()).toBe(before + 1);
    const stored = await hub.db.query('SELECT id FROM commands WHERE instance_id = $1', [inst.id]);
    expect(stored).toEqual([]);
  });

  it('queues while offline and re-delivers on hello; idempotency key; cancel; expiry', async () => {
    const inst = await hub.newInstance();
    const body = { type: 'agent.pause', params: {}, idempotencyKey: 'k1' };
    const first = await hub.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, body);
    const again = await hub.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, body);
    expect(again.body.id).toBe(first.body.id);
    const toCancel = await hub.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, {
      type: 'ping',
      params: {},
    });
    const canceled = await hub.api<{ status: string }>('POST', `/commands/${toCancel.body.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    expect((await hub.api('POST', `/commands/${toCancel.body.id}/cancel`)).status).toBe(409);
    const expiring = await hub.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, {
      type: 'ping',
      params: {},
    });
    await hub.db.query("UPDATE commands SET expires_at = now() - interval '1 second' WHERE id = $1", [
      expiring.body.id,
    ]);
    await hub.ctx.commands.sweep();
    expect((await status(expiring.body.id)).status).toBe('timed_out');

    const side: { c: MqttClient; received: string[] } = await fakeSidecar(inst.id, inst.secret);
    await pub(side.c, `ds/v1/${inst.id}/hello`, {
      v: 1,
      id: 'h',
      instanceId: inst.id,
      bootId: 'b',
      seq: 0,
      ts: Date.now(),
      sidecarVersion: '0.1.0',
      protocolVersion: 1,
      openclawVersion: null,
      capabilities: ['ping', 'agent.pause'],
      hostname: 'vps-1',
    });
    await expect.poll(async () => (await status(first.body.id)).status).toBe('succeeded');
    expect(side.received).toEqual([first.body.id]); // never the canceled or expired ones
    const list = await hub.api<{ id: string }[]>('GET', `/instances/${inst.id}/commands?status=timed_out`);
    expect(list.body.map((c) => c.id)).toEqual([expiring.body.id]);
    const one = await hub.api<{ capabilities: string[] }>('GET', `/instances/${inst.id}`);
    expect(one.body.capabilities).toEqual(['ping', 'agent.pause']);
    await side.c.endAsync();
  });

  it('a command canceled after it was sent reports what the sidecar really did', async () => {
    const inst = await hub.newInstance();
    const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
    let report: ((id: string, state: string, extra?: Record<string, unknown>) => Promise<unknown>) | undefined;
    const got: string[] = [];
    await serveCommands(c, inst.id, hub.hubPublicKey, (v, r) => {
      report = r;
      if (v.ok) got.push(v.command.id);
    });
    await pub(c, `ds/v1/${inst.id}/status`, {
      v: 1,
      id: 's',
      instanceId: inst.id,
      bootId: 'b',
      seq: 0,
      ts: Date.now(),
      state: 'online',
    });
    await expect.poll(() => hub.ctx.fleet.get(inst.id)?.status).toBe('online');
    const r = await hub.api<{ id: string }>('POST', `/instances/${inst.id}/commands`, { type: 'ping', params: {} });
    await expect.poll(() => got).toEqual([r.body.id]);
    // The sidecar holds it but has not said so yet: the hub still sees it queued and cancels.
    expect((await hub.api<{ status: string }>('POST', `/commands/${r.body.id}/cancel`)).body.status).toBe('canceled');
    await report?.(r.body.id, 'delivered');
    await report?.(r.body.id, 'failed', { error: { code: 'exit_1', message: 'ran before the cancel arrived' } });
    await expect.poll(async () => (await status(r.body.id)).status).toBe('failed');
    await c.endAsync();
  });
});
