import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

const COPY_SPECIAL = /[\\\t\n\r]/;

/**
 * Text-format COPY escaping: \N for null, backslash escapes for the rest. Numbers and dates
 * never contain the special characters, and most strings do not: COPY of metric rows is the
 * ingest's main cost in Node, so those skip the replacing.
 */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString();
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (!COPY_SPECIAL.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** COPY … FROM STDIN of `rows` on one connection (kept apart from the pool so the ingest thread can use it alone). */
export async function copyInsert(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
) {
  if (rows.length === 0) return;
  const stream = client.query(copyFrom(`COPY ${ident(table)} (${columns.map(ident).join(',')}) FROM STDIN`));
  const done = new Promise<void>((res, rej) => {
    stream.on('finish', res);
    stream.on('error', rej);
  });
  let buf = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) buf += i ? `\t${copyField(row[i])}` : copyField(row[i]);
    buf += '\n';
    // Large chunks: every write is a CopyData message (and possibly a syscall).
    if (buf.length > 1 << 18) {
      if (!stream.write(buf)) await new Promise((r) => stream.once('drain', r));
      buf = '';
    }
  }
  stream.end(buf);
  await done;
}
