import type { Db } from '../db/index.js';

/**
 * Failed logins before a lock, and for how long: `perSource` consecutive failures for one email
 * from one address lock that pair; `perAccount` failures from anywhere lock the email everywhere
 * (a spread-out guessing attack) until it expires, an admin unlocks it, or a password reset.
 */
export const LOCKOUT = { maxFailures: 5, maxAccountFailures: 25, lockMs: 15 * 60_000 } as const;

/**
 * Temporary lockout per account and source (kept in the database, so it holds across hubs and
 * restarts). Someone guessing from one address locks only themselves out: the rightful owner,
 * logging in from elsewhere, still gets in; and a password reset (a link to the owner's mailbox)
 * lifts every lock. Unknown emails are counted the same way, so lockout does not reveal which
 * accounts exist. Rows are keyed `email` (account) and `email source` (a space cannot occur in
 * either part).
 */
export class LoginThrottle {
  constructor(private readonly db: Db) {}

  /** Milliseconds until the lock on this email from this address ends, or 0 when not locked. */
  async lockedFor(email: string, source = ''): Promise<number> {
    const rows = await this.db.query<{ locked_until: string | null }>(
      'SELECT locked_until FROM login_attempts WHERE email = ANY($1::text[]) AND locked_until > now()',
      [keys(email, source)],
    );
    const until = Math.max(0, ...rows.map((r) => (r.locked_until ? new Date(r.locked_until).getTime() : 0)));
    return Math.max(0, until - Date.now());
  }

  /** Records a failure; returns true when this failure locked the account (from here or everywhere). */
  async failed(email: string, source = ''): Promise<boolean> {
    let locked = false;
    for (const [key, max] of [
      [keys(email, source)[1], LOCKOUT.maxFailures],
      [keys(email, source)[0], LOCKOUT.maxAccountFailures],
    ] as const) {
      const rows = await this.db.query<{ failures: number }>(
        `INSERT INTO login_attempts (email, failures, updated_at) VALUES ($1, 1, now())
         ON CONFLICT (email) DO UPDATE SET failures = login_attempts.failures + 1, updated_at = now()
         RETURNING failures`,
        [key],
      );
      if ((rows[0]?.failures ?? 0) < max) continue;
      await this.db.query('UPDATE login_attempts SET failures = 0, locked_until = $2 WHERE email = $1', [
        key,
        new Date(Date.now() + LOCKOUT.lockMs),
      ]);
      locked = true;
    }
    return locked;
  }

  /** A good login from this address: its failures are forgotten (the account-wide count too). */
  async succeeded(email: string, source = ''): Promise<void> {
    await this.db.query('DELETE FROM login_attempts WHERE email = ANY($1::text[])', [keys(email, source)]);
  }

  /** Lifts every lock on an email (an admin unlocking a user, or a completed password reset). */
  async clear(email: string): Promise<void> {
    const e = email.toLowerCase();
    await this.db.query('DELETE FROM login_attempts WHERE email = $1 OR left(email, $2) = $3', [
      e,
      e.length + 1,
      `${e} `,
    ]);
  }
}

function keys(email: string, source: string): [string, string] {
  const e = email.toLowerCase();
  return [e, `${e} ${source.replace(/\s/g, '')}`];
}
