import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite, openPostgres } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from './helpers/pg.js';

const hasPg = await pgAvailable();

describe('migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('apply once on PGlite and survive a reopen', async () => {
    const db = await openPglite(dir);
    expect((await migrate(db)).length).toBeGreaterThan(0);
    await db.bulkInsert('clients', ['id', 'name'], [['c1', 'Acme']]);
    await db.close();
    const again = await openPglite(dir);
    expect(await migrate(again)).toEqual([]);
    expect(await again.query('SELECT name FROM clients')).toEqual([{ name: 'Acme' }]);
    await again.close();
  });

  it.skipIf(!hasPg)('apply inside a private schema on PostgreSQL, with COPY', async () => {
    const schema = uniqueSchema();
    const db = await openPostgres(PG_URL, schema);
    try {
      await migrate(db);
      await db.bulkInsert('clients', ['id', 'name', 'industry'], [['c1', 'A\tB\\C\nD', '']]);
      const rows = await db.query<{ table_schema: string }>(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'metric_samples' AND table_schema = $1",
        [schema],
      );
      expect(rows).toHaveLength(1);
      expect(await db.query('SELECT name FROM clients')).toEqual([{ name: 'A\tB\\C\nD' }]);
    } finally {
      await db.close();
      await dropSchema(schema);
    }
  });
});
