import type { Logger } from 'pino';
import type { RollupTracker } from '../../ingest/deps.js';
import type { Db } from '../client.js';
import { CAGGS, HYPERTABLES, REFRESH_WINDOW_MS, retentionDays, type TimescaleSettings } from './statements.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const BUCKET_MS = { metric_cagg_1m: MINUTE, metric_cagg_1h: HOUR } as const;

/** A maintenance task of the hub's that failed on its latest run. */
export interface MaintenanceFailure {
  task: string;
  error: string;
  at: string;
}

/**
 * Keeps the continuous aggregates complete and runs compression and retention when the hub is
 * the scheduler.
 *
 * Late data: the aggregates' refresh (the hub's or TimescaleDB's policy) reaches back a bounded
 * window, so a batch from a sidecar's outbox after a long outage, or any backfill, would stay out
 * of the charts. Ingest reports the oldest sample time of every committed batch (`touched`); the
 * next run refreshes exactly the buckets from there on, coalesced across batches and instances,
 * like the plain path's rollups recompute every bucket that received data.
 *
 * With scheduler `hub` (the default), the same run is the whole refresh (every bucket that got
 * data since the last run), and once an hour it compresses chunks older than 7 days and drops
 * chunks past retention: TimescaleDB then needs no background worker at all, which also avoids
 * servers whose scheduled jobs fail (see hub/README.md, TimescaleDB).
 */
export class TimescaleMaintenance implements RollupTracker {
  private dirtyFrom: number | null = null;
  private lastHousekeeping = 0;
  private readonly failed = new Map<string, MaintenanceFailure>();

  constructor(
    private readonly db: Db,
    private readonly ext: string,
    private readonly settings: TimescaleSettings,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  touched(_instanceId: string, from: Date): void {
    const t = from.getTime();
    if (Number.isFinite(t)) this.dirtyFrom = Math.min(this.dirtyFrom ?? t, t);
  }

  /** Tasks whose latest run failed (shown with TimescaleDB's own failing jobs on /healthz). */
  failures(): MaintenanceFailure[] {
    return [...this.failed.values()];
  }

  /** On start with the hub as scheduler: bring the aggregates up to date from where they stop. */
  async recover(): Promise<void> {
    const [row] = await this.db.query<{ last: Date | string | null }>('SELECT max(bucket) AS last FROM metric_cagg_1m');
    this.touched('', row?.last ? new Date(row.last) : new Date(this.now() - REFRESH_WINDOW_MS.metric_cagg_1m));
  }

  async run(): Promise<void> {
    await this.refresh();
    if (this.settings.scheduler === 'hub' && this.now() - this.lastHousekeeping >= HOUR) {
      this.lastHousekeeping = this.now();
      await this.task('compression', () => this.compress());
      await this.task('retention', () => this.retain());
    }
  }

  /** Refreshes the aggregates over the buckets that received data; on failure they stay due. */
  private async refresh(): Promise<void> {
    const from = this.dirtyFrom;
    if (from === null) return;
    this.dirtyFrom = null;
    const now = this.now();
    const ok = await this.task('refresh', async () => {
      for (const cagg of CAGGS) {
        const bucket = BUCKET_MS[cagg];
        // TimescaleDB's own policy covers its window; only older buckets are the hub's to do then.
        const end = this.settings.scheduler === 'hub' ? now : now - REFRESH_WINDOW_MS[cagg] + bucket;
        const start = Math.floor(from / bucket) * bucket;
        const stop = Math.floor(end / bucket) * bucket + bucket;
        if (stop <= start) continue;
        await this.db.query(
          `CALL ${this.ext}.refresh_continuous_aggregate('${cagg}', '${new Date(start).toISOString()}'::timestamptz, '${new Date(stop).toISOString()}'::timestamptz)`,
        );
      }
    });
    if (!ok) this.touched('', new Date(from));
  }

  private async compress(): Promise<void> {
    for (const table of HYPERTABLES) {
      await this.db.query(
        `SELECT ${this.ext}.compress_chunk(c, if_not_compressed => TRUE)
         FROM ${this.ext}.show_chunks('${table}', older_than => INTERVAL '7 days') c`,
      );
    }
  }

  private async retain(): Promise<void> {
    for (const [relation, days] of Object.entries(retentionDays(this.settings))) {
      await this.db.query(
        `SELECT ${this.ext}.drop_chunks('${relation}', older_than => INTERVAL '${Math.trunc(days)} days')`,
      );
    }
  }

  /** Runs one task, remembers whether it failed, and logs a change of state once. */
  private async task(name: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      if (this.failed.delete(name)) this.log.info({ task: name }, 'TimescaleDB maintenance works again');
      return true;
    } catch (e) {
      const error = (e as Error).message.slice(0, 500);
      const before = this.failed.get(name);
      this.failed.set(name, { task: name, error, at: new Date(this.now()).toISOString() });
      if (before?.error !== error) this.log.warn({ task: name, err: error }, 'TimescaleDB maintenance failed');
      return false;
    }
  }
}
