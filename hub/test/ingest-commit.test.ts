import type { AckedStream } from '@deepsignal/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openPglite, type Querier } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { commitBatch } from '../src/ingest/commit.js';
import { settle } from '../src/ingest/settle.js';
import type { Sequenced, StreamWriters } from '../src/ingest/types.js';

/** Writers that record what they were asked to store instead of storing it. */
function recorder() {
  const written: string[] = [];
  const w = {
    write: async (_q: Querier, items: Sequenced[]) => {
      for (const m of items) written.push(`${m.instanceId}/${m.bootId}/${m.stream}/${m.seq}`);
      return undefined;
    },
  };
  const writers = { metrics: w, logs: w, conversations: w, events: w, 'cmd-result': w } as unknown as StreamWriters;
  return { written, writers };
}

const msg = (instanceId: string, seq: number, base?: number, stream: AckedStream = 'metrics'): Sequenced =>
  ({ stream, instanceId, bootId: 'b1', seq, base, message: {} }) as Sequenced;

/** A random permutation (seeded LCG, so a failure reproduces). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('settle', () => {
  it('moves an in-order cursor without remembering anything', () => {
    expect(settle(4, 0, [], [5, 6, 7])).toEqual({ contiguous: 7, gaps: [], remember: [], prune: false });
  });
  it('remembers out-of-order seqs and prunes them once the hole fills', () => {
    expect(settle(4, 0, [], [7, 8])).toEqual({ contiguous: 4, gaps: [], remember: [7, 8], prune: false });
    expect(settle(4, 0, [7, 8], [5, 6])).toEqual({ contiguous: 8, gaps: [], remember: [], prune: true });
  });
  it('settles below base and records the holes there as gaps', () => {
    expect(settle(-1, 10, [3], [5, 12])).toEqual({
      contiguous: 9,
      gaps: [
        [0, 2],
        [4, 4],
        [6, 9],
      ],
      remember: [12],
      prune: true,
    });
  });
});

describe('commitBatch', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
  });
  afterAll(async () => db?.close());

  /** Runs a batch in a transaction and lists the statements it sent. */
  async function run(batch: Sequenced[], writers: StreamWriters, known?: Set<string>) {
    const sql: string[] = [];
    const out = await db.tx((q) =>
      commitBatch(
        {
          query: (s, p) => {
            sql.push(s);
            return q.query(s, p);
          },
          bulkInsert: (t, c, r) => q.bulkInsert(t, c, r),
        },
        batch,
        writers,
        known,
      ),
    );
    return { out, sql };
  }

  it('in-order traffic writes no ingest_seen rows and acks the last seq', async () => {
    const { written, writers } = recorder();
    for (let seq = 0; seq < 20; seq += 4) {
      const { out, sql } = await run(
        [0, 1, 2, 3].map((k) => msg('inorder', seq + k)),
        writers,
      );
      expect(sql.some((s) => /ingest_seen \(|DELETE FROM ingest_seen/.test(s))).toBe(false);
      expect(out.acks.get('inorder')).toEqual([{ bootId: 'b1', stream: 'metrics', seq: seq + 3 }]);
    }
    expect(written).toHaveLength(20);
    const seen = await db.query("SELECT * FROM ingest_seen WHERE instance_id = 'inorder'");
    expect(seen).toEqual([]);
  });

  it('stores every seq exactly once under shuffling, replays and bases; gaps cover exactly the rest', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const id = `shuffle${seed}`;
      const rand = rng(seed);
      const { written, writers } = recorder();
      const n = 120;
      // Seqs 30..39 are never sent (the sidecar dropped them): a later base of 45 settles them.
      const sent = [...Array(n).keys()].filter((s) => s < 30 || s >= 40);
      // Shuffled in blocks of 8 (a sidecar's in-flight window); a base only once everything
      // below it was sent, as a sidecar does.
      const deliveries: Sequenced[] = [];
      for (const part of [sent.filter((s) => s < 45), sent.filter((s) => s >= 45)]) {
        const block: Sequenced[] = [];
        for (const s of part) {
          block.push(msg(id, s, s >= 60 ? 45 : undefined));
          if (rand() < 0.3) block.push(msg(id, s)); // a replay
        }
        for (let i = 0; i < block.length; i += 8) {
          const b = block.slice(i, i + 8);
          for (let k = b.length - 1; k > 0; k--) {
            const j = Math.floor(rand() * (k + 1));
            [b[k], b[j]] = [b[j], b[k]];
          }
          deliveries.push(...b);
        }
      }
      let acked = -1;
      let gaps = 0;
      while (deliveries.length) {
        const { out } = await run(deliveries.splice(0, 1 + Math.floor(rand() * 12)), writers);
        const a = out.acks.get(id)?.[0]?.seq ?? -1;
        expect(a).toBeGreaterThanOrEqual(acked); // the ack never goes back
        acked = a;
        gaps += out.gaps;
        // the seen table holds exactly the written seqs above the cursor
        const seen = await db.query<{ seq: number }>(
          'SELECT seq FROM ingest_seen WHERE instance_id = $1 ORDER BY seq',
          [id],
        );
        const writtenSeqs = written.map((w) => Number(w.split('/')[3]));
        expect(seen.map((r) => Number(r.seq))).toEqual(writtenSeqs.filter((s) => s > a).sort((x, y) => x - y));
      }
      const seqs = written.map((w) => Number(w.split('/')[3]));
      expect(new Set(seqs).size).toBe(seqs.length); // no duplicates
      expect([...seqs].sort((x, y) => x - y)).toEqual(sent);
      expect(acked).toBe(n - 1);
      const rows = await db.query<{ from_seq: number; to_seq: number }>(
        'SELECT from_seq, to_seq FROM ingest_gaps WHERE instance_id = $1',
        [id],
      );
      expect(rows.length).toBe(gaps);
      const holes = rows.flatMap((r) =>
        [...Array(Number(r.to_seq) - Number(r.from_seq) + 1).keys()].map((k) => k + Number(r.from_seq)),
      );
      expect(holes.sort((x, y) => x - y)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
    }
  });

  it('keeps streams and boots apart and drops a seq sent twice in one batch', async () => {
    const { written, writers } = recorder();
    const { out } = await run(
      [msg('mix', 0), msg('mix', 0), msg('mix', 0, undefined, 'logs'), { ...msg('mix', 0), bootId: 'b2' }],
      writers,
    );
    expect(written.sort()).toEqual(['mix/b1/logs/0', 'mix/b1/metrics/0', 'mix/b2/metrics/0']);
    expect(out.duplicates).toBe(1);
  });

  it('skips creating cursors it knows, and recreates one whose row was deleted', async () => {
    const { written, writers } = recorder();
    const known = new Set<string>();
    expect(
      (await run([msg('known', 0)], writers, known)).sql.some((s) => s.includes('INSERT INTO ingest_cursors')),
    ).toBe(true);
    const second = await run([msg('known', 1)], writers, known);
    expect(second.sql.some((s) => s.includes('INSERT INTO ingest_cursors'))).toBe(false);
    expect(second.out.acks.get('known')?.[0].seq).toBe(1);
    await db.query("DELETE FROM ingest_cursors WHERE instance_id = 'known'");
    const third = await run([msg('known', 0, undefined, 'metrics'), msg('known', 1)], writers, known);
    expect(third.out.acks.get('known')?.[0].seq).toBe(1);
    expect(await db.query("SELECT contiguous FROM ingest_cursors WHERE instance_id = 'known'")).toHaveLength(1);
    expect(written).toHaveLength(4); // with its cursor gone, the stream starts over
  });
});
