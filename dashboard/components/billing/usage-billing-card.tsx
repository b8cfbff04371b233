'use client';
import { CreditCard, Download, ShieldAlert, TriangleAlert } from 'lucide-react';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Progress } from '@/components/ui/progress';
import { Skeleton } from '@/components/ui/skeleton';
import {
  type ClientBilling,
  downloadInvoicePdf,
  fmtCents,
  hardLimitText,
  type Invoice,
  usageLevel,
} from '@/lib/billing';
import { fmtCompact } from '@/lib/format';
import { useApi } from '@/lib/use-api';

function Meter({
  label,
  used,
  projected,
  limit,
  fmt,
}: {
  label: string;
  used: number;
  projected: number;
  limit: number | null;
  fmt: (v: number) => string;
}) {
  const level = usageLevel(used, limit);
  const soon = usageLevel(projected, limit);
  return (
    <div className="flex flex-col gap-1.5" data-testid={`limit-${label.toLowerCase()}`} data-level={level}>
      <div className="flex items-baseline justify-between text-xs">
        <span className="font-medium">{label}</span>
        <span className="tabular-nums text-muted-foreground">
          {fmt(used)}
          {limit ? ` / ${fmt(limit)}` : ''}
        </span>
      </div>
      <Progress value={used} max={limit ?? Math.max(used, 1)} />
      <p className="text-[11px] text-muted-foreground">
        Forecast {fmt(projected)} by month end
        {level !== 'ok' ? (
          <span className="ml-1 inline-flex items-center gap-1 text-danger">
            <TriangleAlert className="size-3" />
            {level === 'over' ? 'over the limit' : `${Math.round((used / (limit ?? 1)) * 100)}% used`}
          </span>
        ) : soon !== 'ok' ? (
          <span className="ml-1 text-warning">· on track to reach the limit</span>
        ) : null}
      </p>
    </div>
  );
}

const STATUS: Record<string, 'success' | 'warning' | 'danger' | 'outline' | 'accent'> = {
  paid: 'success',
  open: 'accent',
  failed: 'danger',
  issued: 'outline',
};

function statusOf(inv: Invoice) {
  if (inv.kind === 'credit_note') return 'credit note';
  if (inv.status === 'open' && new Date(inv.dueAt).getTime() < Date.now()) return 'overdue';
  return inv.status === 'open' ? 'due' : inv.status;
}

/** The client's usage against its plan, the hub's forecast, its limits, and its invoices. */
export function UsageBillingCard({ clientId }: { clientId: string }) {
  const b = useApi<ClientBilling>(`/clients/${encodeURIComponent(clientId)}/billing`);
  const [pdfError, setPdfError] = useState<string | null>(null);
  if (b.loading && !b.data) return <Skeleton className="h-80" />;
  if (b.error || !b.data)
    return (
      <Card data-testid="usage-billing">
        <CardContent className="p-5 text-sm text-danger">Could not load usage and billing: {b.error}</CardContent>
      </Card>
    );
  const { allowance: a, usage, forecast: f, billing, invoices, plan } = b.data;
  const tokens = usage.tokensIn + usage.tokensOut;
  const spendCents = Math.round(usage.cost * 100);
  const projectedCents = Math.round(f.projected.cost * 100);
  const chart = usage.byDay.map((d) => ({
    label: d.day.slice(8),
    day: d.day,
    tokens: d.tokensIn + d.tokensOut,
    messages: d.messages,
  }));
  const money = (c: number) => fmtCents(c, a.currency);
  return (
    <Card data-testid="usage-billing">
      <CardHeader>
        <CardTitle>Usage &amp; Billing</CardTitle>
        <CardDescription>
          {plan?.name ?? a.plan} plan · {money(a.priceCents)} a month · {a.period} so far: {fmtCompact(usage.messages)}{' '}
          messages, {fmtCompact(tokens)} tokens
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        <div className="h-40" role="img" aria-label="Tokens per day this month">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={chart} margin={{ top: 4, right: 4, left: -16, bottom: 0 }}>
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
                formatter={(v) => [fmtCompact(Number(v)), 'Tokens']}
                labelFormatter={(_, p) => String(p?.[0]?.payload?.day ?? '')}
              />
              <Bar dataKey="tokens" fill="#00d9ff" radius={[4, 4, 0, 0]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          <Meter
            label="Messages"
            used={usage.messages}
            projected={f.projected.messages}
            limit={a.includedMessages}
            fmt={fmtCompact}
          />
          <Meter
            label="Tokens"
            used={tokens}
            projected={f.projected.tokens}
            limit={a.includedTokens}
            fmt={fmtCompact}
          />
          <Meter
            label="Model spend"
            used={spendCents}
            projected={projectedCents}
            limit={a.budgetHardCents ?? a.budgetSoftCents}
            fmt={money}
          />
        </div>
        <div className="rounded-lg border border-border p-3 text-xs" data-testid="limits">
          <p className="mb-1 flex items-center gap-1.5 font-medium">
            <ShieldAlert className="size-3.5" /> Limits
          </p>
          <p className="text-muted-foreground">
            {a.includedMessages.toLocaleString()} messages included; each 1,000 more cost{' '}
            {money(a.overagePer1kMessagesCents)}.{' '}
            {a.budgetSoftCents != null && <>A warning at {money(a.budgetSoftCents)} of model spend. </>}
            {a.budgetHardCents != null ? (
              <>
                At {money(a.budgetHardCents)} {hardLimitText(billing.hardLimit ?? a.hardLimit, plan?.fallbackModel)}.
              </>
            ) : (
              <>No spending cap is set.</>
            )}
          </p>
          {billing.enforcement && (
            <p className="mt-1 text-danger" data-testid="enforcement">
              The limit was reached this month: {hardLimitText(billing.enforcement.action, plan?.fallbackModel)}.
            </p>
          )}
          <p className="mt-1 text-muted-foreground">
            Forecast (
            {f.method === 'weekday'
              ? 'this month’s pace with your weekday pattern'
              : f.method === 'flat'
                ? 'recent daily average'
                : 'no history yet'}
            ): {fmtCompact(f.projected.messages)} messages, {money(projectedCents)} model spend.
          </p>
        </div>
        <div>
          <p className="mb-2 text-sm font-medium">Invoices</p>
          {invoices.length === 0 ? (
            <p className="text-xs text-muted-foreground">No invoices yet.</p>
          ) : (
            <table className="w-full text-sm" data-testid="invoices">
              <thead>
                <tr className="border-b border-border text-left text-xs text-muted-foreground">
                  <th className="py-2 font-medium">Number</th>
                  <th className="py-2 font-medium">Period</th>
                  <th className="py-2 font-medium">Total</th>
                  <th className="py-2 font-medium">Due</th>
                  <th className="py-2 font-medium">Status</th>
                  <th className="py-2" />
                </tr>
              </thead>
              <tbody>
                {invoices.map((inv) => {
                  const s = statusOf(inv);
                  return (
                    <tr key={inv.id} className="border-b border-border last:border-0" data-testid="invoice-row">
                      <td className="py-2 font-mono text-xs">{inv.number}</td>
                      <td className="py-2">{inv.period}</td>
                      <td className="py-2 tabular-nums">{fmtCents(inv.total, inv.currency)}</td>
                      <td className="py-2 text-xs">{inv.kind === 'invoice' ? inv.dueAt.slice(0, 10) : '—'}</td>
                      <td className="py-2">
                        <Badge variant={s === 'overdue' ? 'warning' : (STATUS[inv.status] ?? 'outline')}>{s}</Badge>
                      </td>
                      <td className="py-2">
                        <div className="flex justify-end gap-1">
                          {inv.payUrl && inv.kind === 'invoice' && inv.status !== 'paid' && (
                            <Button asChild size="sm" variant="outline">
                              <a href={inv.payUrl} target="_blank" rel="noreferrer">
                                <CreditCard /> Pay
                              </a>
                            </Button>
                          )}
                          <Button
                            size="sm"
                            variant="ghost"
                            aria-label={`Download ${inv.number} as PDF`}
                            onClick={() =>
                              downloadInvoicePdf(inv).then(
                                () => setPdfError(null),
                                (e) => setPdfError((e as Error).message),
                              )
                            }
                          >
                            <Download /> PDF
                          </Button>
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {pdfError && <p className="mt-2 text-xs text-danger">{pdfError}</p>}
        </div>
      </CardContent>
    </Card>
  );
}
