'use client';
import { useState } from 'react';
import { MetricChart } from '@/components/charts/metric-chart';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { fmtBytes } from '@/lib/format';
import { RANGES, type RangeKey, useMetricSeries } from '@/lib/metric-series';
import { RangePicker } from './range-picker';

const NAMES = ['cpu', 'memory', 'disk', 'net_rx', 'net_tx'] as const;
const pct = (v: number) => `${v.toFixed(0)}%`;
/** Axis labels for bytes per second: short enough for the axis ("12K", "1.5M"); the tooltip has the rest. */
const bytesAxis = (v: number) =>
  v < 1024
    ? `${v.toFixed(0)}B`
    : v < 1024 ** 2
      ? `${(v / 1024).toFixed(v < 10 * 1024 ? 1 : 0)}K`
      : `${(v / 1024 ** 2).toFixed(1)}M`;

/** CPU, memory, disk and network charts of one instance with a range picker. */
export function MetricPanels({ instanceId }: { instanceId: string }) {
  const [range, setRange] = useState<RangeKey>('live');
  const { rows, loading, error } = useMetricSeries(instanceId, NAMES, range);
  const charts = [
    {
      title: 'CPU',
      series: [{ key: 'cpu', label: 'CPU', color: '#00d9ff' }],
      format: pct,
      domain: [0, 100] as [number, number],
    },
    {
      title: 'Memory',
      series: [{ key: 'memory', label: 'Memory', color: '#a78bfa' }],
      format: pct,
      domain: [0, 100] as [number, number],
    },
    {
      title: 'Disk',
      series: [{ key: 'disk', label: 'Disk', color: '#f59e0b' }],
      format: pct,
      domain: [0, 100] as [number, number],
    },
    {
      title: 'Network (per second)',
      series: [
        { key: 'net_rx', label: 'Received', color: '#10b981' },
        { key: 'net_tx', label: 'Sent', color: '#f43f5e' },
      ],
      format: (v: number) => fmtBytes(v, true),
      axisFormat: bytesAxis,
      domain: undefined,
    },
  ];
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">Resources</h2>
        <RangePicker value={range} onChange={setRange} />
      </div>
      {error && <p className="text-xs text-danger">Could not load history: {error}</p>}
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        {charts.map((c) => (
          <Card key={c.title}>
            <CardHeader className="flex-row items-center justify-between pb-1">
              <CardTitle>{c.title}</CardTitle>
              <span className="font-mono text-xs text-muted-foreground tabular-nums">
                {rows.length ? c.format(rows[rows.length - 1][c.series[0].key] ?? Number.NaN) : ''}
              </span>
            </CardHeader>
            <CardContent>
              {loading && !rows.length ? (
                <Skeleton className="h-[180px]" />
              ) : rows.length === 0 ? (
                <div className="grid h-[180px] place-items-center text-xs text-muted-foreground">
                  No samples in this range yet
                </div>
              ) : (
                <MetricChart
                  rows={rows}
                  series={c.series}
                  format={c.format}
                  domain={c.domain}
                  axisFormat={'axisFormat' in c ? c.axisFormat : undefined}
                  rangeStart={range === 'live' ? undefined : Date.now() - RANGES[range].ms}
                  testId={`chart-${c.series[0].key}`}
                />
              )}
            </CardContent>
          </Card>
        ))}
      </div>
    </div>
  );
}
