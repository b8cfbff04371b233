import type { Catalogue, Instance, InstanceServer } from '../hub-types.js';
import type { OrchestratorPolicy } from './policy.js';

/**
 * Whether an offline instance's server is dead: deleted at the provider (at once), or offline past
 * `failoverAfterSec` (unreachable). A server being changed on purpose (resized, paused, moved) or
 * one the hub did not deploy (no server record) is never dead here.
 */
export function serverDead(
  i: Instance,
  server: InstanceServer | null,
  now: number,
  p: Pick<OrchestratorPolicy, 'failoverAfterSec'>,
): { dead: boolean; why: string; offlineSec: number | null } {
  const offlineSec = i.lastSeen ? Math.round((now - Date.parse(i.lastSeen)) / 1000) : null;
  if (i.status !== 'offline') return { dead: false, why: `instance is ${i.status}`, offlineSec };
  if (!server) return { dead: false, why: 'no server deployed by the hub', offlineSec };
  if (server.state !== 'running' || server.operation?.status === 'running')
    return {
      dead: false,
      why: `server is ${server.state}${server.operation ? ` (${server.operation.kind})` : ''}`,
      offlineSec,
    };
  if (server.providerStatus === 'deleted')
    return { dead: true, why: `server ${server.serverId} no longer exists at ${server.provider}`, offlineSec };
  if (offlineSec !== null && offlineSec >= p.failoverAfterSec)
    return {
      dead: true,
      why: `offline for ${offlineSec} s (threshold ${p.failoverAfterSec} s); server ${server.serverId} is ${server.providerStatus ?? 'unknown'} at ${server.provider}`,
      offlineSec,
    };
  return { dead: false, why: `offline for ${offlineSec ?? '?'} s, under ${p.failoverAfterSec} s`, offlineSec };
}

/**
 * Whether every point of a metric's history over the last `windowSec` is beyond a threshold, and
 * the history covers the window (at least 3 points, the first within the window's first fifth):
 * one spike, or a few minutes of data, is never "sustained".
 */
export function sustained(
  points: readonly [string, number][],
  o: { now: number; windowSec: number; above?: number; below?: number },
): { yes: boolean; points: number; mean: number | null } {
  const from = o.now - o.windowSec * 1000;
  const inWin = points.filter(([t]) => Date.parse(t) >= from - 60_000);
  const mean = inWin.length ? inWin.reduce((s, [, v]) => s + v, 0) / inWin.length : null;
  if (inWin.length < 3) return { yes: false, points: inWin.length, mean };
  if (Date.parse(inWin[0][0]) > from + o.windowSec * 200) return { yes: false, points: inWin.length, mean };
  const ok = inWin.every(([, v]) => (o.above === undefined || v > o.above) && (o.below === undefined || v < o.below));
  return { yes: ok, points: inWin.length, mean };
}

type ServerType = Catalogue['serverTypes'][number];
const family = (name: string) => /^[a-z]+/.exec(name)?.[0] ?? name;

/** A resize target and its monthly price difference in the server's location. */
export interface ResizeTarget {
  from: string;
  to: string;
  location: string;
  monthlyFrom: number | null;
  monthlyTo: number;
  monthlyDelta: number | null;
}

/**
 * The next server type of the same family (cx, cpx, ccx…; same architecture) priced in the
 * location: up, the cheapest with more of what is short (memory or cores); down, the largest
 * smaller one that still holds the memory in use with room to spare (at most 60 % of it).
 */
export function nextServerType(
  cat: Catalogue,
  current: string,
  location: string,
  o: { dir: 'up'; short: 'cpu' | 'memory' } | { dir: 'down'; memoryUsedPct: number },
): ResizeTarget | null {
  const cur = cat.serverTypes.find((t) => t.name === current);
  if (!cur) return null;
  const same = cat.serverTypes.filter(
    (t) =>
      t.name !== cur.name &&
      family(t.name) === family(cur.name) &&
      t.architecture === cur.architecture &&
      t.monthlyPrice[location] !== undefined,
  );
  let pick: ServerType | undefined;
  if (o.dir === 'up') {
    const bigger = same.filter((t) => (o.short === 'memory' ? t.memoryGb > cur.memoryGb : t.cores > cur.cores));
    pick = bigger.sort((a, b) => a.monthlyPrice[location] - b.monthlyPrice[location])[0];
  } else {
    const usedGb = (o.memoryUsedPct / 100) * cur.memoryGb;
    const smaller = same.filter((t) => t.memoryGb < cur.memoryGb && usedGb <= 0.6 * t.memoryGb);
    pick = smaller.sort((a, b) => b.memoryGb - a.memoryGb || b.cores - a.cores)[0];
  }
  if (!pick) return null;
  const monthlyFrom = cur.monthlyPrice[location] ?? null;
  const monthlyTo = pick.monthlyPrice[location];
  return {
    from: cur.name,
    to: pick.name,
    location,
    monthlyFrom,
    monthlyTo,
    monthlyDelta: monthlyFrom === null ? null : Math.round((monthlyTo - monthlyFrom) * 100) / 100,
  };
}

/** "+3.58 EUR/month (4.51 → 8.09)" */
export function priceText(t: ResizeTarget): string {
  if (t.monthlyDelta === null) return `${t.monthlyTo.toFixed(2)} EUR/month`;
  const sign = t.monthlyDelta >= 0 ? '+' : '−';
  return `${sign}${Math.abs(t.monthlyDelta).toFixed(2)} EUR/month (${t.monthlyFrom?.toFixed(2)} → ${t.monthlyTo.toFixed(2)})`;
}
