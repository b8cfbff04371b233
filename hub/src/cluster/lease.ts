import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';

/** What a lease needs of the database: one statement at a time. */
type LeaseDb = Pick<Db, 'query'>;

/**
 * The name a hub holds leases under: its machine and data directory, so a restarted hub takes its
 * own leases back at once while two hubs on one machine stay apart.
 */
export const leaseHolder = (dataDir: string): string => `${hostname()}:${resolve(dataDir)}`;

/** How long a lease lasts unless renewed, and how often its holder renews it (and others try). */
export const LEASE_TTL_MS = 15_000;
export const LEASE_RENEW_MS = 5_000;

/**
 * One named lease in the database shared by several hubs (`hub_leases`): at most one hub holds it
 * at a time, renews it every few seconds, and gives it up when it stops; when the holder dies, the
 * lease expires and the next hub to try takes it. `onAcquire` / `onLose` start and stop the work
 * the lease stands for. A single hub takes its lease at the first try.
 *
 * The holder is named by the hub (the same name after a restart takes its own lease back at once,
 * rather than waiting for it to expire).
 */
export class Lease {
  private timer?: NodeJS.Timeout;
  private holding = false;
  private trying: Promise<void> | null = null;
  private stopped = false;
  /** When the last renewal started (this hub's clock): the lease holds at least a TTL after it. */
  private renewedAt = 0;

  constructor(
    private readonly d: {
      db: LeaseDb;
      name: string;
      holder: string;
      log: Logger;
      onAcquire: () => Promise<void> | void;
      /** `stopping`: the hub is stopping (else another hub holds the lease now, or may soon). */
      onLose: (stopping: boolean) => Promise<void> | void;
      ttlMs?: number;
      renewMs?: number;
    },
  ) {}

  /** Whether this hub holds the lease (as of its last renewal). */
  get held(): boolean {
    return this.holding;
  }

  /** Tries at once (so a lone hub starts its work before it serves), then keeps trying or renewing. */
  async start(): Promise<void> {
    await this.attempt();
    this.timer = setInterval(() => void this.attempt(), this.d.renewMs ?? LEASE_RENEW_MS);
    this.timer.unref();
  }

  /** Stops the work if held and gives the lease up, so another hub takes it without waiting. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.trying;
    if (!this.holding) return;
    await this.lose('stopping', true);
    await this.d.db
      .query('DELETE FROM hub_leases WHERE name = $1 AND holder = $2', [this.d.name, this.d.holder])
      .catch(() => {});
  }

  /** One try: take (or keep) the lease; start or stop the work when that changed. */
  attempt(): Promise<void> {
    this.trying ??= this.tryOnce().finally(() => {
      this.trying = null;
    });
    return this.trying;
  }

  private async tryOnce(): Promise<void> {
    if (this.stopped) return;
    let got: boolean;
    const started = Date.now();
    try {
      const rows = await this.d.db.query<{ holder: string }>(
        `INSERT INTO hub_leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE hub_leases.holder = excluded.holder OR hub_leases.expires_at < now()
         RETURNING holder`,
        [this.d.name, this.d.holder, this.d.ttlMs ?? LEASE_TTL_MS],
      );
      got = rows.length === 1;
      if (got) this.renewedAt = started;
    } catch (e) {
      // Without the database this hub cannot know whether it still holds the lease: it keeps the
      // work while its last renewal is surely still valid, and stops it before the lease can
      // expire and another hub starts the same work.
      this.d.log.warn({ err: (e as Error).message, lease: this.d.name }, 'lease not renewed');
      const ttl = this.d.ttlMs ?? LEASE_TTL_MS;
      got = this.holding && Date.now() - this.renewedAt < ttl - (this.d.renewMs ?? LEASE_RENEW_MS);
    }
    if (this.stopped) return;
    if (got && !this.holding) {
      this.holding = true;
      this.d.log.info({ lease: this.d.name, holder: this.d.holder }, 'this hub holds the lease: its work starts here');
      try {
        await this.d.onAcquire();
      } catch (e) {
        this.d.log.warn({ err: (e as Error).message, lease: this.d.name }, 'starting the work of the lease failed');
      }
    } else if (!got && this.holding) await this.lose('taken by another hub or not renewed');
  }

  private async lose(why: string, stopping = false): Promise<void> {
    this.holding = false;
    this.d.log.info({ lease: this.d.name, why }, 'this hub no longer holds the lease: its work stops here');
    try {
      await this.d.onLose(stopping);
    } catch (e) {
      this.d.log.warn({ err: (e as Error).message, lease: this.d.name }, 'stopping the work of the lease failed');
    }
  }
}
