/**
 * Whether an error means "the database cannot be reached right now" (connection refused or cut,
 * server shutting down, too many connections, pool timeout, PGlite closed) rather than a fault in
 * the request: the API answers those with 503 so callers retry, never with a 500.
 */
export function databaseUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = String(err?.code ?? '');
  if (/^(08|53|57P0)/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) return true;
  const msg = String(err?.message ?? '');
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|PGlite is closed|connect ECONNREFUSED/i.test(
    msg,
  );
}
