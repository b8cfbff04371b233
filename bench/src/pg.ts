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

/**
 * Drops a schema and everything in it (a missing one is fine). With TimescaleDB, the schema's
 * background jobs are deleted first: a refresh running during the drop fails it with `tuple
 * concurrently deleted`. A drop that still fails is retried a few times, then throws: a schema
 * left behind keeps its rows and jobs in the database for good.
 */
export async function dropSchema(schema: string, url = PG_URL): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await withClient(async (c) => {
        const ts = await c.query(
          `SELECT n.nspname AS s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'timescaledb'`,
        );
        if (ts.rows[0]) {
          const ext = `"${String(ts.rows[0].s).replaceAll('"', '""')}"`;
          await c.query(
            `SELECT ${ext}.delete_job(job_id) FROM timescaledb_information.jobs WHERE hypertable_schema = $1`,
            [schema],
          );
        }
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }, url);
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
  throw new Error(`could not drop schema ${schema}: ${(last as Error).message}`);
}

/** The server's version string. */
export async function pgVersion(url = PG_URL): Promise<string | undefined> {
  try {
    return await withClient(async (c) => (await c.query<{ v: string }>('SELECT version() AS v')).rows[0].v, url);
  } catch {
    return undefined;
  }
}
