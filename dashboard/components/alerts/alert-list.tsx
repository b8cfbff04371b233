'use client';
import { BellRing } from 'lucide-react';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { type AlertItem, isMuted, useAlerts } from '@/lib/alerts';
import { useAuth } from '@/lib/auth';
import { AlertCard } from './alert-card';

export type AlertView = 'firing' | 'pending' | 'silenced';

const pick = (view: AlertView, list: AlertItem[]) =>
  view === 'silenced'
    ? list.filter((a) => a.state === 'firing' && isMuted(a))
    : view === 'firing'
      ? list.filter((a) => a.state === 'firing' && !isMuted(a))
      : list.filter((a) => a.state === 'pending' || a.state === 'nodata');

/** Alerts of a view, optionally for one instance or client; silence and acknowledge inline. */
export function AlertList({
  view,
  instanceId,
  clientId,
  compact,
}: {
  view: AlertView;
  instanceId?: string;
  clientId?: string;
  compact?: boolean;
}) {
  const alerts = useAlerts({ instanceId, clientId });
  const { user } = useAuth();
  const canAct = !!user && ['admin', 'support', 'client_owner'].includes(user.role);
  if (alerts.loading && !alerts.data) return <Skeleton className="h-24" />;
  if (alerts.error) return <p className="text-sm text-danger">Could not load alerts: {alerts.error}</p>;
  const list = pick(view, alerts.data ?? []);
  if (!list.length)
    return compact ? null : (
      <Card>
        <EmptyState
          icon={BellRing}
          title={view === 'firing' ? 'Nothing is firing' : view === 'pending' ? 'Nothing pending' : 'Nothing silenced'}
        />
      </Card>
    );
  return (
    <div className="flex flex-col gap-3" data-testid={`alerts-${view}`}>
      {list.map((a) => (
        <AlertCard key={a.id} alert={a} canAct={canAct} onChange={() => void alerts.reload()} />
      ))}
    </div>
  );
}
