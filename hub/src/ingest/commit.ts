import type { AckedStream } from '@deepsignal/protocol';
import type { Querier } from '../db/index.js';
import { settle } from './settle.js';
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
  key: string;
  instanceId: string;
  bootId: string;
  stream: AckedStream;
  contiguous: number;
  base: number;
  /** Seqs committed earlier above the cursor (`ingest_seen`), ascending. */
  seen: Set<number>;
  /** Seqs this batch writes. */
  fresh: Set<number>;
}

type KeyRow = { instance_id: string; boot_id: string; stream: string };
const keyOf = (i: string, b: string, s: string) => `${i}\u0000${b}\u0000${s}`;

/**
 * Commits a batch in one transaction: dedupe, data, cursors, gaps. [SPEC 4.1-4.3]
 *
 * Dedupe survives restarts and several hubs. The cursor rows are locked (FOR UPDATE, in key order)
 * for the transaction, so two hubs ingesting the same stream serialize on them. A seq at or below
 * the cursor is a duplicate; above it, it is a duplicate if `ingest_seen` holds it (committed
 * earlier, out of order) or it came twice in this batch. Only seqs that stay above the moved
 * cursor are added to `ingest_seen`, so in-order traffic writes and prunes no seen rows.
 * `known` (kept by the caller across batches) holds cursor keys whose row exists.
 */
export async function commitBatch(
  q: Querier,
  batch: Sequenced[],
  writers: StreamWriters,
  known: Set<string> = new Set(),
): Promise<CommitOutcome> {
  const cursors = new Map<string, Cursor>();
  for (const m of batch) {
    const k = keyOf(m.instanceId, m.bootId, m.stream);
    const c = cursors.get(k);
    const base = m.base ?? 0;
    if (c) c.base = Math.max(c.base, base);
    else {
      const { instanceId, bootId, stream } = m;
      cursors.set(k, { key: k, instanceId, bootId, stream, contiguous: -1, base, seen: new Set(), fresh: new Set() });
    }
  }
  const cs = [...cursors.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  await lockCursors(q, cs, known);
  // Read only now, in its own statement: with the cursors locked, a fresh snapshot sees every
  // seen row another hub committed before releasing them (a subquery in the locking SELECT
  // would use that statement's older snapshot).
  const seenRows = await q.query<KeyRow & { seq: string | number }>(
    `SELECT s.instance_id, s.boot_id, s.stream, s.seq FROM ingest_seen s
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(i, b, st)
       ON s.instance_id = k.i AND s.boot_id = k.b AND s.stream = k.st
     ORDER BY s.seq`,
    keyArrays(cs),
  );
  for (const r of seenRows) cursors.get(keyOf(r.instance_id, r.boot_id, r.stream))?.seen.add(Number(r.seq));

  const byStream = new Map<AckedStream, Sequenced[]>();
  let fresh = 0;
  for (const m of batch) {
    const c = cursors.get(keyOf(m.instanceId, m.bootId, m.stream)) as Cursor;
    if (m.seq <= c.contiguous || c.fresh.has(m.seq) || c.seen.has(m.seq)) continue;
    c.fresh.add(m.seq);
    fresh++;
    const list = byStream.get(m.stream);
    if (list) list.push(m);
    else byStream.set(m.stream, [m]);
  }
  const after: (() => void)[] = [];
  for (const [stream, items] of byStream) {
    const done = await (writers[stream].write as (q: Querier, i: Sequenced[]) => Promise<(() => void) | undefined>)(
      q,
      items,
    );
    if (done) after.push(done);
  }

  const gaps = await advanceCursors(q, cs);
  const acks = new Map<string, AckEntry[]>();
  for (const c of cs) {
    if (c.contiguous < 0) continue;
    const list = acks.get(c.instanceId) ?? [];
    list.push({ bootId: c.bootId, stream: c.stream, seq: c.contiguous });
    acks.set(c.instanceId, list);
  }
  return { acks, fresh, duplicates: batch.length - fresh, gaps, after };
}

const keyArrays = (cs: Cursor[]) => [cs.map((c) => c.instanceId), cs.map((c) => c.bootId), cs.map((c) => c.stream)];

/** Most cursors a hub remembers as existing; past it the memory starts over. */
const MAX_KNOWN = 200_000;

/**
 * Creates missing cursor rows, then locks and reads them all (FOR UPDATE, in key order). When
 * every key is in `known` the INSERT is skipped: one round trip less for the usual batch. A
 * remembered row that is gone (its data was deleted) is created and locked afterwards.
 */
async function lockCursors(q: Querier, cs: Cursor[], known: Set<string>): Promise<void> {
  const insert = (xs: Cursor[]) =>
    q.query(
      `INSERT INTO ingest_cursors (instance_id, boot_id, stream)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
      keyArrays(xs),
    );
  const lock = async (xs: Cursor[]) => {
    const rows = await q.query<KeyRow & { contiguous: string | number }>(
      `SELECT instance_id, boot_id, stream, contiguous FROM ingest_cursors
       WHERE (instance_id, boot_id, stream) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))
       ORDER BY instance_id, boot_id, stream FOR UPDATE`,
      keyArrays(xs),
    );
    const found = new Map<string, number>();
    for (const r of rows) found.set(keyOf(r.instance_id, r.boot_id, r.stream), Number(r.contiguous));
    const missing: Cursor[] = [];
    for (const c of xs) {
      const contiguous = found.get(c.key);
      if (contiguous === undefined) missing.push(c);
      else c.contiguous = contiguous;
    }
    return missing;
  };
  if (!cs.every((c) => known.has(c.key))) await insert(cs);
  const missing = await lock(cs);
  if (missing.length) {
    await insert(missing);
    if ((await lock(missing)).length) throw new Error('ingest cursor rows missing after insert');
  }
  if (known.size > MAX_KNOWN) known.clear();
  for (const c of cs) known.add(c.key);
}

/** Settles each cursor (see `settle`), then writes cursors, gaps and seen rows in a few statements. */
async function advanceCursors(q: Querier, cs: Cursor[]): Promise<number> {
  const moved: Cursor[] = [];
  const pruned: Cursor[] = [];
  const gaps: { c: Cursor; from: number; to: number }[] = [];
  const remember: { c: Cursor; seq: number }[] = [];
  for (const c of cs) {
    const s = settle(c.contiguous, c.base, [...c.seen], [...c.fresh]);
    for (const [from, to] of s.gaps) gaps.push({ c, from, to });
    for (const seq of s.remember) remember.push({ c, seq });
    if (s.contiguous !== c.contiguous) moved.push(c);
    if (s.prune) pruned.push(c);
    c.contiguous = s.contiguous;
  }
  if (moved.length) {
    await q.query(
      `UPDATE ingest_cursors c SET contiguous = GREATEST(c.contiguous, u.seq), updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(i, b, st, seq)
       WHERE c.instance_id = u.i AND c.boot_id = u.b AND c.stream = u.st`,
      [...keyArrays(moved), moved.map((c) => c.contiguous)],
    );
  }
  if (pruned.length) {
    await q.query(
      `DELETE FROM ingest_seen s USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(i, b, st, seq)
       WHERE s.instance_id = u.i AND s.boot_id = u.b AND s.stream = u.st AND s.seq <= u.seq`,
      [...keyArrays(pruned), pruned.map((c) => c.contiguous)],
    );
  }
  if (remember.length) {
    await q.query(
      `INSERT INTO ingest_seen (instance_id, boot_id, stream, seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING`,
      [...keyArrays(remember.map((r) => r.c)), remember.map((r) => r.seq)],
    );
  }
  if (gaps.length) {
    await q.query(
      `INSERT INTO ingest_gaps (instance_id, boot_id, stream, from_seq, to_seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`,
      [...keyArrays(gaps.map((g) => g.c)), gaps.map((g) => g.from), gaps.map((g) => g.to)],
    );
  }
  return gaps.length;
}
