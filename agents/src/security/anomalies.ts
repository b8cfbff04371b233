import type { ActivityHour } from '../hub-types.js';
import { HOUR_MS, type SecurityFinding } from './finding.js';

export interface AnomalyPolicy {
  /** Deviation, in scaled MADs from the median of the same hour of week, that counts. */
  madFactor: number;
  /** Consecutive complete hours beyond it that make a finding. */
  sustainHours: number;
  /** Weeks of the same hour of week in a baseline (at least 3 must have been seen). */
  baselineWeeks: number;
}

export const DEFAULT_ANOMALY_POLICY: AnomalyPolicy = { madFactor: 4, sustainHours: 3, baselineWeeks: 4 };

export const ANOMALY_METRICS = ['messages', 'tokens', 'errors', 'latencyMs'] as const;
type Metric = (typeof ANOMALY_METRICS)[number];

/**
 * The smallest spread a baseline is given, so a perfectly steady history (MAD 0) does not turn
 * every small wobble into a deviation: a few messages, a few hundred tokens, a couple of error
 * lines, 250 ms of latency — or 10 % of the median, whichever is more.
 */
const MIN_SPREAD: Record<Metric, number> = { messages: 3, tokens: 300, errors: 2, latencyMs: 250 };

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median and median absolute deviation, scaled (×1.4826) to a standard deviation for normal data. */
export function robustBaseline(xs: number[]): { median: number; mad: number } {
  const med = median(xs);
  return { median: med, mad: 1.4826 * median(xs.map((x) => Math.abs(x - med))) };
}

/**
 * Per instance and metric: each of the last complete hours against the same hour of week in the
 * earlier weeks (hours without activity count as 0; latency only where replies were timed). A
 * streak of `sustainHours` beyond `madFactor` spreads, all on the same side, is one finding —
 * keyed by the streak's first hour, so a lasting anomaly is posted once.
 */
export function checkAnomalies(
  instance: { id: string; hostname: string },
  hours: ActivityHour[],
  p: AnomalyPolicy,
  now: number,
): SecurityFinding[] {
  const byHour = new Map(hours.map((h) => [Math.floor(Date.parse(h.hour) / HOUR_MS), h]));
  const lastComplete = Math.floor(now / HOUR_MS) - 1;
  const value = (h: number, m: Metric): number | null => {
    const row = byHour.get(h);
    if (m === 'latencyMs') return row?.latencyMs ?? null;
    return row ? row[m] : 0;
  };
  const out: SecurityFinding[] = [];
  for (const m of ANOMALY_METRICS) {
    const judge = (h: number) => {
      const x = value(h, m);
      if (x === null) return null;
      const base = Array.from({ length: p.baselineWeeks }, (_, k) => value(h - 168 * (k + 1), m)).filter(
        (v): v is number => v !== null,
      );
      if (base.length < 3) return null;
      const b = robustBaseline(base);
      const spread = Math.max(b.mad, MIN_SPREAD[m], 0.1 * Math.abs(b.median));
      const z = (x - b.median) / spread;
      return Math.abs(z) > p.madFactor
        ? { hour: h, value: x, median: b.median, mad: b.mad, z, dir: Math.sign(z) }
        : null;
    };
    const streak: NonNullable<ReturnType<typeof judge>>[] = [];
    for (let h = lastComplete; h > lastComplete - 24 * 7; h--) {
      const j = judge(h);
      if (!j || (streak.length && j.dir !== streak[0].dir)) break;
      streak.push(j);
    }
    if (streak.length < p.sustainHours) continue;
    streak.reverse();
    const first = new Date(streak[0].hour * HOUR_MS).toISOString();
    const dir = streak[0].dir > 0 ? 'above' : 'below';
    out.push({
      dedupeKey: `anomaly:${instance.id}:${m}:${dir}:${first}`,
      check: 'anomalies',
      instanceId: instance.id,
      kind: `anomaly_${m === 'latencyMs' ? 'latency' : m}`,
      severity: m === 'errors' || m === 'latencyMs' ? 'warning' : 'info',
      what: `${m} on ${instance.hostname} has been ${dir} its usual level for ${streak.length} hours since ${first} (more than ${p.madFactor} MAD from the median of the same hour in earlier weeks)`,
      evidence: {
        hostname: instance.hostname,
        metric: m,
        direction: dir,
        since: first,
        hours: streak.slice(-24).map((s) => ({
          hour: new Date(s.hour * HOUR_MS).toISOString(),
          value: Math.round(s.value * 100) / 100,
          median: s.median,
          mad: Math.round(s.mad * 100) / 100,
        })),
      },
    });
  }
  return out;
}
