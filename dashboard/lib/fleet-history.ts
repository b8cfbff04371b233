'use client';
/**
 * Fleet-wide resource history: the mean of each instance's metric series, bucketed by time.
 * Read from GET /instances/:id/metrics for a bounded sample of instances (the hub has no
 * fleet-wide series route), a few requests at a time.
 */
import { useEffect, useState } from 'react';
import { api } from './api';
import type { SeriesRow } from './metric-series';
import { toMs } from './time';

export const HISTORY_SAMPLE = 25;
const NAMES = ['cpu', 'memory', 'disk'] as const;
const CONCURRENCY = 4;

/** Rows of mean cpu/memory/disk over `rangeMs` with buckets of `stepSec`, null while loading. */
export function useFleetHistory(instanceIds: string[] | null, rangeMs: number, stepSec: number) {
  const [rows, setRows] = useState<SeriesRow[] | null>(null);
  const ids = (instanceIds ?? []).slice(0, HISTORY_SAMPLE).join(',');
  useEffect(() => {
    if (!rangeMs || !ids) {
      setRows(ids ? null : []);
      return;
    }
    let cancelled = false;
    setRows(null);
    const to = new Date();
    const from = new Date(to.getTime() - rangeMs);
    const jobs = ids.split(',').flatMap((id) => NAMES.map((name) => ({ id, name })));
    const sums = new Map<number, Record<string, { s: number; n: number }>>();
    const worker = async () => {
      for (let j = jobs.shift(); j; j = jobs.shift()) {
        try {
          const r = await api<{ points: [string, number][] }>(`/instances/${encodeURIComponent(j.id)}/metrics`, {
            query: { name: j.name, from: from.toISOString(), to: to.toISOString(), step: `${stepSec}s` },
          });
          for (const [t, v] of r.points ?? []) {
            const b = Math.floor(toMs(t) / (stepSec * 1000)) * stepSec * 1000;
            const row = sums.get(b) ?? {};
            const cell = row[j.name] ?? { s: 0, n: 0 };
            cell.s += v;
            cell.n++;
            row[j.name] = cell;
            sums.set(b, row);
          }
        } catch {
          // an instance without history just does not count
        }
      }
    };
    Promise.all(Array.from({ length: CONCURRENCY }, worker)).then(() => {
      if (cancelled) return;
      const out = [...sums.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([t, row]) => {
          const r = { t } as SeriesRow;
          for (const [k, c] of Object.entries(row)) r[k] = c.s / c.n;
          return r;
        });
      setRows(out);
    });
    return () => {
      cancelled = true;
    };
  }, [ids, rangeMs, stepSec]);
  return rows;
}
