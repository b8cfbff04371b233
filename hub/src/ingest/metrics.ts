import { API_METRICS, type ApiMetric, apiMetricsOf } from '@deepsignal/protocol';
import type { IngestDeps } from './deps.js';
import type { StreamWriter } from './types.js';

/** Column names of metric_samples: the API metric names, one wide row per sample. */
export const METRIC_COLUMNS = API_METRICS as readonly ApiMetric[];
const COLUMNS = ['instance_id', 't', ...METRIC_COLUMNS];

/**
 * metrics -> metric_samples, one row per sample with a column per API metric (COPY on
 * PostgreSQL). [SPEC 5.3] The newest sample updates the fleet snapshot after the commit.
 */
export function metricsWriter(deps: IngestDeps): StreamWriter<'metrics'> {
  return {
    async write(q, items) {
      const rows: unknown[][] = [];
      const latest = new Map<string, { t: number; values: Partial<Record<ApiMetric, number>> }>();
      const oldest = new Map<string, number>();
      let values = 0;
      for (const m of items) {
        for (const s of m.message.samples) {
          const v = apiMetricsOf(s);
          const row: unknown[] = [m.instanceId, new Date(s.t)];
          for (const c of METRIC_COLUMNS) {
            const x = v[c];
            row.push(x === undefined ? null : x);
            if (x !== undefined) values++;
          }
          rows.push(row);
          const l = latest.get(m.instanceId);
          if (!l || l.t < s.t) latest.set(m.instanceId, { t: s.t, values: v });
          oldest.set(m.instanceId, Math.min(oldest.get(m.instanceId) ?? s.t, s.t));
        }
      }
      await q.bulkInsert('metric_samples', COLUMNS, rows);
      return () => {
        deps.stats.values.inc({}, values);
        for (const [id, l] of latest) deps.fleet.setMetrics(id, l.values, new Date(l.t));
        for (const [id, t] of oldest) deps.rollups.touched(id, new Date(t));
      };
    },
  };
}
