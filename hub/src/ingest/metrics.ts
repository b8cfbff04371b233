import { API_METRICS, type ApiMetric, apiMetricsOf, apiMetricValues, type MetricSample } from '@deepsignal/protocol';
import type { IngestDeps } from './deps.js';
import type { Sequenced, StreamWriter } from './types.js';

/** Column names of metric_samples: the API metric names, one wide row per sample. */
export const METRIC_COLUMNS = API_METRICS as readonly ApiMetric[];
export const METRIC_SAMPLE_COLUMNS = ['instance_id', 't', ...METRIC_COLUMNS];

/** The rows of some metrics messages, and what the hub updates once they are committed. */
export interface MetricRows {
  rows: unknown[][];
  /** Metric values present (not null) in the rows. */
  values: number;
  /** Newest sample per instance: the fleet snapshot. */
  latest: Map<string, MetricSample>;
  /** Oldest sample time per instance: where rollups must be brought up to date from. */
  oldest: Map<string, number>;
}

/**
 * One row per sample with a column per API metric. This runs for every sample the hub ingests,
 * so rows are built straight from `apiMetricValues` and only the newest sample per instance
 * stays an object.
 */
export function metricRows(items: readonly Sequenced<'metrics'>[]): MetricRows {
  const rows: unknown[][] = [];
  const latest = new Map<string, MetricSample>();
  const oldest = new Map<string, number>();
  let values = 0;
  for (const m of items) {
    const id = m.instanceId;
    for (const s of m.message.samples) {
      const row: unknown[] = [id, new Date(s.t)];
      for (const x of apiMetricValues(s)) {
        row.push(x ?? null);
        if (x !== undefined) values++;
      }
      rows.push(row);
      const l = latest.get(id);
      if (!l || l.t < s.t) latest.set(id, s);
      const o = oldest.get(id);
      if (o === undefined || s.t < o) oldest.set(id, s.t);
    }
  }
  return { rows, values, latest, oldest };
}

/** After the commit: counters, the fleet snapshot and the rollups' dirty ranges. */
export function applyCommittedMetrics(
  deps: Pick<IngestDeps, 'stats' | 'fleet' | 'rollups'>,
  r: Pick<MetricRows, 'values' | 'latest' | 'oldest'>,
): void {
  deps.stats.values.inc({}, r.values);
  for (const [id, s] of r.latest) deps.fleet.setMetrics(id, apiMetricsOf(s), new Date(s.t));
  for (const [id, t] of r.oldest) deps.rollups.touched(id, new Date(t));
}

/**
 * metrics -> metric_samples (COPY on PostgreSQL). [SPEC 5.3] The newest sample updates the
 * fleet snapshot after the commit.
 */
export function metricsWriter(deps: IngestDeps): StreamWriter<'metrics'> {
  return {
    async write(q, items) {
      const r = metricRows(items);
      await q.bulkInsert('metric_samples', METRIC_SAMPLE_COLUMNS, r.rows);
      return () => applyCommittedMetrics(deps, r);
    },
  };
}
