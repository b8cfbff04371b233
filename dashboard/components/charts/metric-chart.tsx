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
 * An area chart over time with gradient fills. Animation is off: live data moves every second
 * and tweening each update would make the chart lag behind.
 */
export function MetricChart({
  rows,
  series,
  format,
  domain,
  height = 180,
  testId,
}: {
  rows: SeriesRow[];
  series: ChartSeries[];
  format: (v: number) => string;
  domain?: [number, number];
  height?: number;
  testId?: string;
}) {
  const gid = useId().replace(/:/g, '');
  const span = rows.length > 1 ? rows[rows.length - 1].t - rows[0].t : 0;
  const tf = timeFmt(span);
  return (
    <div style={{ height }} data-testid={testId} data-points={rows.length}>
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
            domain={['dataMin', 'dataMax']}
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
            tickFormatter={format}
            width={56}
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
              dot={false}
            />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
