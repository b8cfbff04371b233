import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { inTransaction, withClient } from './checkout.js';
import { copyInsert } from './copy.js';
import * as schema from './schema.js';

/** Drizzle database over either driver. */
export type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A connection that runs SQL; inside `tx` it is the transaction's connection. */
export interface Querier {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /**
   * Bulk-loads rows into a table: COPY FROM STDIN on PostgreSQL (pg-copy-streams), multi-row
   * INSERTs on PGlite (which has no COPY from a client stream).
   */
  bulkInsert(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
}

/** The hub's database: PostgreSQL (pool) or PGlite (in-process, single connection). */
export interface Db extends Querier {
  kind: 'pg' | 'pglite';
  schema: string;
  orm: Drizzle;
  tx<T>(fn: (q: Querier) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

function insertSql(table: string, columns: readonly string[], rowCount: number, offset = 0): string {
  const n = columns.length;
  const values: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    const ph: string[] = [];
    for (let c = 0; c < n; c++) ph.push(`$${offset + r * n + c + 1}`);
    values.push(`(${ph.join(',')})`);
  }
  return `INSERT INTO ${ident(table)} (${columns.map(ident).join(',')}) VALUES ${values.join(',')}`;
}

/**
 * Multi-row INSERT in chunks that stay under PostgreSQL's 65535 parameters; `suffix` may add
 * e.g. `ON CONFLICT DO NOTHING RETURNING …`, whose rows are returned.
 */
export async function insertRows<R = Record<string, unknown>>(
  q: Pick<Querier, 'query'>,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  suffix = '',
): Promise<R[]> {
  const per = Math.max(1, Math.floor(60_000 / columns.length));
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    out.push(...(await q.query<R>(`${insertSql(table, columns, chunk.length)} ${suffix}`, chunk.flat())));
  }
  return out;
}

async function multiRowInsert(
  q: Pick<Querier, 'query'>,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
) {
  await insertRows(q, table, columns, rows);
}

/** Opens PostgreSQL at `url`, with every connection's search_path set to `dbSchema`. */
export async function openPostgres(url: string, dbSchema: string): Promise<Db> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  try {
    await setup.query(`CREATE SCHEMA IF NOT EXISTS ${ident(dbSchema)}`);
  } finally {
    await setup.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: 8, options: `-c search_path=${dbSchema},public` });
  pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing
  const querier = (c: pg.Pool | pg.PoolClient): Querier => ({
    query: async (sql, params) => (await c.query(sql, params as unknown[])).rows,
    bulkInsert: (table, columns, rows) =>
      'release' in c
        ? copyInsert(c as pg.PoolClient, table, columns, rows)
        : multiRowInsert(querier(c), table, columns, rows),
  });
  const base = querier(pool);
  return {
    kind: 'pg',
    schema: dbSchema,
    orm: drizzlePg(pool, { schema }) as unknown as Drizzle,
    ...base,
    bulkInsert: (table, columns, rows) => withClient(pool, (c) => copyInsert(c, table, columns, rows)),
    tx: (fn) => inTransaction(pool, (c) => fn(querier(c))),
    close: () => pool.end(),
  };
}

/** Opens (or creates) the embedded PGlite database under `dataDir/db`; `dir: null` keeps it in memory. */
export async function openPglite(dataDir: string | null, dbSchema = 'public', sharedBuffers = '32MB'): Promise<Db> {
  let dir: string | undefined;
  if (dataDir) {
    dir = join(resolve(dataDir), 'db');
    mkdirSync(dir, { recursive: true });
  }
  // Loaded only when the embedded database is used: a hub on PostgreSQL never pays for PGlite's
  // WebAssembly module and sources in its resident memory.
  const { PGlite } = await import('@electric-sql/pglite');
  // PostgreSQL's default 128 MB of shared buffers lives inside PGlite's WebAssembly memory, which
  // never shrinks: with it the embedded hub idled at ~470 MB RSS (940 MB on its first start, when
  // initdb runs beside it). The data files are real files the OS caches anyway, so 32 MB of buffers
  // keeps the WebAssembly memory at its 128 MB floor (measured: ~340 MB RSS idle, ~450-500 MB on
  // the first start). DS_PGLITE_SHARED_BUFFERS gives more to a bigger embedded database.
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`];
  return wrapPglite(new PGlite(dir, { startParams }), dbSchema);
}

/**
 * The subset of PGlite's API the hub uses, so another PGlite build (e.g. one with TimescaleDB
 * compiled in, for tests of the Timescale SQL) can be wrapped the same way.
 */
export interface PgliteLike {
  waitReady: Promise<void>;
  exec(sql: string): Promise<unknown>;
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  transaction<T>(fn: (tx: Pick<PgliteLike, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A Db over an open PGlite instance, with `dbSchema` created and first on the search_path. */
export async function wrapPglite(lite: PgliteLike, dbSchema = 'public'): Promise<Db> {
  await lite.waitReady;
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  if (dbSchema !== 'public') await lite.exec(`CREATE SCHEMA IF NOT EXISTS ${ident(dbSchema)}`);
  await lite.exec(`SET search_path TO ${ident(dbSchema)}, public`);
  const querier = (c: Pick<PgliteLike, 'query'>): Querier => ({
    query: async <R>(sql: string, params?: unknown[]) => (await c.query<R>(sql, params as unknown[])).rows,
    bulkInsert: (table, columns, rows) => multiRowInsert(querier(c), table, columns, rows),
  });
  return {
    kind: 'pglite',
    schema: dbSchema,
    orm: drizzlePglite(lite as unknown as PGlite, { schema }) as unknown as Drizzle,
    ...querier(lite),
    tx: (fn) => lite.transaction((t) => fn(querier(t))),
    close: () => lite.close(),
  };
}
