import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEADLINE } from '../../../scripts/test/processes.js';
import { settle } from '../../src/fault/scenario.js';
import { startSimInstance } from '../../src/fault/sim-instance.js';
import { checkSamples, type Query, waitFor } from '../../src/fault/verify.js';
import { pgAvailable } from '../../src/pg.js';
import { useProxiedHub } from './helpers.js';

const hasPg = await pgAvailable();

describe.skipIf(!hasPg)('fault: a corrupt outbox segment', () => {
  const env = useProxiedHub('cor', 'corrupt');

  it('skips the damaged records, reports them, and delivers everything else once', { timeout: 240_000 }, async () => {
    const { h, proxy, dir } = env;
    const c = h.creds[0];
    const opts = {
      ...env.instanceOptions(),
      sampleIntervalMs: 100,
      batchIntervalMs: 300,
    };
    proxy.cut('reset'); // offline: everything stays in the outbox
    const first = await startSimInstance(opts);
    await new Promise((r) => setTimeout(r, 3000));
    await first.stop();
    const produced1 = [...first.produced];
    const outboxDir = path.join(dir, 'outbox');
    const segs = readdirSync(outboxDir).filter((f) => f.startsWith('seg-'));
    expect(segs.length).toBeGreaterThan(0);
    const file = path.join(outboxDir, segs.sort()[0]);
    const buf = readFileSync(file);
    const at = Math.floor(buf.length / 2);
    for (let i = at; i < Math.min(buf.length, at + 64); i++) buf[i] ^= 0xff; // flip 64 bytes mid-segment
    writeFileSync(file, buf);
    expect(statSync(file).size).toBe(buf.length);

    proxy.restore();
    const second = await startSimInstance(opts);
    try {
      expect(second.sidecar.outbox.counters.corrupt).toBeGreaterThan(0);
      expect(await waitFor(() => second.sidecar.outbox.counters.acked > 2, DEADLINE.sidecarOnline)).toBe(true);
      const { required, settled } = await settle(second, DEADLINE.command);
      expect(settled).toBe(true); // the hub acks past what was lost [SPEC 4.3]
      await second.stop();
      const q: Query = h.hub.db.query.bind(h.hub.db);
      const r = await checkSamples(q, c.id, required, [...produced1, ...second.produced]);
      expect(r.duplicates).toBe(0);
      expect(r.unknown).toBe(0);
      expect(r.missing).toEqual([]); // the second run's samples
      const old = await checkSamples(q, c.id, produced1);
      expect(old.missing.length).toBeGreaterThan(0); // the damaged part is gone…
      expect(old.missing.length).toBeLessThan(produced1.length); // …the part before it was delivered
      expect(
        await waitFor(
          async () =>
            Number(
              (
                await q<{ n: string }>(
                  "SELECT count(*) AS n FROM events WHERE instance_id = $1 AND type = 'outbox.corrupt'",
                  [c.id],
                )
              )[0].n,
            ) > 0,
          10_000,
        ),
      ).toBe(true);
    } finally {
      await second.stop().catch(() => {});
    }
  });
});
