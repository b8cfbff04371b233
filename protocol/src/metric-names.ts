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

/** API metric values of one sample; a metric the sample lacks is absent. */
export function apiMetricsOf(sample: MetricSample): Partial<Record<ApiMetric, number>> {
  const disk = rootDisk(sample);
  const out: Partial<Record<ApiMetric, number>> = {
    cpu: sample.cpu,
    memory: pct(sample.memUsed, sample.memTotal),
    disk: pct(disk?.used, disk?.total),
    load1: sample.load1,
    load5: sample.load5,
    load15: sample.load15,
    swap: pct(sample.swapUsed, sample.swapTotal),
    net_rx: sample.netRx,
    net_tx: sample.netTx,
    uptime: sample.uptime,
    openclaw_cpu: sample.openclaw?.cpu,
    openclaw_rss: sample.openclaw?.rss,
  };
  for (const k of Object.keys(out) as ApiMetric[]) if (out[k] === undefined) delete out[k];
  return out;
}
