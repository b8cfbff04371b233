import { type Health, healthOf } from './health';
import type { Instance } from './types';

/** The fleet grid's search, filters and sort. 'all' means no filter. */
export interface FleetQuery {
  q: string;
  client: string;
  health: 'all' | Health;
  status: string;
  version: string;
  sort: 'health' | 'name' | 'cpu' | 'memory' | 'disk' | 'lastSeen';
}

export const DEFAULT_QUERY: FleetQuery = {
  q: '',
  client: 'all',
  health: 'all',
  status: 'all',
  version: 'all',
  sort: 'health',
};

const HEALTH_ORDER: Record<Health, number> = { red: 0, yellow: 1, green: 2 };

/** Filters and sorts; `clientNames` lets the search match a client's name. */
export function applyFleetQuery(list: Instance[], q: FleetQuery, clientNames: Map<string, string>): Instance[] {
  const needle = q.q.trim().toLowerCase();
  const healthCache = new Map<string, Health>();
  const h = (i: Instance) => {
    let v = healthCache.get(i.id);
    if (!v) {
      v = healthOf(i).health;
      healthCache.set(i.id, v);
    }
    return v;
  };
  const out = list.filter((i) => {
    if (q.client !== 'all' && i.clientId !== q.client) return false;
    if (q.status !== 'all' && i.status !== q.status) return false;
    if (q.version !== 'all' && (i.openclaw?.version ?? 'unknown') !== q.version) return false;
    if (q.health !== 'all' && h(i) !== q.health) return false;
    if (needle) {
      const hay = `${i.hostname} ${i.id} ${clientNames.get(i.clientId) ?? ''} ${i.openclaw?.model ?? ''}`.toLowerCase();
      if (!hay.includes(needle)) return false;
    }
    return true;
  });
  const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? -1 : v);
  const byName = (a: Instance, b: Instance) => a.hostname.localeCompare(b.hostname, undefined, { numeric: true });
  const cmp: Record<FleetQuery['sort'], (a: Instance, b: Instance) => number> = {
    health: (a, b) => HEALTH_ORDER[h(a)] - HEALTH_ORDER[h(b)] || byName(a, b),
    name: byName,
    cpu: (a, b) => num(b.metrics?.cpu) - num(a.metrics?.cpu) || byName(a, b),
    memory: (a, b) => num(b.metrics?.memory) - num(a.metrics?.memory) || byName(a, b),
    disk: (a, b) => num(b.metrics?.disk) - num(a.metrics?.disk) || byName(a, b),
    lastSeen: (a, b) => (Date.parse(b.lastSeen ?? '') || 0) - (Date.parse(a.lastSeen ?? '') || 0) || byName(a, b),
  };
  return out.sort(cmp[q.sort]);
}

/** Counts for the summary row. */
export function fleetSummary(list: Instance[]) {
  let green = 0;
  let yellow = 0;
  let red = 0;
  let online = 0;
  let cpu = 0;
  let mem = 0;
  let n = 0;
  for (const i of list) {
    const v = healthOf(i).health;
    if (v === 'green') green++;
    else if (v === 'yellow') yellow++;
    else red++;
    if (i.status === 'online') {
      online++;
      if (i.metrics?.cpu !== undefined) {
        cpu += i.metrics.cpu;
        mem += i.metrics.memory ?? 0;
        n++;
      }
    }
  }
  return { total: list.length, green, yellow, red, online, avgCpu: n ? cpu / n : null, avgMem: n ? mem / n : null };
}
