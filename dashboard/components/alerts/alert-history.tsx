'use client';
import { History } from 'lucide-react';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import type { AlertHistoryItem } from '@/lib/alerts';
import { useApi } from '@/lib/use-api';
import { cn } from '@/lib/utils';

const DOT: Record<string, string> = {
  firing: 'bg-danger',
  pending: 'bg-warning',
  resolved: 'bg-success',
  inactive: 'bg-muted-foreground',
  nodata: 'bg-muted-foreground',
};

/** State changes, newest first, as a timeline with a coloured dot per new state. */
export function AlertHistory({ instanceId }: { instanceId?: string }) {
  const h = useApi<AlertHistoryItem[]>('/alerts/history', { query: { instanceId, limit: 200 } });
  if (h.loading && !h.data) return <Skeleton className="h-40" />;
  if (h.error) return <p className="text-sm text-danger">Could not load the history: {h.error}</p>;
  if (!h.data?.length)
    return (
      <Card>
        <EmptyState icon={History} title="No alert has changed state yet" />
      </Card>
    );
  return (
    <Card className="p-4">
      <ol className="relative flex flex-col gap-3 border-l border-border pl-5" data-testid="alert-history">
        {h.data.map((e) => (
          <li key={`${e.alertId}-${e.t}-${e.from}-${e.to}`} className="relative text-sm">
            <span
              className={cn(
                'absolute top-1.5 -left-[25px] size-2.5 rounded-full ring-4 ring-background',
                DOT[e.to] ?? 'bg-muted',
              )}
            />
            <span className="font-medium">{e.ruleId}</span> <span className="text-muted-foreground">{e.from} →</span>{' '}
            <span className="font-medium">{e.to}</span>
            {e.instanceId && <span className="text-muted-foreground"> · {e.instanceId}</span>}
            {e.value !== null && <span className="text-muted-foreground"> · {e.value}</span>}
            <time className="block text-xs text-muted-foreground" dateTime={e.t}>
              {new Date(e.t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })}
            </time>
          </li>
        ))}
      </ol>
    </Card>
  );
}
