import type { ApiMetric } from '@deepsignal/protocol';
import type { Db } from './client.js';

/** Relations holding each resolution; TimescaleDB swaps in its continuous aggregates. */
export interface MetricSources {
  raw: string;
  minute: string;
  hour: string;
}

export const PLAIN_SOURCES: MetricSources = {
  raw: 'metric_samples',
  minute: 'metric_rollups_1m',
  hour: 'metric_rollups_1h',
};

const MAX_POINTS = 2000;

/** Parses `10s`, `5m`, `1h`, `1d` into seconds; null when malformed. */
export function parseStep(step: string | undefined): number | null {
  if (!step) return null;
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(step);
  if (!m) return null;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * Time series of one API metric, averaged per step. The resolution follows the range asked for:
 * raw samples up to 6 hours (and inside raw retention), 1-minute rollups up to 7 days, 1-hour beyond.
 * The step is at least the source's resolution and large enough to give at most 2,000 points.
 */
export async function queryMetric(
  db: Db,
  sources: MetricSources,
  opts: { instanceId: string; name: ApiMetric; from: Date; to: Date; stepSec?: number | null; rawDays: number },
): Promise<{ step: number; resolution: 'raw' | '1m' | '1h'; points: [string, number][] }> {
  const rangeSec = Math.max(1, (opts.to.getTime() - opts.from.getTime()) / 1000);
  const rawHorizon = Date.now() - opts.rawDays * 86_400_000;
  let resolution: 'raw' | '1m' | '1h' = 'raw';
  if (rangeSec > 7 * 86400 || (opts.stepSec ?? 0) >= 3600) resolution = '1h';
  else if (rangeSec > 6 * 3600 || (opts.stepSec ?? 0) >= 60 || opts.from.getTime() < rawHorizon) resolution = '1m';
  const minStep = { raw: 1, '1m': 60, '1h': 3600 }[resolution];
  const step = Math.max(minStep, opts.stepSec ?? 0, Math.ceil(rangeSec / MAX_POINTS));
  const col = opts.name; // an ApiMetric, validated by the route schema: safe as an identifier
  const [rel, time, avg] =
    resolution === 'raw'
      ? [sources.raw, 't', `avg(${col})`]
      : [
          resolution === '1m' ? sources.minute : sources.hour,
          'bucket',
          `sum(${col} * samples) / NULLIF(sum(samples) FILTER (WHERE ${col} IS NOT NULL), 0)`,
        ];
  const rows = await db.query<{ b: Date | string; v: number | string | null }>(
    `SELECT date_bin(make_interval(secs => $4), ${time}, TIMESTAMPTZ 'epoch') AS b, ${avg} AS v
     FROM ${rel} WHERE instance_id = $1 AND ${time} >= $2 AND ${time} < $3 GROUP BY 1 ORDER BY 1`,
    [opts.instanceId, opts.from, opts.to, step],
  );
  const points: [string, number][] = [];
  for (const r of rows) if (r.v !== null) points.push([new Date(r.b).toISOString(), Number(r.v)]);
  return { step, resolution, points };
}
