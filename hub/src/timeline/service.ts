import type { Querier } from '../db/index.js';
import { TIMELINE_SOURCES } from './registry.js';
import type { TimelineEntry, TimelineSource } from './types.js';

export interface TimelinePage {
  entries: TimelineEntry[];
  /** Pass as `cursor` for the next (older) page; null when there is none. */
  nextCursor: string | null;
}

/** Newest first; equal times by id, so the order (and the cursor) is total. */
export function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  if (a.t !== b.t) return a.t < b.t ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function encodeCursor(e: Pick<TimelineEntry, 't' | 'id'>): string {
  return Buffer.from(JSON.stringify([e.t, e.id])).toString('base64url');
}

/** The cursor's (time, id), or null when it is not one of ours. */
export function decodeCursor(c: string): { t: Date; id: string } | null {
  try {
    const [t, id] = JSON.parse(Buffer.from(c, 'base64url').toString()) as [unknown, unknown];
    const d = new Date(String(t));
    if (typeof id !== 'string' || Number.isNaN(d.getTime())) return null;
    return { t: d, id };
  } catch {
    return null;
  }
}

const before = (e: TimelineEntry, c: { t: Date; id: string }) =>
  compareEntries(e, { ...e, t: c.t.toISOString(), id: c.id }) > 0;

/**
 * One page of an instance's timeline: every source asked for the newest entries in the window
 * before the cursor, merged in time order. Each source returns at most `limit`, so the merge
 * of their heads is the true head of the union.
 */
export async function timelinePage(
  q: Querier,
  input: {
    instanceId: string;
    from: Date;
    to: Date;
    kinds?: readonly string[];
    cursor?: { t: Date; id: string } | null;
    limit: number;
    client: boolean;
    sources?: readonly TimelineSource[];
  },
): Promise<TimelinePage> {
  const sources = (input.sources ?? TIMELINE_SOURCES).filter(
    (s) => (!input.client || s.clientVisible) && (!input.kinds?.length || input.kinds.includes(s.kind)),
  );
  const cursor = input.cursor ?? null;
  // Entries at the cursor's own time come back too (`<=`), so ask for a little more than a page.
  const per = input.limit + 20;
  const lists = await Promise.all(
    sources.map((s) =>
      s.fetch({
        q,
        instanceId: input.instanceId,
        from: input.from,
        to: input.to,
        before: cursor,
        limit: per,
        client: input.client,
      }),
    ),
  );
  const all = lists
    .flat()
    .filter((e) => !cursor || before(e, cursor))
    .sort(compareEntries);
  const entries = all.slice(0, input.limit);
  const more = all.length > input.limit;
  return { entries, nextCursor: more ? encodeCursor(entries[entries.length - 1]) : null };
}

/** CSV of entries (RFC 4180 quoting), detail as JSON. */
export function timelineCsv(entries: readonly TimelineEntry[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const head = ['t', 'kind', 'title', 'actor', 'status', 'link', 'id', 'detail'];
  const rows = entries.map((e) =>
    [e.t, e.kind, e.title, e.actor, e.status, e.link, e.id, e.detail].map(cell).join(','),
  );
  return `${[head.join(','), ...rows].join('\r\n')}\r\n`;
}
