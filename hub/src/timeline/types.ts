import type { Querier } from '../db/index.js';

/** One thing that happened to an instance, as the timeline shows it. */
export interface TimelineEntry {
  /** Unique across sources: `<kind>:<source id>`. */
  id: string;
  /** ISO time. */
  t: string;
  kind: string;
  /** One line saying what happened. */
  title: string;
  /** Who did it (`user:<email>`, `agent:<name>`, `instance`, `system`), when known. */
  actor: string | null;
  /** State of the thing (a command's status, a backup's, a change's outcome). */
  status: string | null;
  /** Small structured detail (a diff, checks, a recording link, …). */
  detail: Record<string, unknown> | null;
  /** An API path to open for more (a command, a console recording). */
  link: string | null;
}

/** What a source is asked for: one instance, a window, the page's cursor, and who asks. */
export interface TimelineQuery {
  q: Querier;
  instanceId: string;
  from: Date;
  to: Date;
  /** Entries strictly before this (time, id) — the previous page's last entry. */
  before: { t: Date; id: string } | null;
  /** At most this many entries (the newest in the window before the cursor). */
  limit: number;
  /** The caller is one of the client's own people: leave out what does not concern them. */
  client: boolean;
}

/**
 * A source of timeline entries. Adding one (deploys, alerts, agent actions, …) is a file with
 * one of these and one line in registry.ts.
 */
export interface TimelineSource {
  kind: string;
  /** Whether the client's own people see this kind at all (console sessions: never). */
  clientVisible: boolean;
  /** Newest first, within the window, before the cursor; at most `limit`. */
  fetch(query: TimelineQuery): Promise<TimelineEntry[]>;
}

/** SQL for "in the window and before the cursor" on a time column; params appended to `args`. */
export function windowSql(col: string, query: TimelineQuery, args: unknown[]): string {
  args.push(query.from, query.to);
  let sql = `${col} >= $${args.length - 1} AND ${col} < $${args.length}`;
  if (query.before) {
    args.push(query.before.t);
    sql += ` AND ${col} <= $${args.length}`;
  }
  return sql;
}

export const iso = (v: unknown) => new Date(v as string).toISOString();
