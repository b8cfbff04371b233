import type { Db } from '../db/index.js';

/** Consecutive failed logins before an account is locked, and for how long. */
export const LOCKOUT = { maxFailures: 5, lockMs: 15 * 60_000 } as const;

/**
 * Temporary lockout per email (kept in the database, so it holds across hubs and restarts):
 * after 5 consecutive failures the account is locked for 15 minutes; a success resets it.
 * Unknown emails are counted the same way, so lockout does not reveal which accounts exist.
 */
export class LoginThrottle {
  constructor(private readonly db: Db) {}

  /** Milliseconds until the lock ends, or 0 when not locked. */
  async lockedFor(email: string): Promise<number> {
    const rows = await this.db.query<{ locked_until: string | null }>(
      'SELECT locked_until FROM login_attempts WHERE email = $1',
      [email.toLowerCase()],
    );
    const until = rows[0]?.locked_until ? new Date(rows[0].locked_until).getTime() : 0;
    return Math.max(0, until - Date.now());
  }

  /** Records a failure; returns true when this failure locked the account. */
  async failed(email: string): Promise<boolean> {
    const rows = await this.db.query<{ failures: number }>(
      `INSERT INTO login_attempts (email, failures, updated_at) VALUES ($1, 1, now())
       ON CONFLICT (email) DO UPDATE SET failures = login_attempts.failures + 1, updated_at = now()
       RETURNING failures`,
      [email.toLowerCase()],
    );
    if ((rows[0]?.failures ?? 0) < LOCKOUT.maxFailures) return false;
    await this.db.query('UPDATE login_attempts SET failures = 0, locked_until = $2 WHERE email = $1', [
      email.toLowerCase(),
      new Date(Date.now() + LOCKOUT.lockMs),
    ]);
    return true;
  }

  async succeeded(email: string): Promise<void> {
    await this.db.query('DELETE FROM login_attempts WHERE email = $1', [email.toLowerCase()]);
  }

  /** Lifts a lock (an admin unlocking a user, or a completed password reset). */
  async clear(email: string): Promise<void> {
    await this.succeeded(email);
  }
}
