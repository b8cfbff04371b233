'use client';
import { Building2, ExternalLink, TriangleAlert } from 'lucide-react';
import Link from 'next/link';
import { useMemo } from 'react';
import { PlansCard } from '@/components/billing/plans-card';
import { AddUserDialog, ClientPlanDialog, NewClientDialog } from '@/components/clients/client-dialogs';
import { DeployDialog } from '@/components/deploy/deploy-dialog';
import { WarmPoolCard } from '@/components/deploy/warm-pool-card';
import { AppShell } from '@/components/shell/app-shell';
import { HealthDot } from '@/components/status/health';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Progress } from '@/components/ui/progress';
import { Skeleton } from '@/components/ui/skeleton';
import { OPERATOR_ROLES, useAuth } from '@/lib/auth';
import {
  type FleetUsage,
  type Forecast,
  fmtCents,
  type Margins,
  type Overview,
  type Plan,
  STATUS_TONE,
  usageLevel,
} from '@/lib/billing';
import { useFleet } from '@/lib/fleet-store';
import { fmtCompact, fmtMoney, fmtPct } from '@/lib/format';
import { healthOf } from '@/lib/health';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';

export default function ClientsPage() {
  return (
    <AppShell roles={OPERATOR_ROLES} title="Clients">
      <Clients />
    </AppShell>
  );
}

/** Onboarding progress 0-100 from the screens the hub recorded as finished. */
function onboardingPct(o: Overview['clients'][number]['onboarding'] | undefined, status: string | undefined) {
  if (o?.done || (!o?.completed && status === 'active')) return 100;
  return o?.steps ? Math.round((o.completed / o.steps) * 100) : 0;
}

function Clients() {
  const { user } = useAuth();
  const { clients, loading, error, reload } = useClients();
  const { instances } = useFleet();
  // Month to date, every instance, computed by the hub.
  const usage = useApi<FleetUsage>('/usage/fleet', { key: clients.length });
  const overview = useApi<Overview>('/billing/overview', { key: clients.length });
  const margins = useApi<Margins>('/billing/margins', { key: clients.length });
  const plans = useApi<Plan[]>('/plans');
  const forecast = useApi<Forecast>('/billing/forecast');
  const usageBy = useMemo(() => new Map((usage.data?.byClient ?? []).map((u) => [u.clientId, u])), [usage.data]);
  const billingBy = useMemo(() => new Map((overview.data?.clients ?? []).map((b) => [b.clientId, b])), [overview.data]);
  const marginBy = useMemo(() => new Map((margins.data?.clients ?? []).map((m) => [m.clientId, m])), [margins.data]);
  const planBy = useMemo(() => new Map((plans.data ?? []).map((p) => [p.id, p])), [plans.data]);
  const rows = useMemo(
    () =>
      clients.map((c) => {
        const mine = instances.filter((i) => i.clientId === c.id);
        const u = usageBy.get(c.id);
        const plan = planBy.get(c.plan ?? '');
        const limits = { tokens: plan?.includedTokens ?? 0, messages: plan?.includedMessages ?? 0 };
        const tokens = u ? u.tokensIn + u.tokensOut : 0;
        const levels = u
          ? [
              {
                what: 'tokens',
                level: usageLevel(tokens, limits.tokens),
                pct: limits.tokens ? tokens / limits.tokens : 0,
              },
              {
                what: 'messages',
                level: usageLevel(u.messages, limits.messages),
                pct: limits.messages ? u.messages / limits.messages : 0,
              },
            ]
          : [];
        const worst = levels.filter((l) => l.level !== 'ok');
        return {
          c,
          mine,
          u,
          tokens,
          limits,
          alerts: worst,
          billing: billingBy.get(c.id),
          margin: marginBy.get(c.id),
        };
      }),
    [clients, instances, usageBy, planBy, billingBy, marginBy],
  );
  const alerts = rows.filter((r) => r.alerts.length);

  if (loading && !clients.length) return <Skeleton className="h-64" />;
  if (error) return <p className="text-sm text-danger">Could not load clients: {error}</p>;
  return (
    <div className="flex flex-col gap-6" data-testid="clients-page">
      <div className="flex items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground">
          {clients.length} clients · usage this month · MRR{' '}
          <span data-testid="mrr">{fmtCents(overview.data?.mrrCents ?? 0, overview.data?.currency)}</span>
          {margins.data ? (
            <>
              {' '}
              · margin {fmtCents(margins.data.fleet.marginCents, margins.data.currency)} (
              {fmtPct(margins.data.fleet.marginPct == null ? null : margins.data.fleet.marginPct * 100)})
            </>
          ) : null}
          {forecast.data && forecast.data.method !== 'none' ? (
            <span data-testid="fleet-forecast">
              {' '}
              · model spend forecast {fmtMoney(forecast.data.projected.cost)} by month end
            </span>
          ) : null}
        </p>
        {user?.role === 'admin' && <NewClientDialog onCreated={reload} />}
      </div>
      {(user?.role === 'admin' || user?.role === 'support') && <WarmPoolCard />}
      <PlansCard plans={plans} canEdit={user?.role === 'admin'} />
      {alerts.length > 0 && (
        <Card className="border-warning/40 p-4" data-testid="usage-alerts">
          <p className="mb-2 flex items-center gap-2 text-sm font-semibold text-warning">
            <TriangleAlert className="size-4" /> Usage alerts
          </p>
          <ul className="flex flex-col gap-1 text-sm">
            {alerts.map((r) => (
              <li key={r.c.id}>
                <span className="font-medium">{r.c.name}</span>:{' '}
                {r.alerts
                  .map((a) => `${a.what} at ${Math.round(a.pct * 100)}%${a.level === 'over' ? ' (over limit)' : ''}`)
                  .join(', ')}
              </li>
            ))}
          </ul>
        </Card>
      )}
      {!clients.length ? (
        <EmptyState
          icon={Building2}
          title="No clients yet"
          description="Create the first client, then register its instance."
        />
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full min-w-[960px] text-sm">
            <thead>
              <tr className="border-b border-border text-left text-xs text-muted-foreground">
                <th className="p-3 font-medium">Client</th>
                <th className="p-3 font-medium">Plan</th>
                <th className="p-3 font-medium">Status</th>
                <th className="p-3 font-medium">Onboarding</th>
                <th className="p-3 font-medium">Instances</th>
                <th className="p-3 font-medium">Tokens this month</th>
                <th className="p-3 font-medium">Cost</th>
                <th className="p-3 font-medium">Billing</th>
                <th className="p-3 font-medium">Margin</th>
                <th className="p-3" />
              </tr>
            </thead>
            <tbody>
              {rows.map(({ c, mine, u, tokens, limits, billing, margin }) => {
                const ob = onboardingPct(billing?.onboarding, c.status ?? undefined);
                return (
                  <tr
                    key={c.id}
                    className="border-b border-border last:border-0 hover:bg-muted/40"
                    data-testid="client-row"
                  >
                    <td className="p-3">
                      <p className="font-medium">{c.name}</p>
                      <p className="text-xs text-muted-foreground">{c.industry || '—'}</p>
                    </td>
                    <td className="p-3">
                      <Badge variant="accent">{c.plan}</Badge>
                    </td>
                    <td className="p-3">
                      <Badge
                        variant={
                          c.status === 'active'
                            ? 'success'
                            : c.status === 'churned'
                              ? 'danger'
                              : c.status === 'paused'
                                ? 'warning'
                                : 'outline'
                        }
                      >
                        {c.status ?? '—'}
                      </Badge>
                    </td>
                    <td className="w-36 p-3">
                      <Progress value={ob} tone={ob >= 100 ? 'success' : 'accent'} />
                      <p className="mt-1 text-[11px] text-muted-foreground">
                        {ob}%
                        {ob < 100 && (
                          <>
                            {' · '}
                            <Link
                              className="text-accent underline-offset-2 hover:underline"
                              href={`/onboarding/?clientId=${encodeURIComponent(c.id)}`}
                              data-testid="continue-onboarding"
                            >
                              continue
                            </Link>
                          </>
                        )}
                      </p>
                    </td>
                    <td className="p-3">
                      <div className="flex flex-wrap items-center gap-1.5">
                        {mine.slice(0, 8).map((i) => (
                          <Link key={i.id} href={`/instance/?id=${encodeURIComponent(i.id)}`} title={i.hostname}>
                            <HealthDot health={healthOf(i).health} />
                          </Link>
                        ))}
                        <span className="text-xs text-muted-foreground">{mine.length}</span>
                      </div>
                    </td>
                    <td className="w-44 p-3">
                      <Progress value={tokens} max={limits.tokens || Math.max(tokens, 1)} />
                      <p className="mt-1 text-[11px] text-muted-foreground tabular-nums">
                        {fmtCompact(tokens)} / {fmtCompact(limits.tokens)}
                      </p>
                    </td>
                    <td className="p-3 tabular-nums">{fmtMoney(u?.cost ?? 0)}</td>
                    <td className="p-3" data-testid="billing-status">
                      <Badge variant={STATUS_TONE[billing?.billingStatus ?? 'none']}>
                        {billing?.billingStatus ?? 'none'}
                      </Badge>
                      {billing?.outstandingCents ? (
                        <p className="mt-1 text-[11px] text-muted-foreground tabular-nums">
                          {fmtCents(billing.outstandingCents, overview.data?.currency)} open
                        </p>
                      ) : null}
                    </td>
                    <td className="p-3 tabular-nums text-xs">
                      {margin ? (
                        <span className={margin.marginCents < 0 ? 'text-danger' : ''}>
                          {fmtCents(margin.marginCents, margins.data?.currency)}
                        </span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="p-3">
                      <div className="flex justify-end gap-1">
                        {user?.role === 'admin' && (
                          <ClientPlanDialog
                            client={c}
                            plans={plans.data ?? []}
                            onChanged={() => {
                              reload();
                              overview.reload();
                            }}
                          />
                        )}
                        {user?.role === 'admin' && <AddUserDialog clientId={c.id} clientName={c.name} />}
                        {user?.role === 'admin' && <DeployDialog clientId={c.id} clientName={c.name} />}
                        <Button asChild size="sm" variant="ghost" aria-label={`Open ${c.name}'s dashboard`}>
                          <Link href={`/client/?clientId=${encodeURIComponent(c.id)}`}>
                            <ExternalLink />
                          </Link>
                        </Button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
