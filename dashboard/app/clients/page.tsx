'use client';
import { Building2, ExternalLink, TriangleAlert } from 'lucide-react';
import Link from 'next/link';
import { useMemo } from 'react';
import { AddUserDialog, NewClientDialog } from '@/components/clients/client-dialogs';
import { AppShell } from '@/components/shell/app-shell';
import { HealthDot } from '@/components/status/health';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Progress } from '@/components/ui/progress';
import { Skeleton } from '@/components/ui/skeleton';
import { OPERATOR_ROLES, useAuth } from '@/lib/auth';
import { useFleet } from '@/lib/fleet-store';
import { byClient, MAX_INSTANCES, useFleetUsage } from '@/lib/fleet-usage';
import { fmtCompact, fmtMoney } from '@/lib/format';
import { healthOf } from '@/lib/health';
import { limitsFor, usageLevel } from '@/lib/plans';
import { startOfMonth } from '@/lib/time';
import type { Client } from '@/lib/types';
import { useClients } from '@/lib/use-clients';

export default function ClientsPage() {
  return (
    <AppShell roles={OPERATOR_ROLES} title="Clients">
      <Clients />
    </AppShell>
  );
}

/** Onboarding progress 0-100 from what the hub knows about the client. */
function onboardingPct(c: Client, hasInstance: boolean, online: boolean) {
  const o = c.onboarding;
  if (o?.total) return Math.round(((o.completed ?? 0) / o.total) * 100);
  if (o?.done || c.status === 'active') return 100;
  // Without step data: created, instance registered, instance reporting.
  return Math.round(((1 + (hasInstance ? 1 : 0) + (online ? 1 : 0)) / 4) * 100);
}

function Clients() {
  const { user } = useAuth();
  const { clients, loading, error, reload } = useClients();
  const { instances, loading: fleetLoading } = useFleet();
  const since = useMemo(() => startOfMonth(), []);
  const usage = useFleetUsage(fleetLoading ? null : instances, since);
  const usageBy = useMemo(() => new Map(byClient(usage.rows).map((u) => [u.clientId, u])), [usage.rows]);
  const rows = useMemo(
    () =>
      clients.map((c) => {
        const mine = instances.filter((i) => i.clientId === c.id);
        const u = usageBy.get(c.id);
        const limits = limitsFor(c);
        const levels = u
          ? [
              {
                what: 'tokens',
                level: usageLevel(u.tokens, limits.tokensPerMonth),
                pct: u.tokens / limits.tokensPerMonth,
              },
              { what: 'cost', level: usageLevel(u.cost, limits.costPerMonth), pct: u.cost / limits.costPerMonth },
              {
                what: 'messages',
                level: usageLevel(u.messages, limits.messagesPerMonth),
                pct: u.messages / limits.messagesPerMonth,
              },
            ]
          : [];
        const worst = levels.filter((l) => l.level !== 'ok');
        return { c, mine, u, limits, alerts: worst, online: mine.some((i) => i.status === 'online') };
      }),
    [clients, instances, usageBy],
  );
  const alerts = rows.filter((r) => r.alerts.length);

  if (loading && !clients.length) return <Skeleton className="h-64" />;
  if (error) return <p className="text-sm text-danger">Could not load clients: {error}</p>;
  return (
    <div className="flex flex-col gap-6" data-testid="clients-page">
      <div className="flex items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground">
          {clients.length} clients · usage this month{usage.partial ? ` (first ${MAX_INSTANCES} instances)` : ''}
        </p>
        {user?.role === 'admin' && <NewClientDialog onCreated={reload} />}
      </div>
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
          <table className="w-full min-w-[760px] text-sm">
            <thead>
              <tr className="border-b border-border text-left text-xs text-muted-foreground">
                <th className="p-3 font-medium">Client</th>
                <th className="p-3 font-medium">Plan</th>
                <th className="p-3 font-medium">Status</th>
                <th className="p-3 font-medium">Onboarding</th>
                <th className="p-3 font-medium">Instances</th>
                <th className="p-3 font-medium">Tokens this month</th>
                <th className="p-3 font-medium">Cost</th>
                <th className="p-3" />
              </tr>
            </thead>
            <tbody>
              {rows.map(({ c, mine, u, limits, online }) => {
                const ob = onboardingPct(c, mine.length > 0, online);
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
                      <Progress value={u?.tokens ?? 0} max={limits.tokensPerMonth} />
                      <p className="mt-1 text-[11px] text-muted-foreground tabular-nums">
                        {fmtCompact(u?.tokens ?? 0)} / {fmtCompact(limits.tokensPerMonth)}
                      </p>
                    </td>
                    <td className="p-3 tabular-nums">
                      {fmtMoney(u?.cost ?? 0)}
                      <span className="text-xs text-muted-foreground"> / {fmtMoney(limits.costPerMonth)}</span>
                    </td>
                    <td className="p-3">
                      <div className="flex justify-end gap-1">
                        {user?.role === 'admin' && <AddUserDialog clientId={c.id} clientName={c.name} />}
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
