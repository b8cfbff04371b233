import type { ServerType } from './api.js';

/** An instance's server and its measured load over the look-back window. */
export interface ServerLoad {
  instanceId: string;
  clientId: string;
  serverType: string;
  location: string;
  /** 95th percentile of CPU use, in %. */
  cpuP95: number;
  /** Highest memory use, in %. */
  memoryMax: number;
  samples: number;
}

/** A smaller server type that carries the measured load, and what it saves per month. */
export interface ServerSaving {
  instanceId: string;
  clientId: string;
  current: { type: string; cores: number; memoryGb: number; monthly: number };
  suggested: { type: string; cores: number; memoryGb: number; monthly: number };
  savingMonthly: number;
  load: { cpuP95: number; memoryMax: number; samples: number };
  needs: { cores: number; memoryGb: number };
}

/** Headroom kept over the measured peak when sizing down. */
export const HEADROOM = 2;
/** At least this many samples before judging a server. */
export const MIN_SAMPLES = 12;

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/**
 * The cheapest server type in the same location (and architecture) with the cores and memory the
 * measured load needs with twice the headroom, when it costs less than the current one (prices
 * from the provider's catalogue the hub deploys from).
 */
export function oversized(load: ServerLoad, types: ServerType[]): ServerSaving | null {
  const cur = types.find((t) => t.name === load.serverType);
  const curPrice = cur?.monthlyPrice[load.location];
  if (!cur || curPrice === undefined || load.samples < MIN_SAMPLES) return null;
  const needs = {
    cores: Math.max(1, Math.ceil((load.cpuP95 / 100) * cur.cores * HEADROOM)),
    memoryGb: Math.round((load.memoryMax / 100) * cur.memoryGb * HEADROOM * 10) / 10,
  };
  const fits = types
    .filter(
      (t) =>
        t.name !== cur.name &&
        (t.architecture ?? 'x86') === (cur.architecture ?? 'x86') &&
        t.cores >= needs.cores &&
        t.memoryGb >= needs.memoryGb &&
        t.monthlyPrice[load.location] !== undefined &&
        t.monthlyPrice[load.location] < curPrice,
    )
    .sort((a, b) => a.monthlyPrice[load.location] - b.monthlyPrice[load.location]);
  const best = fits[0];
  if (!best) return null;
  const monthly = best.monthlyPrice[load.location];
  return {
    instanceId: load.instanceId,
    clientId: load.clientId,
    current: { type: cur.name, cores: cur.cores, memoryGb: cur.memoryGb, monthly: curPrice },
    suggested: { type: best.name, cores: best.cores, memoryGb: best.memoryGb, monthly },
    savingMonthly: Math.round((curPrice - monthly) * 100) / 100,
    load: { cpuP95: load.cpuP95, memoryMax: load.memoryMax, samples: load.samples },
    needs,
  };
}
