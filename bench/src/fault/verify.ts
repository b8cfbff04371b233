/** Runs SQL against the hub's database (PostgreSQL schema or a closed PGlite dir). */
export type Query = <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>;

/** What the database holds for one instance's metrics, compared with what was produced. */
export interface ExactlyOnceReport {
  stored: number;
  duplicates: number;
  /** Produced (and required) samples that are not stored. */
  missing: number[];
  /** Stored samples that were never produced. */
  unknown: number;
  /** Per boot: the hub's contiguous metrics seq. */
  cursors: { bootId: string; contiguous: number }[];
  gaps: number;
}

/**
 * Checks every required per-second sample is stored exactly once (by timestamp), nothing
 * unknown is stored, and reads the hub's per-boot sequence cursors and recorded gaps. [SPEC 4.1-4.3]
 */
export async function checkSamples(
  q: Query,
  instanceId: string,
  required: number[],
  produced: number[] = required,
): Promise<ExactlyOnceReport> {
  const rows = await q<{ ms: string | number; n: string | number }>(
    'SELECT (extract(epoch FROM t) * 1000)::bigint AS ms, count(*) AS n FROM metric_samples WHERE instance_id = $1 GROUP BY 1',
    [instanceId],
  );
  const stored = new Map(rows.map((r) => [Number(r.ms), Number(r.n)]));
  const all = new Set(produced);
  const cursors = await q<{ boot_id: string; contiguous: string | number }>(
    "SELECT boot_id, contiguous FROM ingest_cursors WHERE instance_id = $1 AND stream = 'metrics' ORDER BY updated_at",
    [instanceId],
  );
  const gaps = await q<{ n: string | number }>('SELECT count(*) AS n FROM ingest_gaps WHERE instance_id = $1', [
    instanceId,
  ]);
  return {
    stored: stored.size,
    duplicates: [...stored.values()].filter((n) => n > 1).length,
    missing: required.filter((t) => !stored.has(t)),
    unknown: [...stored.keys()].filter((t) => !all.has(t)).length,
    cursors: cursors.map((c) => ({ bootId: c.boot_id, contiguous: Number(c.contiguous) })),
    gaps: Number(gaps[0]?.n ?? 0),
  };
}

/** Conversation messages stored for an instance, with how many ids appear more than once. */
export async function storedConversations(
  q: Query,
  instanceId: string,
): Promise<{ ids: Set<string>; duplicates: number }> {
  const rows = await q<{ message_id: string; n: string | number }>(
    'SELECT message_id, count(*) AS n FROM conversation_messages WHERE instance_id = $1 GROUP BY 1',
    [instanceId],
  );
  return { ids: new Set(rows.map((r) => r.message_id)), duplicates: rows.filter((r) => Number(r.n) > 1).length };
}

/** Polls `cond` every 100 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Fault durations: scaled down by default so CI stays bounded; DS_FAULT_FULL=1 runs the full ones. */
export const FAULT = {
  full: process.env.DS_FAULT_FULL === '1',
  cutMs: process.env.DS_FAULT_FULL === '1' ? 60_000 : Number(process.env.DS_FAULT_CUT_MS ?? 4000),
  dbOutageMs: process.env.DS_FAULT_FULL === '1' ? 30_000 : Number(process.env.DS_FAULT_DB_OUTAGE_MS ?? 4000),
};
