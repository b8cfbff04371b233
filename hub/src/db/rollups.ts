import type { Logger } from 'pino';
import type { RollupTracker } from '../ingest/deps.js';
import { METRIC_COLUMNS } from '../ingest/metrics.js';
import type { Db } from './client.js';

const cols = METRIC_COLUMNS as readonly string[];
/** Instances rolled up per statement: large enough to amortise, small enough to keep each short. */
const CHUNK = 250;

/**
 * Rollups the hub maintains itself when TimescaleDB is not there (plain PostgreSQL, PGlite):
 * 1-minute averages from raw samples and 1-hour averages from the minutes, recomputed for the
 * buckets that received data (late replays included), plus retention by deletion.
 * With TimescaleDB, continuous aggregates and policies do this instead (db/timescale/).
 */
export class Rollups implements RollupTracker {
  private readonly dirty = new Map<string, number>();
  private lastRetention = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly retention: { rawDays: number; rollupDays: number },
  ) {}

  touched(instanceId: string, from: Date): void {
    const t = from.getTime();
    this.dirty.set(instanceId, Math.min(this.dirty.get(instanceId) ?? t, t));
  }

  /** On start: catch up on samples written after the newest rollup (e.g. before a crash). */
  async recover(): Promise<void> {
    const rows = await this.db.query<{ instance_id: string; last: Date | string | null }>(
      'SELECT i.id AS instance_id, (SELECT max(bucket) FROM metric_rollups_1m r WHERE r.instance_id = i.id) AS last FROM instances i',
    );
    for (const r of rows) this.touched(r.instance_id, r.last ? new Date(r.last) : new Date(0));
  }

  async run(): Promise<void> {
    const work = [...this.dirty];
    this.dirty.clear();
    for (let i = 0; i < work.length; i += CHUNK) {
      const chunk = work.slice(i, i + CHUNK);
      try {
        await this.rollup(chunk);
      } catch (e) {
        for (const [id, from] of chunk) this.touched(id, new Date(from));
        this.log.warn({ err: (e as Error).message, instances: chunk.length }, 'rollup failed; will retry');
      }
    }
    if (Date.now() - this.lastRetention > 3_600_000) {
      this.lastRetention = Date.now();
      await this.applyRetention().catch((e) => this.log.warn({ err: (e as Error).message }, 'retention failed'));
    }
  }

  /**
   * Recomputes, for each instance, the minutes from the one holding its `from` (only those can
   * have changed: scanning from the hour's start would re-read up to an hour of raw samples per
   * instance every run), then the hours from the one holding it. One statement per level for
   * the whole chunk: a statement per instance costs more in round trips and planning than in
   * work once there are thousands of instances.
   */
  private async rollup(chunk: [string, number][]): Promise<void> {
    const ids = chunk.map(([id]) => id);
    const minutes = chunk.map(([, from]) => new Date(Math.floor(from / 60_000) * 60_000).toISOString());
    const hours = chunk.map(([, from]) => new Date(Math.floor(from / 3_600_000) * 3_600_000).toISOString());
    const set = ['samples', ...cols].map((c) => `${c} = excluded.${c}`).join(', ');
    await this.db.query(
      `INSERT INTO metric_rollups_1m (instance_id, bucket, samples, ${cols.join(', ')})
       SELECT s.instance_id, date_bin('1 minute', s.t, TIMESTAMPTZ 'epoch'), count(*)::int, ${cols.map((c) => `avg(s.${c})`).join(', ')}
       FROM unnest($1::text[], $2::timestamptz[]) AS d(instance_id, since)
       JOIN metric_samples s ON s.instance_id = d.instance_id AND s.t >= d.since
       GROUP BY 1, 2
       ON CONFLICT (instance_id, bucket) DO UPDATE SET ${set}`,
      [ids, minutes],
    );
    const weighted = cols.map(
      (c) => `sum(r.${c} * r.samples) / NULLIF(sum(r.samples) FILTER (WHERE r.${c} IS NOT NULL), 0)`,
    );
    await this.db.query(
      `INSERT INTO metric_rollups_1h (instance_id, bucket, samples, ${cols.join(', ')})
       SELECT r.instance_id, date_bin('1 hour', r.bucket, TIMESTAMPTZ 'epoch'), sum(r.samples)::int, ${weighted.join(', ')}
       FROM unnest($1::text[], $2::timestamptz[]) AS d(instance_id, since)
       JOIN metric_rollups_1m r ON r.instance_id = d.instance_id AND r.bucket >= d.since
       GROUP BY 1, 2
       ON CONFLICT (instance_id, bucket) DO UPDATE SET ${set}`,
      [ids, hours],
    );
  }

  async applyRetention(): Promise<void> {
    const raw = `${this.retention.rawDays} days`;
    const roll = `${this.retention.rollupDays} days`;
    await this.db.query(`DELETE FROM metric_samples WHERE t < now() - $1::interval`, [raw]);
    await this.db.query(`DELETE FROM log_lines WHERE t < now() - $1::interval`, [raw]);
    // Events are the instance's history: kept as long as rollups (the same rule as TimescaleDB's path).
    await this.db.query(`DELETE FROM events WHERE t < now() - $1::interval`, [roll]);
    await this.db.query(`DELETE FROM metric_rollups_1m WHERE bucket < now() - $1::interval`, [roll]);
    await this.db.query(`DELETE FROM metric_rollups_1h WHERE bucket < now() - $1::interval`, [roll]);
  }
}
