import type pg from 'pg';

/**
 * Runs `fn` on one pooled connection (a transaction, a COPY). pg takes the pool's error listener
 * off a client while it is checked out, so a connection dropped between two statements (the
 * database restarting, a network cut) would be an unhandled 'error' event and end the process.
 * This listens while the client is out, and a client that failed is discarded on release rather
 * than handed to the next caller; `fn` sees the failure as its next statement's error.
 */
export async function withClient<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (e: Error) => {
    broken = e;
  };
  c.on('error', onError);
  try {
    return await fn(c);
  } finally {
    c.removeListener('error', onError);
    c.release(broken);
  }
}

/** `fn` in a transaction on one pooled connection (see {@link withClient}); rolled back when it throws. */
export function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (c) => {
    await c.query('BEGIN');
    try {
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });
}
