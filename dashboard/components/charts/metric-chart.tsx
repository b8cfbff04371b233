'use client';
import { useId } from 'react';
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesRow } from '@/lib/metric-series';

/** One line of a {@link MetricChart}. */
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

const timeFmt = (spanMs: number) => (t: number) => {
  const d = new Date(t);
  if (spanMs > 2 * 86_400_000) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  if (spanMs < 15 * 60_000)
    return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
};

/**
 * An area chart over time with gradient fills and, for more than one series, a legend.
 * Animation is off: live data moves every second and tweening each update would make the chart
 * lag behind. With `rangeStart`, the time axis spans the whole asked range, and a young series
 * says from when it has data instead of stretching a few points (or one dot) across the chart.
 */
export function MetricChart({
  rows,
  series,
  format,
  domain,
  height = 180,
  testId,
  axisFormat,
  rangeStart,
}: {
  rows: SeriesRow[];
  series: ChartSeries[];
  format: (v: number) => string;
  domain?: [number, number];
  height?: number;
  testId?: string;
  /** Shorter labels for the value axis (default: `format`), so they never wrap or clip. */
  axisFormat?: (v: number) => string;
  /** Start of the asked range (ms): the axis covers it, and missing early data is said. */
  rangeStart?: number;
}) {
  const gid = useId().replace(/:/g, '');
  const first = rows[0]?.t ?? 0;
  const last = rows[rows.length - 1]?.t ?? 0;
  // Data that starts well after the range does: keep the range on the axis and say so.
  const young = rangeStart !== undefined && rows.length > 0 && first - rangeStart > 0.1 * (last - rangeStart);
  const span = young ? last - (rangeStart as number) : rows.length > 1 ? last - first : 0;
  const tf = timeFmt(span);
  return (
    <div className="flex flex-col gap-1">
      <div className="relative" style={{ height }} data-testid={testId} data-points={rows.length}>
        {young && (
          <p
            className="pointer-events-none absolute top-1 left-16 z-10 rounded bg-popover/80 px-1.5 py-0.5 text-[11px] text-muted-foreground"
            data-testid="no-data-before"
          >
            No data before{' '}
            {new Date(first).toLocaleString(undefined, {
              month: 'short',
              day: 'numeric',
              hour: '2-digit',
              minute: '2-digit',
            })}
          </p>
        )}
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={rows} margin={{ top: 6, right: 6, bottom: 0, left: 0 }}>
            <defs>
              {series.map((s) => (
                <linearGradient key={s.key} id={`${gid}-${s.key}`} x1="0" y1="0" x2="0" y2="1">
                  <stop offset="0%" stopColor={s.color} stopOpacity={0.35} />
                  <stop offset="100%" stopColor={s.color} stopOpacity={0} />
                </linearGradient>
              ))}
            </defs>
            <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={young ? [rangeStart as number, 'dataMax'] : ['dataMin', 'dataMax']}
              tickFormatter={tf}
              stroke="var(--muted-foreground)"
              fontSize={10}
              tickLine={false}
              axisLine={false}
              minTickGap={40}
            />
            <YAxis
              stroke="var(--muted-foreground)"
              fontSize={10}
              tickLine={false}
              axisLine={false}
              domain={domain ?? [0, 'auto']}
              tickFormatter={axisFormat ?? format}
              width={48}
            />
            <Tooltip
              contentStyle={{
                background: 'var(--popover)',
                border: '1px solid var(--border)',
                borderRadius: 8,
                fontSize: 12,
              }}
              labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
              formatter={(v, name) => [format(Number(v)), series.find((s) => s.key === name)?.label ?? String(name)]}
            />
            {series.map((s) => (
              <Area
                key={s.key}
                type="monotone"
                dataKey={s.key}
                stroke={s.color}
                strokeWidth={2}
                fill={`url(#${gid}-${s.key})`}
                isAnimationActive={false}
                connectNulls
                dot={rows.length < 3 ? { r: 3, fill: s.color, stroke: s.color } : false}
              />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      </div>
      {series.length > 1 && (
        <ul
          className="flex flex-wrap gap-x-4 gap-y-1 pl-12 text-[11px] text-muted-foreground"
          data-testid="chart-legend"
        >
          {series.map((s) => (
            <li key={s.key} className="inline-flex items-center gap-1.5">
              <span className="size-2 rounded-full" style={{ background: s.color }} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
