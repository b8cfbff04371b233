import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.js';

/** Folder of the versioned migrations that `drizzle-kit generate` writes. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

/**
 * Applies drizzle-kit's migrations in journal order, each once, recorded in `schema_migrations`.
 * drizzle's own migrator writes into a fixed `drizzle` schema and the generated SQL names
 * `"public"` in foreign keys; this runner applies the same files inside the configured schema
 * (search_path), so several hubs or test runs can share one PostgreSQL database.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const journal = JSON.parse(readFileSync(join(dir, 'meta/_journal.json'), 'utf8')) as Journal;
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (tag text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const done = new Set((await db.query<{ tag: string }>('SELECT tag FROM schema_migrations')).map((r) => r.tag));
  const applied: string[] = [];
  for (const e of [...journal.entries].sort((a, b) => a.idx - b.idx)) {
    if (done.has(e.tag)) continue;
    const sql = readFileSync(join(dir, `${e.tag}.sql`), 'utf8').replaceAll('"public".', '');
    await db.tx(async (q) => {
      // Several hubs may start together against one database: one applies, the others skip.
      await q.query('SELECT pg_advisory_xact_lock(72439113)');
      if ((await q.query('SELECT 1 FROM schema_migrations WHERE tag = $1', [e.tag])).length) return;
      for (const stmt of sql.split('--> statement-breakpoint')) if (stmt.trim()) await q.query(stmt);
      await q.query('INSERT INTO schema_migrations (tag) VALUES ($1) ON CONFLICT DO NOTHING', [e.tag]);
    });
    applied.push(e.tag);
  }
  return applied;
}
