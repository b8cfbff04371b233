import type { HubConfig } from '../config.js';
import { type Db, openPglite, openPostgres } from './client.js';
import { migrate } from './migrate.js';

export type { Db, Querier } from './client.js';

/** Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite) and migrates it. */
export async function openDatabase(
  config: Pick<HubConfig, 'databaseUrl' | 'dataDir' | 'dbSchema'> & Partial<Pick<HubConfig, 'pgliteSharedBuffers'>>,
): Promise<Db> {
  const db = config.databaseUrl
    ? await openPostgres(config.databaseUrl, config.dbSchema)
    : await openPglite(config.dataDir, config.dbSchema, config.pgliteSharedBuffers);
  return migrateOpen(db);
}

/** Migrates an already open database; closes it when that fails. */
export async function migrateOpen(db: Db): Promise<Db> {
  try {
    await migrate(db);
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  return db;
}
