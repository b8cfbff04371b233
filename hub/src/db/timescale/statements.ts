import { METRIC_COLUMNS } from '../../ingest/metrics.js';

const cols = METRIC_COLUMNS as readonly string[];

/** Who runs compression, retention and aggregate refreshes. */
export type TimescaleScheduler = 'hub' | 'timescaledb';

export interface TimescaleSettings {
  retentionRawDays: number;
  retentionRollupDays: number;
  scheduler: TimescaleScheduler;
}

/** What each relation keeps: one rule for both storage paths (see db/rollups.ts). */
export function retentionDays(c: Pick<TimescaleSettings, 'retentionRawDays' | 'retentionRollupDays'>) {
  return {
    metric_samples: c.retentionRawDays,
    log_lines: c.retentionRawDays,
    // Events are the instance's history (state changes, drops, updates): kept as long as rollups.
    events: c.retentionRollupDays,
    metric_cagg_1m: c.retentionRollupDays,
    metric_cagg_1h: c.retentionRollupDays,
  } as const;
}

export const HYPERTABLES = ['metric_samples', 'log_lines', 'events'] as const;
export const CAGGS = ['metric_cagg_1m', 'metric_cagg_1h'] as const;
/** How far back the scheduled refresh of each aggregate reaches; older late data is refreshed apart. */
export const REFRESH_WINDOW_MS = { metric_cagg_1m: 3 * 86_400_000, metric_cagg_1h: 14 * 86_400_000 } as const;

/**
 * The TimescaleDB SQL, in order; every statement is idempotent, so it runs on every start. `ext`
 * is the quoted schema of the extension's functions: every call is qualified with it, because a
 * hub's search_path holds its own schema, not necessarily the extension's. Hypertables keep the
 * tables and indexes the migrations made; the continuous aggregates expose the same columns as
 * the plain rollup tables (bucket, samples, one average per metric), so queries only swap names.
 *
 * With scheduler `hub` no TimescaleDB background job is created (and the hub's old ones are
 * removed): the hub calls the same refresh, compression and retention itself (maintenance.ts).
 * With `timescaledb` the extension's policies do it; a policy whose settings did not change is
 * kept as it is, so restarts do not pile up jobs.
 */
export function timescaleStatements(c: TimescaleSettings, ext: string): string[] {
  const out: string[] = [];
  const keep = retentionDays(c);
  for (const table of HYPERTABLES) {
    out.push(
      `SELECT ${ext}.create_hypertable('${table}', ${ext}.by_range('t', INTERVAL '1 day'), if_not_exists => TRUE, migrate_data => TRUE)`,
    );
    // Only once: changing the settings later is refused while compressed chunks exist.
    out.push(
      `DO $$ BEGIN
         IF NOT (SELECT compression_enabled FROM timescaledb_information.hypertables
                 WHERE hypertable_name = '${table}' AND hypertable_schema = current_schema()) THEN
           ALTER TABLE ${table} SET (timescaledb.compress, timescaledb.compress_segmentby = 'instance_id', timescaledb.compress_orderby = 't DESC');
         END IF;
       END $$`,
    );
  }
  out.push(
    `CREATE MATERIALIZED VIEW IF NOT EXISTS metric_cagg_1m WITH (timescaledb.continuous) AS
     SELECT instance_id, ${ext}.time_bucket(INTERVAL '1 minute', t) AS bucket, count(*)::int AS samples,
       ${cols.map((x) => `avg(${x}) AS ${x}`).join(', ')}
     FROM metric_samples GROUP BY instance_id, bucket WITH NO DATA`,
  );
  // Hierarchical aggregate: hours from minutes, weighted by the sample count.
  out.push(
    `CREATE MATERIALIZED VIEW IF NOT EXISTS metric_cagg_1h WITH (timescaledb.continuous) AS
     SELECT instance_id, ${ext}.time_bucket(INTERVAL '1 hour', bucket) AS bucket, sum(samples)::int AS samples,
       ${cols.map((x) => `sum(${x} * samples) / NULLIF(sum(samples) FILTER (WHERE ${x} IS NOT NULL), 0) AS ${x}`).join(', ')}
     FROM metric_cagg_1m GROUP BY instance_id, ${ext}.time_bucket(INTERVAL '1 hour', bucket) WITH NO DATA`,
  );
  // Real-time aggregates: a query also sees the newest buckets not yet materialised.
  for (const v of CAGGS) out.push(`ALTER MATERIALIZED VIEW ${v} SET (timescaledb.materialized_only = false)`);

  if (c.scheduler === 'hub') {
    out.push(removeAllPolicies(ext));
    return out;
  }
  for (const table of HYPERTABLES) {
    out.push(`SELECT ${ext}.add_compression_policy('${table}', INTERVAL '7 days', if_not_exists => TRUE)`);
  }
  out.push(
    `SELECT ${ext}.add_continuous_aggregate_policy('metric_cagg_1m', start_offset => INTERVAL '3 days',
       end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute', if_not_exists => TRUE)`,
  );
  out.push(
    `SELECT ${ext}.add_continuous_aggregate_policy('metric_cagg_1h', start_offset => INTERVAL '14 days',
       end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE)`,
  );
  for (const [relation, days] of Object.entries(keep)) out.push(retentionPolicy(ext, relation, days));
  return out;
}

/** Keeps a retention policy with the same interval; replaces one with another interval. */
function retentionPolicy(ext: string, relation: string, days: number): string {
  const interval = `INTERVAL '${Math.trunc(days)} days'`;
  return `DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM timescaledb_information.jobs
                   WHERE proc_name = 'policy_retention' AND hypertable_schema = current_schema()
                     AND hypertable_name = '${relation}' AND (config->>'drop_after')::interval = ${interval}) THEN
      PERFORM ${ext}.remove_retention_policy('${relation}', if_exists => TRUE);
      PERFORM ${ext}.add_retention_policy('${relation}', ${interval});
    END IF;
  END $$`;
}

/** Deletes the policies of this schema's hypertables and aggregates (scheduler switched to the hub). */
function removeAllPolicies(ext: string): string {
  return `DO $$ DECLARE j record; BEGIN
    FOR j IN SELECT job_id FROM timescaledb_information.jobs
             WHERE hypertable_schema = current_schema()
               AND proc_name IN ('policy_retention', 'policy_compression', 'policy_refresh_continuous_aggregate') LOOP
      PERFORM ${ext}.delete_job(j.job_id);
    END LOOP;
  END $$`;
}
