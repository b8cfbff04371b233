import { from as copyFrom } from 'pg-copy-streams';
import { PG_URL, withClient } from '../pg.js';

/** Columns of the hub's `metric_samples` table: one wide row per per-second sample. */
export const SAMPLE_COLUMNS = [
  'instance_id',
  't',
  'cpu',
  'memory',
  'disk',
  'load1',
  'load5',
  'load15',
  'swap',
  'net_rx',
  'net_tx',
  'uptime',
  'openclaw_cpu',
  'openclaw_rss',
] as const;

/** Metric values per row (every column but instance and time). */
export const POINTS_PER_ROW = SAMPLE_COLUMNS.length - 2;

/** The same shape as hub/src/db/schema.ts `metric_samples`, used when no hub table is there to copy. */
const FALLBACK_DDL = (table: string) => `CREATE TABLE ${table} (
  instance_id text NOT NULL, t timestamptz NOT NULL,
  cpu real, memory real, disk real, load1 real, load5 real, load15 real, swap real,
  net_rx double precision, net_tx double precision, uptime double precision,
  openclaw_cpu real, openclaw_rss double precision)`;

/** Result of one COPY run. */
export interface CopyResult {
  rows: number;
  seconds: number;
  rowsPerSec: number;
  pointsPerSec: number;
}

/** Row `i` of a deterministic synthetic load: `instances` instances, one row per second each. */
export function* syntheticRows(instances: number, rows: number, startMs: number): Generator<string> {
  for (let i = 0; i < rows; i++) {
    const inst = i % instances;
    const sec = Math.floor(i / instances);
    const t = new Date(startMs + sec * 1000).toISOString();
    const x = (i * 7919) % 1000;
    yield `bench-${inst}\t${t}\t${(x % 100) / 1.3}\t${40 + (x % 50)}\t${55.5}\t${x / 500}\t${x / 600}\t${x / 700}\t0\t${
      x * 1000
    }\t${x * 900}\t${86400 + sec}\t${(x % 30) / 1.7}\t${9e8 + x * 1000}\n`;
  }
}

/**
 * Raw COPY FROM STDIN (pg-copy-streams, one stream) of `rows` metric rows into a fresh table of
 * the hub's shape in `schema`. `likeTable` (schema-qualified) copies the hub's real table with its
 * indexes, so the baseline pays the same index cost as ingest does.
 */
export async function copyBaseline(opts: {
  schema: string;
  rows: number;
  instances: number;
  likeTable?: string;
  url?: string;
}): Promise<CopyResult> {
  const table = `"${opts.schema}".copy_baseline`;
  return withClient(async (c) => {
    await c.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
    await c.query(`DROP TABLE IF EXISTS ${table}`);
    await c.query(
      opts.likeTable ? `CREATE TABLE ${table} (LIKE ${opts.likeTable} INCLUDING ALL)` : FALLBACK_DDL(table),
    );
    const started = performance.now();
    const stream = c.query(copyFrom(`COPY ${table} (${SAMPLE_COLUMNS.join(',')}) FROM STDIN`));
    const done = new Promise<void>((res, rej) => {
      stream.on('finish', res);
      stream.on('error', rej);
    });
    let buf = '';
    for (const line of syntheticRows(opts.instances, opts.rows, Date.now() - 86_400_000)) {
      buf += line;
      if (buf.length > 1 << 16) {
        if (!stream.write(buf)) await new Promise((r) => stream.once('drain', r));
        buf = '';
      }
    }
    stream.end(buf);
    await done;
    const seconds = (performance.now() - started) / 1000;
    await c.query(`DROP TABLE IF EXISTS ${table}`);
    return {
      rows: opts.rows,
      seconds,
      rowsPerSec: opts.rows / seconds,
      pointsPerSec: (opts.rows * POINTS_PER_ROW) / seconds,
    };
  }, opts.url ?? PG_URL);
}
