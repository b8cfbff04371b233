import { API_METRICS } from '@deepsignal/protocol';
import type { HubContext } from '../context.js';
import type { SeriesValue } from '../metrics/snapshot-gauge.js';

export const INSTANCE_STATUSES = ['online', 'offline', 'provisioning', 'error', 'paused'] as const;

/**
 * Series one instance adds to a scrape, at most: one `ds_instance_status` per status, one
 * `ds_instance_last_seen_seconds`, and one `ds_instance_metric` per API metric it reports.
 */
export const SERIES_PER_INSTANCE = INSTANCE_STATUSES.length + 1 + API_METRICS.length;

type Who = 'instance' | 'client' | 'hostname';

/**
 * Fleet series, read from the in-memory fleet at each scrape (no database query, so a scrape stays
 * cheap at thousands of instances). Totals by status always; the per-instance series (labelled
 * instance, client, hostname) unless `perInstance` is off, for very large fleets.
 */
export function registerFleetMetrics(
  ctx: Pick<HubContext, 'stats' | 'fleet' | 'ingest' | 'broker'>,
  perInstance: boolean,
): void {
  const s = ctx.stats;
  const count = s.gauge('ds_instances', 'Instances by status', ['status']);
  let status: SeriesValue<Who | 'status'>[] = [];
  let lastSeen: SeriesValue<Who>[] = [];
  let metric: SeriesValue<Who | 'name'>[] = [];
  if (perInstance) {
    const who = ['instance', 'client', 'hostname'] as const;
    s.snapshotGauge('ds_instance_status', 'Instance status (1 for the current one)', [...who, 'status'], () => status);
    s.snapshotGauge('ds_instance_last_seen_seconds', 'Unix time the instance was last heard from', who, () => lastSeen);
    s.snapshotGauge('ds_instance_metric', 'Latest API metric value per instance', [...who, 'name'], () => metric);
  }
  s.onCollect(() => {
    s.queueDepth.set(ctx.ingest.depth);
    s.sidecars.set(ctx.broker()?.connectedCount() ?? 0);
    const totals: Record<string, number> = Object.fromEntries(INSTANCE_STATUSES.map((st) => [st, 0]));
    status = [];
    lastSeen = [];
    metric = [];
    for (const inst of ctx.fleet.list()) {
      totals[inst.status] = (totals[inst.status] ?? 0) + 1;
      if (!perInstance) continue;
      const { id: instance, clientId: client, hostname } = inst;
      for (const st of INSTANCE_STATUSES)
        status.push({ labels: { instance, client, hostname, status: st }, value: st === inst.status ? 1 : 0 });
      if (inst.lastSeen)
        lastSeen.push({ labels: { instance, client, hostname }, value: Math.floor(inst.lastSeen.getTime() / 1000) });
      for (const name of API_METRICS) {
        const value = inst.metrics[name];
        if (value !== undefined && Number.isFinite(value))
          metric.push({ labels: { instance, client, hostname, name }, value });
      }
    }
    for (const [st, n] of Object.entries(totals)) count.set({ status: st }, n);
  });
}
