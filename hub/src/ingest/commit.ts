import type { AckedStream } from '@deepsignal/protocol';
import type { Querier } from '../db/index.js';
import type { Sequenced, StreamWriters } from './types.js';

/** One ack entry for `ds/v1/<id>/ack`. [SPEC 4.2] */
export interface AckEntry {
  bootId: string;
  stream: AckedStream;
  seq: number;
}

/** What one committed batch produced. */
export interface CommitOutcome {
  /** Per instance: the contiguous seq of every (boot, stream) the batch touched. */
  acks: Map<string, AckEntry[]>;
  fresh: number;
  duplicates: number;
  gaps: number;
  after: (() => void)[];
}

interface Cursor {
  instanceId: string;
  bootId: string;
  stream: AckedStream;
  contiguous: number;
  base: number;
}

const keyOf = (i: string, b: string, s: string) => `${i}\u0000${b}\u0000${s}`;

/**
 * Commits a batch in one transaction: dedupe, data, cursors, gaps. [SPEC 4.1-4.3]
 *
 * Dedupe survives restarts and several hubs: a seq at or below the cursor is a duplicate; above it,
 * the key is inserted into `ingest_seen` ON CONFLICT DO NOTHING and only returned (new) keys are
 * written. The cursor rows are locked (FOR UPDATE, in key order) for the transaction, so two hubs
 * ingesting the same stream serialize on it. Seen rows at or below the new cursor are pruned.
 */
export async function commitBatch(q: Querier, batch: Sequenced[], writers: StreamWriters): Promise<CommitOutcome> {
  const cursors = new Map<string, Cursor>();
  for (const m of batch) {
    const k = keyOf(m.instanceId, m.bootId, m.stream);
    const c = cursors.get(k);
    const base = m.base ?? 0;
    if (c) c.base = Math.max(c.base, base);
    else cursors.set(k, { instanceId: m.instanceId, bootId: m.bootId, stream: m.stream, contiguous: -1, base });
  }
  const cs = [...cursors.values()].sort((a, b) =>
    keyOf(a.instanceId, a.bootId, a.stream) < keyOf(b.instanceId, b.bootId, b.stream) ? -1 : 1,
  );
  const arrays = [cs.map((c) => c.instanceId), cs.map((c) => c.bootId), cs.map((c) => c.stream)];
  await q.query(
    `INSERT INTO ingest_cursors (instance_id, boot_id, stream)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
    arrays,
  );
  const locked = await q.query<{ instance_id: string; boot_id: string; stream: string; contiguous: string | number }>(
    `SELECT instance_id, boot_id, stream, contiguous FROM ingest_cursors
     WHERE (instance_id, boot_id, stream) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
     ORDER BY instance_id, boot_id, stream FOR UPDATE`,
    arrays,
  );
  for (const r of locked) {
    const c = cursors.get(keyOf(r.instance_id, r.boot_id, r.stream));
    if (c) c.contiguous = Number(r.contiguous);
  }

  // Candidates: above the cursor. The seen table decides which of them are new.
  const candidates = batch.filter(
    (m) => m.seq > (cursors.get(keyOf(m.instanceId, m.bootId, m.stream))?.contiguous ?? -1),
  );
  const fresh: Sequenced[] = [];
  if (candidates.length) {
    const inserted = await q.query<{ instance_id: string; boot_id: string; stream: string; seq: string | number }>(
      `INSERT INTO ingest_seen (instance_id, boot_id, stream, seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING
       RETURNING instance_id, boot_id, stream, seq`,
      [
        candidates.map((m) => m.instanceId),
        candidates.map((m) => m.bootId),
        candidates.map((m) => m.stream),
        candidates.map((m) => m.seq),
      ],
    );
    const isNew = new Set(inserted.map((r) => `${keyOf(r.instance_id, r.boot_id, r.stream)}\u0000${r.seq}`));
    for (const m of candidates) {
      const k = `${keyOf(m.instanceId, m.bootId, m.stream)}\u0000${m.seq}`;
      if (isNew.delete(k)) fresh.push(m); // delete: a key twice in one batch is written once
    }
  }

  const after: (() => void)[] = [];
  const byStream = new Map<AckedStream, Sequenced[]>();
  for (const m of fresh) {
    const list = byStream.get(m.stream) ?? [];
    list.push(m);
    byStream.set(m.stream, list);
  }
  for (const [stream, items] of byStream) {
    const done = await (writers[stream].write as (q: Querier, i: Sequenced[]) => Promise<(() => void) | undefined>)(
      q,
      items,
    );
    if (done) after.push(done);
  }

  const gaps = await advanceCursors(q, cs, arrays);
  const acks = new Map<string, AckEntry[]>();
  for (const c of cs) {
    if (c.contiguous < 0) continue;
    const list = acks.get(c.instanceId) ?? [];
    list.push({ bootId: c.bootId, stream: c.stream, seq: c.contiguous });
    acks.set(c.instanceId, list);
  }
  return { acks, fresh: fresh.length, duplicates: batch.length - fresh.length, gaps, after };
}

/** Moves each cursor over `base` and over contiguous seen seqs; records gaps; prunes. */
async function advanceCursors(q: Querier, cs: Cursor[], arrays: string[][]): Promise<number> {
  const seenRows = await q.query<{ instance_id: string; boot_id: string; stream: string; seq: string | number }>(
    `SELECT s.instance_id, s.boot_id, s.stream, s.seq FROM ingest_seen s
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(i, b, st)
       ON s.instance_id = k.i AND s.boot_id = k.b AND s.stream = k.st
     ORDER BY s.seq`,
    arrays,
  );
  const seen = new Map<string, number[]>();
  for (const r of seenRows) {
    const k = keyOf(r.instance_id, r.boot_id, r.stream);
    const list = seen.get(k) ?? [];
    list.push(Number(r.seq));
    seen.set(k, list);
  }
  let gapCount = 0;
  const changed: Cursor[] = [];
  for (const c of cs) {
    const before = c.contiguous;
    const seqs = seen.get(keyOf(c.instanceId, c.bootId, c.stream)) ?? [];
    // [SPEC 4.3] everything below base is settled; unseen seqs in between are a gap.
    if (c.base - 1 > c.contiguous) {
      let next = c.contiguous + 1;
      for (const s of seqs) {
        if (s >= c.base) break;
        if (s > next) {
          await recordGap(q, c, next, s - 1);
          gapCount++;
        }
        next = Math.max(next, s + 1);
      }
      if (next <= c.base - 1) {
        await recordGap(q, c, next, c.base - 1);
        gapCount++;
      }
      c.contiguous = c.base - 1;
    }
    for (const s of seqs) {
      if (s <= c.contiguous) continue;
      if (s !== c.contiguous + 1) break;
      c.contiguous = s;
    }
    if (c.contiguous !== before || seqs.some((s) => s <= c.contiguous)) changed.push(c);
  }
  if (changed.length) {
    const a = [
      changed.map((c) => c.instanceId),
      changed.map((c) => c.bootId),
      changed.map((c) => c.stream),
      changed.map((c) => c.contiguous),
    ];
    await q.query(
      `UPDATE ingest_cursors c SET contiguous = GREATEST(c.contiguous, u.seq), updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(i, b, st, seq)
       WHERE c.instance_id = u.i AND c.boot_id = u.b AND c.stream = u.st`,
      a,
    );
    await q.query(
      `DELETE FROM ingest_seen s USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(i, b, st, seq)
       WHERE s.instance_id = u.i AND s.boot_id = u.b AND s.stream = u.st AND s.seq <= u.seq`,
      a,
    );
  }
  return gapCount;
}

function recordGap(q: Querier, c: Cursor, from: number, to: number) {
  return q.query('INSERT INTO ingest_gaps (instance_id, boot_id, stream, from_seq, to_seq) VALUES ($1,$2,$3,$4,$5)', [
    c.instanceId,
    c.bootId,
    c.stream,
    from,
    to,
  ]);
}
