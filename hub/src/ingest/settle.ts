/** Where one (instance, boot, stream) cursor ends up after a batch, and what that takes. */
export interface Settled {
  /** The new contiguous seq (everything at or below it is stored or settled as a gap). */
  contiguous: number;
  /** Seq ranges below `base` that never arrived. [SPEC 4.3] */
  gaps: [from: number, to: number][];
  /** Seqs written now that stay above the cursor: they go to `ingest_seen` (out of order). */
  remember: number[];
  /** Some `ingest_seen` rows are now at or below the cursor and can be deleted. */
  prune: boolean;
}

/**
 * Moves a cursor over `base` and over the contiguous run of stored seqs. [SPEC 4.1, 4.3]
 *
 * `seen` are the seqs already committed above the cursor (the `ingest_seen` rows); `fresh` are
 * the seqs this batch writes (all above the cursor and not in `seen`). Only seqs that are still
 * above the new cursor need remembering: a message that arrives in order (seq = cursor + 1) just
 * moves the cursor, so the normal case writes no `ingest_seen` row and deletes none. The result
 * is the same as remembering every fresh seq and pruning everything at or below the cursor.
 */
export function settle(contiguous: number, base: number, seen: readonly number[], fresh: readonly number[]): Settled {
  const seqs = seen.length ? [...seen, ...fresh].sort((a, b) => a - b) : [...fresh].sort((a, b) => a - b);
  const gaps: [number, number][] = [];
  let c = contiguous;
  // Everything below base is settled; unseen seqs in between are a gap.
  if (base - 1 > c) {
    let next = c + 1;
    for (const s of seqs) {
      if (s >= base) break;
      if (s > next) gaps.push([next, s - 1]);
      next = Math.max(next, s + 1);
    }
    if (next <= base - 1) gaps.push([next, base - 1]);
    c = base - 1;
  }
  for (const s of seqs) {
    if (s <= c) continue;
    if (s !== c + 1) break;
    c = s;
  }
  return {
    contiguous: c,
    gaps,
    remember: fresh.filter((s) => s > c),
    prune: seen.some((s) => s <= c),
  };
}
