'use client';
import { Clock, Coins, Cpu, MemoryStick } from 'lucide-react';
import { useEffect, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { MetricChart } from '@/components/charts/metric-chart';
import { AppShell } from '@/components/shell/app-shell';
import { StatCard } from '@/components/stat-card';
import { ErrorRateChart } from '@/components/system/error-rate';
import { FleetResourcesChart } from '@/components/system/fleet-live-chart';
import { HubFigures } from '@/components/system/hub-figures';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { OPERATOR_ROLES } from '@/lib/auth';
import type { FleetUsage } from '@/lib/billing';
import { fleetSummary } from '@/lib/fleet-filter';
import { useFleet } from '@/lib/fleet-store';
import { fmtMoney, fmtMs, fmtPct } from '@/lib/format';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';

export default function SystemPage() {
  return (
    <AppShell roles={OPERATOR_ROLES} title="System monitor">
      <SystemMonitor />
    </AppShell>
  );
}

function SystemMonitor() {
  const { instances } = useFleet();
  const { names } = useClients();
  // The last 24 hours of every instance, computed by the hub (refreshed each minute).
  const from = useMemo(() => new Date(Date.now() - 86_400_000).toISOString(), []);
  const usage = useApi<FleetUsage>('/usage/fleet', { query: { from } });
  const { reload } = usage;
  useEffect(() => {
    const t = setInterval(() => void reload(), 60_000);
    return () => clearInterval(t);
  }, [reload]);
  const summary = useMemo(() => fleetSummary(instances), [instances]);
  const avgDisk = useMemo(() => {
    const on = instances.filter((i) => i.status === 'online' && i.metrics?.disk !== undefined);
    return on.length ? on.reduce((s, i) => s + (i.metrics?.disk ?? 0), 0) / on.length : null;
  }, [instances]);
  const clients = useMemo(
    () => (usage.data?.byClient ?? []).map((c) => ({ ...c, name: names.get(c.clientId) ?? c.clientId })),
    [usage.data, names],
  );
  const latency = useMemo(
    () =>
      (usage.data?.byHour ?? [])
        .filter((h) => h.latencyMs !== null)
        .map((h) => ({ t: new Date(h.t).getTime(), latency: h.latencyMs as number })),
    [usage.data],
  );
  const meanLatency = usage.data?.latencyMs ?? null;
  const totalCost = usage.data?.cost ?? 0;
  const note = usage.error ? `Usage could not be loaded: ${usage.error}` : null;

  return (
    <div className="flex flex-col gap-6" data-testid="system-page">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <StatCard
          label="Avg CPU"
          value={fmtPct(summary.avgCpu)}
          hint={`${summary.online} online instances`}
          icon={Cpu}
        />
        <StatCard
          label="Avg memory / disk"
          value={fmtPct(summary.avgMem)}
          hint={`disk ${fmtPct(avgDisk)}`}
          icon={MemoryStick}
          tone="success"
        />
        <StatCard
          label="Model response time"
          value={fmtMs(meanLatency)}
          hint="mean, last 24 h"
          icon={Clock}
          tone="warning"
        />
        <StatCard label="Model cost" value={fmtMoney(totalCost)} hint="last 24 h" icon={Coins} tone="danger" />
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Fleet resources</CardTitle>
          <CardDescription>CPU, memory and disk across the fleet</CardDescription>
        </CardHeader>
        <CardContent>
          <FleetResourcesChart instances={instances} />
        </CardContent>
      </Card>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Model response latency</CardTitle>
            <CardDescription>Mean time to the final reply, per hour, last 24 h</CardDescription>
          </CardHeader>
          <CardContent>
            {latency.length ? (
              <MetricChart
                rows={latency.map((l) => ({ t: l.t, latency: l.latency }))}
                series={[{ key: 'latency', label: 'Latency', color: '#00d9ff' }]}
                format={fmtMs}
                height={200}
              />
            ) : (
              <div className="grid h-[200px] place-items-center text-xs text-muted-foreground">
                {usage.loading ? 'Loading…' : 'No replies in the last 24 hours'}
              </div>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Error rate</CardTitle>
            <CardDescription>Error and fatal gateway log lines per hour, last 24 h</CardDescription>
          </CardHeader>
          <CardContent>
            <ErrorRateChart hours={usage.data?.byHour ?? null} errorRate={usage.data?.errorRate ?? null} />
          </CardContent>
        </Card>
      </div>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Cost per client</CardTitle>
            <CardDescription>Model cost, last 24 h{note ? ` · ${note}` : ''}</CardDescription>
          </CardHeader>
          <CardContent>
            {clients.length ? (
              <div style={{ height: Math.max(160, clients.length * 32) }} data-testid="cost-per-client">
                <ResponsiveContainer width="100%" height="100%">
                  <BarChart
                    data={clients.slice(0, 20)}
                    layout="vertical"
                    margin={{ top: 0, right: 12, left: 12, bottom: 0 }}
                  >
                    <CartesianGrid stroke="var(--chart-grid)" horizontal={false} />
                    <XAxis
                      type="number"
                      fontSize={10}
                      stroke="var(--muted-foreground)"
                      tickFormatter={(v) => fmtMoney(Number(v))}
                    />
                    <YAxis
                      type="category"
                      dataKey="name"
                      fontSize={11}
                      stroke="var(--muted-foreground)"
                      width={110}
                      tickLine={false}
                      axisLine={false}
                    />
                    <Tooltip
                      cursor={{ fill: 'var(--muted)' }}
                      contentStyle={{
                        background: 'var(--popover)',
                        border: '1px solid var(--border)',
                        borderRadius: 8,
                        fontSize: 12,
                      }}
                      formatter={(v) => [fmtMoney(Number(v)), 'Cost']}
                    />
                    <Bar dataKey="cost" fill="#00d9ff" radius={[0, 4, 4, 0]} isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              </div>
            ) : (
              <div className="grid h-40 place-items-center text-xs text-muted-foreground">
                {usage.loading ? 'Loading…' : 'No usage in the last 24 hours'}
              </div>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Hub</CardTitle>
            <CardDescription>The hub’s own figures (GET /metrics)</CardDescription>
          </CardHeader>
          <CardContent>
            <HubFigures />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
