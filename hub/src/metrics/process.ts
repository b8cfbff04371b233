import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * prom-client's gauges named like counters; promtool refuses a `_total` suffix on a gauge. The
 * same figures stay available by type (`nodejs_active_handles{type}` and friends): sum() them.
 */
const TOTAL_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

let shared: Registry | null = null;

/**
 * The process and runtime figures (`process_*`, `nodejs_*`: resident memory, heap, event-loop
 * lag, GC, handles). They describe the Node process, not a hub, so every hub in a process shares
 * one registry of them: the event-loop monitor and the GC observer these install cannot be
 * removed, and one per hub would pile up where tests start many hubs in one process.
 */
export function processRegistry(): Registry {
  if (shared) return shared;
  const r = new Registry();
  collectDefaultMetrics({ register: r });
  for (const name of TOTAL_GAUGES) r.removeSingleMetric(name);
  shared = r;
  return r;
}
