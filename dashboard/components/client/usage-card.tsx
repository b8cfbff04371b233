'use client';
import { TriangleAlert } from 'lucide-react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Progress } from '@/components/ui/progress';
import { fmtCompact, fmtMoney } from '@/lib/format';
import { limitsFor, usageLevel } from '@/lib/plans';
import type { Client, Conversation } from '@/lib/types';
import { monthForecast, usageByDay } from '@/lib/usage';

function Limit({
  label,
  used,
  forecast,
  limit,
  fmt,
}: {
  label: string;
  used: number;
  forecast: number;
  limit: number;
  fmt: (v: number) => string;
}) {
  const level = usageLevel(used, limit);
  const forecastLevel = usageLevel(forecast, limit);
  return (
    <div className="flex flex-col gap-1.5" data-testid={`limit-${label.toLowerCase()}`} data-level={level}>
      <div className="flex items-baseline justify-between text-xs">
        <span className="font-medium">{label}</span>
        <span className="tabular-nums text-muted-foreground">
          {fmt(used)} / {fmt(limit)}
        </span>
      </div>
      <Progress value={used} max={limit} />
      {level !== 'ok' ? (
        <p className="flex items-center gap-1 text-[11px] text-danger">
          <TriangleAlert className="size-3" />{' '}
          {level === 'over' ? 'Over your plan limit' : `${Math.round((used / limit) * 100)}% of your plan limit used`}
        </p>
      ) : forecastLevel !== 'ok' ? (
        <p className="flex items-center gap-1 text-[11px] text-warning">
          <TriangleAlert className="size-3" /> On track to reach {fmt(forecast)} by month end
        </p>
      ) : null}
    </div>
  );
}

/** Tokens and cost by day this month, a forecast to month end and the plan's limits. */
export function UsageCard({
  messages,
  client,
  truncated,
}: {
  messages: Conversation[];
  client: Client | null;
  truncated: boolean;
}) {
  const days = usageByDay(messages);
  const f = monthForecast(days);
  const limits = limitsFor(client);
  const chart = days.map((d) => ({ ...d, label: d.day.slice(8) }));
  return (
    <Card data-testid="usage-card">
      <CardHeader>
        <CardTitle>Usage and billing</CardTitle>
        <CardDescription>
          This month · {fmtCompact(f.tokens)} tokens · {fmtMoney(f.cost)} so far · forecast {fmtMoney(f.forecastCost)}{' '}
          by month end
          {client?.plan ? ` · ${client.plan} plan` : ''}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        <div className="h-44">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={chart} margin={{ top: 4, right: 4, left: -16, bottom: 0 }}>
              <defs>
                <linearGradient id="usage-bar" x1="0" y1="0" x2="0" y2="1">
                  <stop offset="0%" stopColor="#00d9ff" stopOpacity={0.9} />
                  <stop offset="100%" stopColor="#1a365d" stopOpacity={0.7} />
                </linearGradient>
              </defs>
              <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
              <XAxis dataKey="label" fontSize={10} stroke="var(--muted-foreground)" tickLine={false} axisLine={false} />
              <YAxis
                fontSize={10}
                stroke="var(--muted-foreground)"
                tickLine={false}
                axisLine={false}
                tickFormatter={(v) => fmtCompact(Number(v))}
              />
              <Tooltip
                cursor={{ fill: 'var(--muted)' }}
                contentStyle={{
                  background: 'var(--popover)',
                  border: '1px solid var(--border)',
                  borderRadius: 8,
                  fontSize: 12,
                }}
                formatter={(v, n) =>
                  n === 'tokens' ? [fmtCompact(Number(v)), 'Tokens'] : [fmtMoney(Number(v)), 'Cost']
                }
                labelFormatter={(_, p) => String(p?.[0]?.payload?.day ?? '')}
              />
              <Bar dataKey="tokens" fill="url(#usage-bar)" radius={[4, 4, 0, 0]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          <Limit
            label="Tokens"
            used={f.tokens}
            forecast={f.forecastTokens}
            limit={limits.tokensPerMonth}
            fmt={fmtCompact}
          />
          <Limit label="Cost" used={f.cost} forecast={f.forecastCost} limit={limits.costPerMonth} fmt={fmtMoney} />
          <Limit
            label="Messages"
            used={f.messages}
            forecast={f.forecastMessages}
            limit={limits.messagesPerMonth}
            fmt={fmtCompact}
          />
        </div>
        {truncated && (
          <p className="text-[11px] text-muted-foreground">
            Figures cover the most recent messages the hub returned; older ones this month are not counted.
          </p>
        )}
      </CardContent>
    </Card>
  );
}
