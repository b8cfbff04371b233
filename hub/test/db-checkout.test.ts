import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inTransaction, withClient } from '../src/db/checkout.js';
import { PG_URL, pgAvailable } from './helpers/pg.js';

const ready = await pgAvailable();

/**
 * A pooled connection that PostgreSQL drops while it is checked out (between two statements of a
 * transaction: what a database restart does to a hub under load) is an error of the next
 * statement, not an unhandled 'error' event that ends the hub; the pool goes on with a new one.
 */
describe.skipIf(!ready)('a connection dropped while checked out', () => {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  pool.on('error', () => {});
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  afterAll(async () => {
    await pool.end();
    await admin.end();
  });

  it('fails the transaction, discards the client, and the next one works', async () => {
    const failed = inTransaction(pool, async (c) => {
      const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const ended = new Promise((r) => c.once('end', r));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      // The 'error' event has fired once the connection ended, with nothing else listening.
      await Promise.race([
        ended,
        new Promise((_, fail) => setTimeout(() => fail(new Error('the dropped connection never ended')), 15_000)),
      ]);
      await c.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow();
    const again = await withClient(pool, async (c) => (await c.query<{ n: number }>('SELECT 2 AS n')).rows[0].n);
    expect(again).toBe(2);
    expect(pool.totalCount).toBe(1);
  });
});
