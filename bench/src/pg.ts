import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL database the benchmarks and fault tests use. */
export const PG_URL = process.env.DS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A unique schema name for one run, so parallel runs never collide. */
export function uniqueSchema(prefix = 'bench'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Runs `fn` with one connected client, then closes it. */
export async function withClient<T>(fn: (c: pg.Client) => Promise<T>, url = PG_URL): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** Whether the PostgreSQL answers. */
export async function pgAvailable(url = PG_URL): Promise<boolean> {
  try {
    await withClient((c) => c.query('SELECT 1'), url);
    return true;
  } catch {
    return false;
  }
}

/** Drops a schema and everything in it (ignores a missing one). */
export async function dropSchema(schema: string, url = PG_URL): Promise<void> {
  await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`), url);
}

/** The server's version string. */
export async function pgVersion(url = PG_URL): Promise<string | undefined> {
  try {
    return await withClient(async (c) => (await c.query<{ v: string }>('SELECT version() AS v')).rows[0].v, url);
  } catch {
    return undefined;
  }
}
