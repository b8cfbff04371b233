import { METRIC_COLUMNS } from '../../ingest/metrics.js';

const cols = METRIC_COLUMNS as readonly string[];

/**
 * The TimescaleDB SQL, in order. Every statement is idempotent (if_not_exists), so it runs on
 * every start. Hypertables keep the tables and indexes the migrations made; the continuous
 * aggregates expose the same columns as the plain rollup tables (bucket, samples, one average
 * per metric), so queries only swap the relation name.
 */
export function timescaleStatements(c: { retentionRawDays: number; retentionRollupDays: number }): string[] {
  const raw = `INTERVAL '${Math.trunc(c.retentionRawDays)} days'`;
  const roll = `INTERVAL '${Math.trunc(c.retentionRollupDays)} days'`;
  const out: string[] = [];
  for (const table of ['metric_samples', 'log_lines', 'events']) {
    out.push(
      `SELECT create_hypertable('${table}', by_range('t', INTERVAL '1 day'), if_not_exists => TRUE, migrate_data => TRUE)`,
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
    out.push(`SELECT add_compression_policy('${table}', INTERVAL '7 days', if_not_exists => TRUE)`);
    out.push(...retention(table, raw));
  }
  out.push(
    `CREATE MATERIALIZED VIEW IF NOT EXISTS metric_cagg_1m WITH (timescaledb.continuous) AS
     SELECT instance_id, time_bucket(INTERVAL '1 minute', t) AS bucket, count(*)::int AS samples,
       ${cols.map((x) => `avg(${x}) AS ${x}`).join(', ')}
     FROM metric_samples GROUP BY instance_id, bucket WITH NO DATA`,
  );
  out.push(
    `SELECT add_continuous_aggregate_policy('metric_cagg_1m', start_offset => INTERVAL '3 days',
       end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute', if_not_exists => TRUE)`,
  );
  // Hierarchical aggregate: hours from minutes, weighted by the sample count.
  out.push(
    `CREATE MATERIALIZED VIEW IF NOT EXISTS metric_cagg_1h WITH (timescaledb.continuous) AS
     SELECT instance_id, time_bucket(INTERVAL '1 hour', bucket) AS bucket, sum(samples)::int AS samples,
       ${cols.map((x) => `sum(${x} * samples) / NULLIF(sum(samples) FILTER (WHERE ${x} IS NOT NULL), 0) AS ${x}`).join(', ')}
     FROM metric_cagg_1m GROUP BY instance_id, time_bucket(INTERVAL '1 hour', bucket) WITH NO DATA`,
  );
  out.push(
    `SELECT add_continuous_aggregate_policy('metric_cagg_1h', start_offset => INTERVAL '14 days',
       end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE)`,
  );
  // Real-time aggregates: a query also sees the newest buckets not yet materialised.
  out.push('ALTER MATERIALIZED VIEW metric_cagg_1m SET (timescaledb.materialized_only = false)');
  out.push('ALTER MATERIALIZED VIEW metric_cagg_1h SET (timescaledb.materialized_only = false)');
  out.push(...retention('metric_cagg_1m', roll), ...retention('metric_cagg_1h', roll));
  return out;
}

/** Drop-and-add, so a changed retention setting replaces the old policy on the next start. */
function retention(relation: string, interval: string): string[] {
  return [
    `SELECT remove_retention_policy('${relation}', if_exists => TRUE)`,
    `SELECT add_retention_policy('${relation}', ${interval})`,
  ];
}
