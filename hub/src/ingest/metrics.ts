import { API_METRICS, type ApiMetric, apiMetricsOf, apiMetricValues, type MetricSample } from '@deepsignal/protocol';
import type { IngestDeps } from './deps.js';
import type { StreamWriter } from './types.js';

/** Column names of metric_samples: the API metric names, one wide row per sample. */
export const METRIC_COLUMNS = API_METRICS as readonly ApiMetric[];
const COLUMNS = ['instance_id', 't', ...METRIC_COLUMNS];

/**
 * metrics -> metric_samples, one row per sample with a column per API metric (COPY on
 * PostgreSQL). [SPEC 5.3] The newest sample updates the fleet snapshot after the commit.
 * This runs for every sample the hub ingests, so rows are built straight from
 * `apiMetricValues` and only the newest sample per instance becomes an object.
 */
export function metricsWriter(deps: IngestDeps): StreamWriter<'metrics'> {
  return {
    async write(q, items) {
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
      await q.bulkInsert('metric_samples', COLUMNS, rows);
      return () => {
        deps.stats.values.inc({}, values);
        for (const [id, s] of latest) deps.fleet.setMetrics(id, apiMetricsOf(s), new Date(s.t));
        for (const [id, t] of oldest) deps.rollups.touched(id, new Date(t));
      };
    },
  };
}
