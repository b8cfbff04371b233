import type { MetricSample } from './messages/metrics.js';

/**
 * Metric names as the hub's API exposes them, derived from a sample. [SPEC 5.3.1]
 * One place, so the hub's storage, the API and the dashboard agree.
 */
export const API_METRICS = [
  'cpu',
  'memory',
  'disk',
  'load1',
  'load5',
  'load15',
  'swap',
  'net_rx',
  'net_tx',
  'uptime',
  'openclaw_cpu',
  'openclaw_rss',
] as const;
export type ApiMetric = (typeof API_METRICS)[number];

const pct = (used?: number, total?: number) =>
  used === undefined || total === undefined || total <= 0 ? undefined : Math.min(100, (used / total) * 100);

/** The root mount, or the first one reported. */
export function rootDisk(sample: MetricSample) {
  return sample.disks?.find((d) => d.mount === '/') ?? sample.disks?.[0];
}

/**
 * API metric values of one sample in `API_METRICS` order, `undefined` where the sample lacks
 * one. The hub stores each sample as one row in this order; an array avoids building (and
 * deleting keys from) an object per sample on the ingest path.
 */
export function apiMetricValues(sample: MetricSample): (number | undefined)[] {
  const disk = rootDisk(sample);
  return [
    sample.cpu,
    pct(sample.memUsed, sample.memTotal),
    pct(disk?.used, disk?.total),
    sample.load1,
    sample.load5,
    sample.load15,
    pct(sample.swapUsed, sample.swapTotal),
    sample.netRx,
    sample.netTx,
    sample.uptime,
    sample.openclaw?.cpu,
    sample.openclaw?.rss,
  ];
}

/** API metric values of one sample; a metric the sample lacks is absent. */
export function apiMetricsOf(sample: MetricSample): Partial<Record<ApiMetric, number>> {
  const values = apiMetricValues(sample);
  const out: Partial<Record<ApiMetric, number>> = {};
  for (let i = 0; i < API_METRICS.length; i++) if (values[i] !== undefined) out[API_METRICS[i]] = values[i];
  return out;
}
