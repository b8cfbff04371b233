import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MiniHub, startMiniHub } from './helpers/mini-hub.js';
import { startTestSidecar, uniqueId } from './helpers/sidecar.js';

let hub: MiniHub;
const creds: Record<string, string> = {};
const id1 = uniqueId();
const id2 = uniqueId();
creds[id1] = 'secret-1';
creds[id2] = 'secret-2';

beforeAll(async () => {
  hub = await startMiniHub(creds);
});
afterAll(async () => {
  await hub.close();
});

const of = (instanceId: string, kind: string) =>
  hub.stored.filter((m) => m.instanceId === instanceId && m.kind === kind);

describe('MQTT delivery', () => {
  it('announces itself, streams valid metric batches and empties the outbox on acks', async () => {
    const t = await startTestSidecar(hub.url, id1, 'secret-1');
    try {
      await hub.waitFor(() => of(id1, 'metrics').length >= 3);
      const status = hub.presence.find((p) => p.instanceId === id1 && p.kind === 'status');
      expect(status?.message).toMatchObject({ state: 'online', bootId: t.sidecar.bootId });
      const hello = hub.presence.find((p) => p.instanceId === id1 && p.kind === 'hello');
      expect(hello?.message).toMatchObject({ protocolVersion: 1, openclawVersion: null });
      expect(hello?.message.capabilities as string[]).toContain('ping');
      const seqs = of(id1, 'metrics').map((m) => m.seq);
      expect(seqs.slice(0, 3)).toEqual([0, 1, 2]);
      expect(hub.rejected).toEqual([]);
      const ev = of(id1, 'events').flatMap((m) => m.message.events as { type: string }[]);
      expect(ev.map((e) => e.type)).toContain('sidecar.started');
      await hub.waitFor(() => t.sidecar.outbox.size() <= 1);
      // last will: a dropped connection leaves a retained offline status
      t.sidecar.link.kill();
      await hub.waitFor(
        () => hub.presence.filter((p) => p.instanceId === id1 && p.kind === 'status').length >= 2,
        5000,
      );
      const offline = hub.presence.filter((p) => p.instanceId === id1 && p.kind === 'status')[1];
      expect(offline.message.state).toBe('offline');
      // and it comes back online by itself
      await hub.waitFor(
        () => hub.presence.filter((p) => p.instanceId === id1 && p.kind === 'status').length >= 3,
        5000,
      );
    } finally {
      await t.cleanup();
    }
    expect((await hub.retainedStatus(id1))?.state).toBe('offline');
  });

  it('holds everything while the hub is down or not acking, then replays in order without loss or duplicates', async () => {
    const t = await startTestSidecar(hub.url, id2, 'secret-2', { replayRate: 200 });
    try {
      await hub.waitFor(() => of(id2, 'metrics').length >= 2);
      // database down: messages arrive but nothing is acked
      hub.acking = false;
      await new Promise((r) => setTimeout(r, 600));
      // broker down
      await hub.pause();
      await new Promise((r) => setTimeout(r, 800));
      const heldWhileDown = t.sidecar.outbox.size();
      expect(heldWhileDown).toBeGreaterThan(4);
      hub.acking = true;
      await hub.restart();
      await hub.waitFor(() => t.sidecar.link.connected, 8000);
      await new Promise((r) => setTimeout(r, 500));
      await hub.waitFor(() => t.sidecar.outbox.size() <= 2, 8000);
      const seqs = of(id2, 'metrics')
        .filter((m) => m.bootId === t.sidecar.bootId)
        .map((m) => m.seq)
        .sort((a, b) => a - b);
      const max = seqs[seqs.length - 1];
      expect(seqs).toEqual(Array.from({ length: max + 1 }, (_, i) => i));
      expect(t.sidecar.stats().sender).toMatchObject({ replayed: expect.any(Number) });
    } finally {
      await t.cleanup();
    }
  });
});
