'use client';
import { useEffect, useRef, useState } from 'react';
import { MetricChart } from '@/components/charts/metric-chart';
import { Tabs, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { HISTORY_SAMPLE, useFleetHistory } from '@/lib/fleet-history';
import type { SeriesRow } from '@/lib/metric-series';
import type { Instance } from '@/lib/types';

const POINTS = 300;
const pct = (v: number) => `${v.toFixed(0)}%`;

const SERIES = [
  { key: 'cpu', label: 'CPU', color: '#00d9ff' },
  { key: 'memory', label: 'Memory', color: '#a78bfa' },
  { key: 'disk', label: 'Disk', color: '#f59e0b' },
];
const HISTORY = { '24h': { ms: 86_400_000, step: 600 }, '7d': { ms: 7 * 86_400_000, step: 3600 } } as const;

/** Live fleet averages, or the history of the last 24 h / 7 d. */
export function FleetResourcesChart({ instances }: { instances: Instance[] }) {
  const [range, setRange] = useState<'live' | keyof typeof HISTORY>('live');
  const ids = range === 'live' ? null : instances.map((i) => i.id).sort();
  const h = range === 'live' ? null : HISTORY[range];
  const history = useFleetHistory(ids, h?.ms ?? 0, h?.step ?? 0);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-muted-foreground">
          {range === 'live'
            ? 'Average over online instances, sampled every 2 s while this page is open'
            : `Average of ${Math.min(instances.length, HISTORY_SAMPLE)} instances${instances.length > HISTORY_SAMPLE ? ` (a sample of ${instances.length})` : ''}`}
        </p>
        <Tabs value={range} onValueChange={(v) => setRange(v as typeof range)}>
          <TabsList aria-label="Range">
            <TabsTrigger value="live">Live</TabsTrigger>
            <TabsTrigger value="24h">24 h</TabsTrigger>
            <TabsTrigger value="7d">7 d</TabsTrigger>
          </TabsList>
        </Tabs>
      </div>
      {range === 'live' ? (
        <FleetLiveChart instances={instances} />
      ) : history === null ? (
        <div className="grid h-[220px] place-items-center text-xs text-muted-foreground">Loading history…</div>
      ) : history.length === 0 ? (
        <div className="grid h-[220px] place-items-center text-xs text-muted-foreground">
          No samples in this range yet
        </div>
      ) : (
        <MetricChart
          rows={history}
          height={220}
          domain={[0, 100]}
          format={pct}
          series={SERIES}
          rangeStart={Date.now() - (h?.ms ?? 0)}
          testId="fleet-history-chart"
        />
      )}
    </div>
  );
}

/**
 * Fleet-wide average CPU, memory and disk of online instances, sampled from the live fleet
 * every two seconds while the page is open.
 */
function FleetLiveChart({ instances }: { instances: Instance[] }) {
  const [rows, setRows] = useState<SeriesRow[]>([]);
  const ref = useRef(instances);
  ref.current = instances;
  useEffect(() => {
    const sample = () => {
      let n = 0;
      const sum = { cpu: 0, memory: 0, disk: 0 };
      for (const i of ref.current) {
        if (i.status !== 'online' || !i.metrics) continue;
        n++;
        sum.cpu += i.metrics.cpu ?? 0;
        sum.memory += i.metrics.memory ?? 0;
        sum.disk += i.metrics.disk ?? 0;
      }
      if (!n) return;
      setRows((cur) =>
        [...cur, { t: Date.now(), cpu: sum.cpu / n, memory: sum.memory / n, disk: sum.disk / n }].slice(-POINTS),
      );
    };
    sample();
    const t = setInterval(sample, 2000);
    return () => clearInterval(t);
  }, []);
  if (!rows.length)
    return (
      <div className="grid h-[220px] place-items-center text-xs text-muted-foreground">
        Waiting for online instances…
      </div>
    );
  return (
    <MetricChart rows={rows} height={220} domain={[0, 100]} format={pct} testId="fleet-live-chart" series={SERIES} />
  );
}
