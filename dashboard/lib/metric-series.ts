'use client';
/**
 * Time series for an instance's charts: history from GET /instances/:id/metrics, and in the
 * `live` range the `metrics` events appended as they arrive (one point per second at most).
 */
import { useEffect, useRef, useState } from 'react';
import { api } from './api';
import { useLiveBatch } from './live';
import { toMs } from './time';

/** Chart ranges and how each is fetched. */
export const RANGES = {
  live: { label: 'Live', ms: 10 * 60_000, step: '5s' },
  '1h': { label: '1 h', ms: 3_600_000, step: '30s' },
  '24h': { label: '24 h', ms: 86_400_000, step: '10m' },
  '7d': { label: '7 d', ms: 7 * 86_400_000, step: '1h' },
  '30d': { label: '30 d', ms: 30 * 86_400_000, step: '6h' },
} as const;
export type RangeKey = keyof typeof RANGES;

/** One chart row: time in ms plus one value per metric name. */
export type SeriesRow = { t: number } & Record<string, number>;

const MAX_LIVE_POINTS = 720;

/** Merges per-metric point lists into rows keyed by time. */
export function mergeSeries(byName: Record<string, [string | number, number | null][]>): SeriesRow[] {
  const rows = new Map<number, SeriesRow>();
  for (const [name, points] of Object.entries(byName)) {
    for (const [t, v] of points) {
      if (v === null || !Number.isFinite(v)) continue;
      const ms = toMs(t);
      if (!Number.isFinite(ms)) continue;
      const row = rows.get(ms) ?? ({ t: ms } as SeriesRow);
      row[name] = v;
      rows.set(ms, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/** Rows for `names` of one instance over `range`; `error` is a readable message or null. */
export function useMetricSeries(instanceId: string | null, names: readonly string[], range: RangeKey) {
  const [rows, setRows] = useState<SeriesRow[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const namesKey = names.join(',');

  useEffect(() => {
    if (!instanceId) return;
    let cancelled = false;
    const r = RANGES[range];
    const to = new Date();
    const from = new Date(to.getTime() - r.ms);
    setLoading(true);
    Promise.all(
      namesKey.split(',').map((name) =>
        api<{ name: string; points: [string, number | null][] }>(
          `/instances/${encodeURIComponent(instanceId)}/metrics`,
          {
            query: { name, from: from.toISOString(), to: to.toISOString(), step: r.step },
          },
        ).then((res) => [name, res.points ?? []] as const),
      ),
    )
      .then((pairs) => {
        if (cancelled) return;
        setRows(mergeSeries(Object.fromEntries(pairs)));
        setError(null);
      })
      .catch((e) => {
        if (!cancelled) setError((e as Error).message);
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [instanceId, namesKey, range]);

  const rangeRef = useRef(range);
  rangeRef.current = range;
  useLiveBatch(
    'metrics',
    (batch) => {
      if (rangeRef.current !== 'live') return;
      const mine = batch.filter((e) => e.instanceId === instanceId);
      if (!mine.length) return;
      setRows((prev) => {
        let next = prev;
        for (const e of mine) {
          const t = toMs(e.t);
          const last = next[next.length - 1];
          // The same sample can reach us through two rooms: keep the first.
          if (!Number.isFinite(t) || (last && t <= last.t)) continue;
          const row = { t } as SeriesRow;
          for (const n of names) {
            const v = e.values[n as keyof typeof e.values];
            if (v !== undefined) row[n] = v;
          }
          next = next === prev ? [...prev, row] : [...next, row];
        }
        const cutoff = Date.now() - RANGES.live.ms;
        if (next.length > MAX_LIVE_POINTS || (next[0] && next[0].t < cutoff))
          next = next.filter((p) => p.t >= cutoff).slice(-MAX_LIVE_POINTS);
        return next;
      });
    },
    !!instanceId,
  );

  return { rows, loading, error };
}
