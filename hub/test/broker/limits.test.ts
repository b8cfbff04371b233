import { type Socket, connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_TIMEOUT_MS, packetSizeGuard } from '../../src/broker/limits.js';
import { connectSidecar, startTestHub, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/sidecar-proc.js';

const MiB = 1024 * 1024;
const heapMiB = () => Math.round((process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers) / MiB);

/** A raw TCP client to the broker; `closedAt` is set when the hub closes it. */
function rawClient(url: string) {
  const u = new URL(url);
  const sock: Socket = tcpConnect(Number(u.port), u.hostname);
  const state = { sock, closed: false, written: 0 };
  sock.on('close', () => {
    state.closed = true;
  });
  sock.on('error', () => {});
  return new Promise<typeof state>((res) => sock.once('connect', () => res(state)));
}

/** The fixed header of a CONNECT declaring `len` remaining bytes (variable-length encoding). */
function connectHeader(len: number): Buffer {
  const bytes = [0x10];
  let x = len;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 128;
    bytes.push(b);
  } while (x > 0);
  return Buffer.from(bytes);
}

describe('MQTT framing guard', () => {
  it('follows packet boundaries across chunks and stops at the first oversize length', () => {
    const ok = packetSizeGuard(() => 100);
    const small = Buffer.concat([Buffer.from([0x30, 3]), Buffer.from('abc'), Buffer.from([0xc0, 0])]);
    expect(ok(small.subarray(0, 2))).toBe(true);
    expect(ok(small.subarray(2))).toBe(true);
    expect(ok(Buffer.from([0x30, 0x80]))).toBe(true); // length continues in the next chunk
    expect(ok(Buffer.from([0x01]))).toBe(false); // 128 > 100
    expect(packetSizeGuard(() => 1e9)(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(false); // 5 length bytes
  });
});

describe('broker limits before and after login', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });

  it('closes pre-auth clients declaring a huge CONNECT before buffering it, and keeps memory flat', async () => {
    const before = heapMiB();
    const clients = await Promise.all(Array.from({ length: 20 }, () => rawClient(hub.mqttUrl)));
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    // Each declares 256 MiB and then tries to send 4 MiB of it.
    for (const c of clients) {
      c.sock.write(connectHeader(256 * MiB - 1));
      for (let i = 0; i < 16 && !c.closed; i++) c.sock.write(chunk);
    }
    const t0 = Date.now();
    await until(() => clients.every((c) => c.closed), CONNECT_TIMEOUT_MS - 2_000, 'oversize clients closed');
    const closedMs = Date.now() - t0;
    const after = heapMiB();
    console.log(
      `pre-auth oversize: 20 clients x 256 MiB declared, all closed in ${closedMs} ms (connect timeout ${CONNECT_TIMEOUT_MS} ms); hub heap+buffers ${before} -> ${after} MiB`,
    );
    expect(after - before).toBeLessThan(40);
    const m = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    expect(m).toMatch(/ds_ingest_rejects_total\{reason="preauth_packet_too_large"\} (\d+)/);
  });

  it('closes a slow client that never finishes its CONNECT within the connect timeout', async () => {
    const c = await rawClient(hub.mqttUrl);
    c.sock.write(connectHeader(40));
    c.sock.write(Buffer.from([0x00, 0x04]));
    const t0 = Date.now();
    // One byte now and then: never enough to complete the packet before the timeout.
    const drip = setInterval(() => !c.closed && c.sock.write(Buffer.from('M')), 1_000);
    try {
      await until(() => c.closed, CONNECT_TIMEOUT_MS + 10_000, 'slow client closed');
    } finally {
      clearInterval(drip);
    }
    const ms = Date.now() - t0;
    console.log(`slow pre-auth client closed after ${ms} ms`);
    expect(ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 1_000);
  });

  it('closes a logged-in sidecar sending a packet over 256 KiB; smaller ones still pass', async () => {
    const inst = await hub.newInstance();
    const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
    let closed = false;
    c.on('close', () => {
      closed = true;
    });
    await c.publishAsync(`ds/v1/${inst.id}/logs`, Buffer.alloc(200 * 1024, 0x20), { qos: 1 });
    expect(closed).toBe(false);
    c.publish(`ds/v1/${inst.id}/logs`, Buffer.alloc(2 * MiB, 0x20), { qos: 1 });
    await until(() => closed, 10_000, 'oversize sidecar closed');
    c.end(true);
  });

  it('keeps the retain flag only on status and only for a small one', async () => {
    const inst = await hub.newInstance();
    const c = await connectSidecar(hub.mqttUrl, inst.id, inst.secret);
    const status = JSON.stringify({
      v: 1,
      id: 's1',
      instanceId: inst.id,
      bootId: 'b1',
      seq: 0,
      ts: Date.now(),
      state: 'online',
    });
    await c.publishAsync(`ds/v1/${inst.id}/status`, status, { qos: 1, retain: true });
    // Valid frames on channel topics: many session ids, each would pin its own retained copy.
    for (let i = 0; i < 20; i++)
      await c.publishAsync(
        `ds/v1/${inst.id}/console/s${i}/out`,
        JSON.stringify({ v: 1, type: 'output', seq: 0, data: 'A'.repeat(16 * 1024) }),
        { qos: 1, retain: true },
      );
    await c.publishAsync(`ds/v1/${inst.id}/logs`, '{"v":1}', { qos: 1, retain: true });
    await c.publishAsync(`ds/v1/${inst.id}/transfer/t1/out`, Buffer.alloc(10 * 1024, 0x42), { qos: 1, retain: true });
    c.end(true);
    const aedes = (
      hub.broker as unknown as { aedes: { persistence: { createRetainedStream(p: string): NodeJS.ReadableStream } } }
    ).aedes;
    const retained: { topic: string; payload: Buffer }[] = [];
    await new Promise<void>((res, rej) => {
      const s = aedes.persistence.createRetainedStream(`ds/v1/${inst.id}/#`);
      s.on('data', (p: { topic: string; payload: Buffer }) => retained.push(p));
      s.on('end', () => res());
      s.on('error', rej);
    });
    expect(retained.map((r) => r.topic)).toEqual([`ds/v1/${inst.id}/status`]);
    const bytes = retained.reduce((n, r) => n + r.payload.length, 0);
    console.log(
      `retained for one instance after 23 retained publishes (20 valid console frames of 16 KiB): ${retained.length} message(s), ${bytes} bytes`,
    );
    expect(bytes).toBeLessThanOrEqual(4096);
  });
});
