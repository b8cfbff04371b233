'use client';
import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, asList } from '@/lib/api';
import { MAX_INSTANCES } from '@/lib/fleet-usage';
import { toMs } from '@/lib/time';
import type { ApiLogLine, Instance } from '@/lib/types';

/** Error and fatal log lines per hour across the fleet over the last 24 hours. */
export function ErrorRateChart({ instances }: { instances: Instance[] | null }) {
  const [rows, setRows] = useState<{ t: number; errors: number }[] | null>(null);
  const ids = (instances ?? [])
    .slice(0, MAX_INSTANCES)
    .map((i) => i.id)
    .join(',');
  useEffect(() => {
    if (!ids) return;
    let cancelled = false;
    const from = new Date(Date.now() - 86_400_000);
    const start = Math.floor(from.getTime() / 3_600_000) * 3_600_000;
    const buckets = new Map<number, number>();
    for (let t = start; t <= Date.now(); t += 3_600_000) buckets.set(t, 0);
    Promise.all(
      ids.split(',').map((id) =>
        api<unknown>(`/instances/${encodeURIComponent(id)}/logs`, {
          query: { level: 'error', from: from.toISOString(), limit: 5000 },
        })
          .then((r) => asList<ApiLogLine>(r))
          .catch(() => [] as ApiLogLine[]),
      ),
    ).then((lists) => {
      if (cancelled) return;
      for (const l of lists.flat()) {
        const h = Math.floor(toMs(l.t) / 3_600_000) * 3_600_000;
        if (buckets.has(h)) buckets.set(h, (buckets.get(h) ?? 0) + 1);
      }
      setRows([...buckets.entries()].map(([t, errors]) => ({ t, errors })));
    });
    return () => {
      cancelled = true;
    };
  }, [ids]);
  if (!rows) return <div className="grid h-[200px] place-items-center text-xs text-muted-foreground">Loading…</div>;
  return (
    <div className="h-[200px]" data-testid="error-rate-chart">
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
