import { describe, expect, it } from 'vitest';
import { DEADLINE } from '../../../scripts/test/processes.js';
import { settle } from '../../src/fault/scenario.js';
import { startSimInstance } from '../../src/fault/sim-instance.js';
import { checkSamples, type Query, storedConversations, waitFor } from '../../src/fault/verify.js';
import { pgAvailable } from '../../src/pg.js';
import { useProxiedHub } from './helpers.js';

const hasPg = await pgAvailable();

describe.skipIf(!hasPg)('fault: the outbox at its cap', () => {
  const env = useProxiedHub('cap', 'cap');

  it('drops the oldest metrics first, keeps conversations, and the hub acks past the gap', {
    timeout: 240_000,
  }, async () => {
    const { h, proxy } = env;
    const c = h.creds[0];
    // ~8 KB samples every 100 ms fill a 1 MB outbox in about 12 s while the hub is unreachable
    const inst = await startSimInstance({
      ...env.instanceOptions(),
      sampleIntervalMs: 100,
      batchIntervalMs: 300,
      outboxMaxMb: 1,
      padSamples: true,
      openclaw: { meanChatIntervalSec: 2 },
    });
    try {
      expect(await waitFor(() => inst.sidecar.outbox.counters.acked > 2, DEADLINE.sidecarOnline)).toBe(true);
      // the hub unreachable (connections refused); a silent cut is network-cut.test.ts's subject
      proxy.cut((process.env.DS_FAULT_CUT_MODE as 'drop' | 'reset') ?? 'reset');
      const cutAt = inst.produced.length;
      expect(await waitFor(() => inst.sidecar.outbox.counters.dropped > 0, 60_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      const restoredAt = inst.produced.length;
      proxy.restore();
      const { required, settled } = await settle(inst, DEADLINE.command);
      expect(settled).toBe(true); // acks moved past the dropped range [SPEC 4.3]
      const q: Query = h.hub.db.query.bind(h.hub.db);
      // Conversations are kept whole through the drops: every message the agent had when the link
      // came back reaches the hub (the collector reads the gateway's history on its own schedule).
      const convIds = inst.gateway.allMessages().map((m) => m.id);
      expect(
        await waitFor(async () => {
          const stored = await storedConversations(q, c.id);
          return convIds.every((id) => stored.ids.has(id));
        }, DEADLINE.command),
        'every conversation message stored',
      ).toBe(true);
      await inst.stop();
      const afterRestore = required.slice(restoredAt);
      const r = await checkSamples(q, c.id, afterRestore, inst.produced);
      expect(r.duplicates).toBe(0);
      expect(r.unknown).toBe(0);
      expect(r.missing).toEqual([]);
      // some samples of the cut were dropped (oldest first), and the hub knows the range as a gap
      const cutSamples = required.slice(cutAt, restoredAt);
      const stored = await checkSamples(q, c.id, cutSamples, inst.produced);
      expect(stored.missing.length).toBeGreaterThan(0);
      expect(stored.missing[0]).toBe(cutSamples[0]);
      const gaps = await q<{ n: string }>(
        "SELECT count(*) AS n FROM ingest_gaps WHERE instance_id = $1 AND stream = 'metrics'",
        [c.id],
      );
      expect(Number(gaps[0].n)).toBeGreaterThan(0);
      const ev = await q<{ n: string }>(
        "SELECT count(*) AS n FROM events WHERE instance_id = $1 AND type = 'outbox.dropped'",
        [c.id],
      );
      expect(Number(ev[0].n)).toBeGreaterThan(0);
      const conv = await storedConversations(q, c.id);
      expect(conv.duplicates).toBe(0);
      expect(convIds.length).toBeGreaterThan(0);
      for (const id of convIds) expect(conv.ids.has(id)).toBe(true);
    } finally {
      await inst.stop().catch(() => {});
    }
  });
});
