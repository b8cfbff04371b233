import { API_METRICS } from '@deepsignal/protocol';
import type { HubContext } from '../context.js';

const STATUSES = ['online', 'offline', 'provisioning', 'error', 'paused'] as const;

/** Renders the hub's registry plus per-instance fleet gauges, refreshed at scrape time. */
export function fleetGauges(ctx: Pick<HubContext, 'stats' | 'fleet' | 'ingest' | 'broker'>): () => string {
  const r = ctx.stats.registry;
  const status = r.gauge('ds_instance_status', 'Instance status (1 for the current one)');
  const lastSeen = r.gauge('ds_instance_last_seen_seconds', 'Unix time the instance was last heard from');
  const metric = r.gauge('ds_instance_metric', 'Latest API metric value per instance');
  const count = r.gauge('ds_instances', 'Instances by status');
  r.onCollect(() => {
    status.values.clear();
    lastSeen.values.clear();
    metric.values.clear();
    count.values.clear();
    ctx.stats.queueDepth.set({}, ctx.ingest.queue.depth);
    ctx.stats.sidecars.set({}, ctx.broker()?.connectedCount() ?? 0);
    const totals: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    for (const s of ctx.fleet.list()) {
      const l = { instance: s.id, client: s.clientId };
      totals[s.status]++;
      for (const st of STATUSES) status.set({ ...l, status: st }, st === s.status ? 1 : 0);
      if (s.lastSeen) lastSeen.set(l, Math.floor(s.lastSeen.getTime() / 1000));
      for (const name of API_METRICS) {
        const v = s.metrics[name];
        if (v !== undefined) metric.set({ ...l, name }, v);
      }
    }
    for (const st of STATUSES) count.set({ status: st }, totals[st]);
  });
  return () => r.render();
}
