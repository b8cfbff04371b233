/**
 * A silent network cut (no FIN, no RST) between the sidecar and the broker: the keepalive must
 * notice it, and every message published into the dead connection must be sent again after the
 * reconnect, so the hub's contiguous ack moves on. [SPEC 4.4, 4.5]
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BlackholeProxy, startBlackholeProxy } from './helpers/blackhole-proxy.js';
import { type MiniHub, startMiniHub } from './helpers/mini-hub.js';
import { startTestSidecar, uniqueId } from './helpers/sidecar.js';

const id = uniqueId('cut');
let hub: MiniHub;
let proxy: BlackholeProxy;
beforeAll(async () => {
  hub = await startMiniHub({ [id]: 'pw' });
  proxy = await startBlackholeProxy({ host: '127.0.0.1', port: hub.port });
});
afterAll(async () => {
  await proxy.close();
  await hub.close();
});

describe('silent network cut', () => {
  it('detects it by keepalive and re-sends what went into the dead connection, in order', async () => {
    const noDelay = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    const t = await startTestSidecar(proxy.url, id, 'pw', { keepaliveSec: 2, replayRate: 500 });
    try {
      await hub.waitFor(() => t.sidecar.outbox.counters.acked >= 2, 8000);
      // TCP_NODELAY on the MQTT socket after connect (Nagle + delayed ACK cost ~40 ms a hop)
      expect(noDelay.mock.calls.some(([on]) => on === true)).toBe(true);
      proxy.cut();
      // messages keep going into the dead connection: no PUBACK, no error
      await new Promise((r) => setTimeout(r, 400));
      expect(t.sidecar.link.connected).toBe(true);
      proxy.restore();
      // the keepalive (2 s: a ping, then ~3 s without an answer) closes it; a reconnect follows
      await hub.waitFor(() => t.sidecar.link.counters.disconnects >= 1, 10_000);
      await hub.waitFor(() => t.sidecar.link.connected, 8000);
      t.sidecar.flush();
      const target = t.sidecar.outbox.counters.appended;
      await hub.waitFor(() => t.sidecar.outbox.counters.acked >= target, 10_000);
      // Everything up to the target is acked and gone; only batches appended since may remain.
      expect(t.sidecar.outbox.size()).toBeLessThanOrEqual(t.sidecar.outbox.counters.appended - target);
      const seqs = hub.stored
        .filter((m) => m.instanceId === id && m.kind === 'metrics' && m.bootId === t.sidecar.bootId)
        .map((m) => m.seq)
        .sort((a, b) => a - b);
      expect(seqs.length).toBeGreaterThan(3);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
    } finally {
      noDelay.mockRestore();
      await t.cleanup();
    }
  }, 30_000);
});
