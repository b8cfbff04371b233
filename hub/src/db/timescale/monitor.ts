import type { Logger } from 'pino';
import type { HubStats } from '../../stats.js';
import type { Db } from '../client.js';
import type { MaintenanceFailure } from './maintenance.js';

/** A TimescaleDB background job whose latest recorded run failed. */
export interface TimescaleJobError {
  jobId: number;
  proc: string;
  hypertable: string | null;
  error: string;
  at: string;
}

/**
 * Watches TimescaleDB's background jobs (compression, retention, aggregate refresh) and the
 * hub's own maintenance of the same. Jobs can fail for reasons the hub never sees (e.g. an
 * extension built for another PostgreSQL minor version), silently leaving rollups stale and disks
 * filling. The failures recorded in `timescaledb_information.job_errors` during the last day, for
 * jobs of this hub's schema that still exist and have not succeeded since (matched by job id:
 * `job_stats` names an aggregate's job by its materialisation table, `jobs` by the view), plus
 * the hub's failing maintenance tasks (jobId 0), are exposed on /healthz and as
 * `ds_timescale_failing_jobs` on /metrics. TimescaleDB's telemetry job, which fails on any server
 * without internet access, belongs to no hypertable and is not counted. A change is logged once.
 */
export class TimescaleMonitor {
  private failing: TimescaleJobError[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastLogged = '';

  constructor(
    private readonly db: Db,
    stats: HubStats,
    private readonly log: Logger,
    private readonly hubTasks: () => MaintenanceFailure[] = () => [],
  ) {
    const gauge = stats.gauge('ds_timescale_failing_jobs', 'TimescaleDB jobs whose latest run failed, by job', [
      'job',
      'proc',
    ]);
    const active = stats.gauge('ds_timescale_active', '1 when the TimescaleDB path is active');
    active.set(1);
    stats.onCollect(() => {
      gauge.reset();
      gauge.set(this.failing.length);
      for (const j of this.failing) gauge.set({ job: String(j.jobId), proc: j.proc }, 1);
    });
  }

  /** The failing jobs as of the last check. */
  jobs(): TimescaleJobError[] {
    return this.failing;
  }

  /** Reads job_errors now; a query failure keeps the previous answer and is logged. */
  async check(): Promise<TimescaleJobError[]> {
    try {
      const rows = await this.db.query<{
        job_id: number;
        proc_name: string | null;
        hypertable_name: string | null;
        err_message: string | null;
        finish_time: Date | string | null;
      }>(
        `SELECT DISTINCT ON (e.job_id) e.job_id, e.proc_name, j.hypertable_name, e.err_message, e.finish_time
         FROM timescaledb_information.job_errors e
         JOIN timescaledb_information.jobs j ON j.job_id = e.job_id
         LEFT JOIN timescaledb_information.job_stats s ON s.job_id = e.job_id
         WHERE j.hypertable_schema = current_schema()
           AND coalesce(e.finish_time, e.start_time) > now() - INTERVAL '1 day'
           AND (s.last_successful_finish IS NULL OR s.last_successful_finish < coalesce(e.finish_time, e.start_time))
         ORDER BY e.job_id, e.start_time DESC`,
      );
      this.failing = [
        ...rows.map((r) => ({
          jobId: Number(r.job_id),
          proc: r.proc_name ?? 'unknown',
          hypertable: r.hypertable_name,
          error: (r.err_message ?? 'failed').slice(0, 500),
          at: r.finish_time ? new Date(r.finish_time).toISOString() : '',
        })),
        ...this.hubTasks().map((t) => ({
          jobId: 0,
          proc: `hub_${t.task}`,
          hypertable: null,
          error: t.error,
          at: t.at,
        })),
      ];
      this.logChange();
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'cannot read TimescaleDB job errors');
    }
    return this.failing;
  }

  /** Logs the failing set when it changes, not on every check (each /healthz call checks). */
  private logChange(): void {
    const key = this.failing.map((j) => `${j.jobId}:${j.proc}:${j.error}`).join('|');
    if (key === this.lastLogged) return;
    if (this.failing.length) this.log.warn({ jobs: this.failing }, 'TimescaleDB background jobs are failing');
    else if (this.lastLogged) this.log.info('TimescaleDB background jobs succeed again');
    this.lastLogged = key;
  }

  /** Checks now and then every `everyMs`. */
  start(everyMs = 60_000): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
