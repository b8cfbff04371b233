'use client';
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { FleetUsage } from '@/lib/billing';

/** Error and fatal gateway log lines per hour across every instance (counted by the hub). */
export function ErrorRateChart({ hours, errorRate }: { hours: FleetUsage['byHour'] | null; errorRate: number | null }) {
  const rows = useMemo(() => hours?.map((h) => ({ t: new Date(h.t).getTime(), errors: h.errors })) ?? null, [hours]);
  if (!rows) return <div className="grid h-[200px] place-items-center text-xs text-muted-foreground">Loading…</div>;
  return (
    <div className="h-[200px]" data-testid="error-rate-chart" data-error-rate={errorRate ?? ''}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 4, right: 4, left: -20, bottom: 0 }}>
          <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
          <XAxis
            dataKey="t"
            fontSize={10}
            stroke="var(--muted-foreground)"
            tickLine={false}
            axisLine={false}
            tickFormatter={(t) => new Date(Number(t)).getHours().toString().padStart(2, '0')}
          />
          <YAxis
            fontSize={10}
            stroke="var(--muted-foreground)"
            tickLine={false}
            axisLine={false}
            allowDecimals={false}
          />
          <Tooltip
            cursor={{ fill: 'var(--muted)' }}
            contentStyle={{
              background: 'var(--popover)',
              border: '1px solid var(--border)',
              borderRadius: 8,
              fontSize: 12,
            }}
            labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
            formatter={(v) => [String(v), 'Errors']}
          />
          <Bar dataKey="errors" fill="#f43f5e" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
