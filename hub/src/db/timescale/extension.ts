import type { Db } from '../client.js';

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/**
 * Makes sure the timescaledb extension exists and returns the schema its functions live in,
 * quoted for use in SQL. The extension is database-wide: it is created in `public` (where
 * TimescaleDB's docs and every other client expect it), never in a hub's own schema, since a
 * second hub on another schema would not find its functions and dropping the first hub's schema
 * would drop the extension for the whole database. An existing installation is used where it is.
 */
export async function ensureTimescaleExtension(db: Db): Promise<string> {
  const found = async () =>
    (
      await db.query<{ schema: string }>(
        `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'timescaledb'`,
      )
    )[0]?.schema;
  let schema = await found();
  if (!schema) {
    await db.query('CREATE SCHEMA IF NOT EXISTS public');
    // Several hubs may start at once: a concurrent CREATE may win; then use what it made.
    await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb SCHEMA public').catch(async (e) => {
      if (!(await found())) throw e;
    });
    schema = (await found()) ?? 'public';
  }
  return ident(schema);
}
