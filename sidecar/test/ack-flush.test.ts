/**
 * Ack marks are written in batches, not once per ack message, and a crash that loses the newest
 * marks only re-sends those messages (the hub drops them as duplicates): nothing is lost. [SPEC 4.1, 4.4]
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../src/outbox/outbox.js';
import { type MiniHub, startMiniHub } from './helpers/mini-hub.js';
import { startTestSidecar, uniqueId } from './helpers/sidecar.js';

const id = uniqueId('ackw');
let hub: MiniHub;
beforeAll(async () => {
  hub = await startMiniHub({ [id]: 'pw' });
});
afterAll(async () => {
  await hub.close();
});

describe('ack marks on disk', () => {
  it('are written once per interval, not per ack, and a lost write only causes re-sends', async () => {
    const t = await startTestSidecar(hub.url, id, 'pw', {}, { ackFlushMs: 3_600_000 });
    const file = path.join(t.stateDir, 'outbox', 'acked.json');
    try {
      await hub.waitFor(() => (t.sidecar.stats() as { acks: number }).acks >= 8, 8000);
      expect(t.sidecar.outbox.counters.acked).toBeGreaterThan(4);
      // many acks, no write yet: the interval has not passed
      expect(t.sidecar.outbox.counters.ackWrites).toBe(0);
      expect(existsSync(file)).toBe(false);
      // as after kill -9 now (a copy of the state taken at this instant): every record still held
      // comes back; acked ones whose marks were not written yet come back too, to be sent again,
      // unless their segment was already freed (acks free segments, the active one included)
      const copy = mkdtempSync(path.join(tmpdir(), 'ds-ackw-'));
      cpSync(path.join(t.stateDir, 'outbox'), copy, { recursive: true });
      const live = new Set([...t.sidecar.outbox.entries()].map((e) => `${e.stream}/${e.seq}`));
      const crashed = new Outbox({ dir: copy, maxBytes: 1 << 30, fsync: false });
      const held = new Set([...crashed.entries()].map((e) => `${e.stream}/${e.seq}`));
      crashed.close();
      rmSync(copy, { recursive: true, force: true });
      for (const k of live) expect(held.has(k)).toBe(true);
      expect(held.size).toBeGreaterThanOrEqual(live.size);
    } finally {
      await t.sidecar.stop();
    }
    // a clean stop writes the marks once
    expect(t.sidecar.outbox.counters.ackWrites).toBe(1);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8'))).length).toBeGreaterThan(0);
    await t.cleanup();
  });
});
