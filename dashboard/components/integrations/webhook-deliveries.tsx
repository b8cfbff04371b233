'use client';
import { Loader2, RotateCw } from 'lucide-react';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { fmtTime } from '@/lib/format';
import { useApi } from '@/lib/use-api';
import { lastAnswer, type WebhookDelivery, type WebhookItem, webhookPath } from '@/lib/webhooks';

const TONE: Record<string, 'success' | 'warning' | 'danger' | 'default'> = {
  sent: 'success',
  pending: 'warning',
  sending: 'warning',
  failed: 'danger',
};

/** A webhook's delivery log: newest first, with a redeliver button per row. `version` reloads it. */
export function WebhookDeliveries({
  clientId,
  hook,
  version,
}: {
  clientId: string;
  hook: WebhookItem;
  version: number;
}) {
  const log = useApi<WebhookDelivery[]>(`${webhookPath(clientId, hook.id)}/deliveries`, {
    query: { limit: 50 },
    key: version,
  });
  const [busy, setBusy] = useState<string | null>(null);

  const redeliver = async (d: WebhookDelivery) => {
    setBusy(d.id);
    try {
      const r = await api<WebhookDelivery>(`${webhookPath(clientId, hook.id)}/deliveries/${d.id}/redeliver`, {
        method: 'POST',
      });
      if (r.status === 'sent') toast('Redelivered', { tone: 'success', description: d.eventType });
      else toast('Redelivery failed', { tone: 'error', description: lastAnswer(r) });
      await log.reload();
    } catch (err) {
      toast('Could not redeliver', { tone: 'error', description: (err as Error).message });
    } finally {
      setBusy(null);
    }
  };

  if (log.loading && !log.data) return <Skeleton className="h-16" />;
  if (log.error)
    return (
      <p role="alert" className="text-sm text-danger">
        Could not load the delivery log: {log.error}
      </p>
    );
  const rows = log.data ?? [];
  if (!rows.length) return <p className="text-sm text-muted-foreground">No deliveries yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs" data-testid="webhook-deliveries">
        <caption className="sr-only">Deliveries to {hook.url}</caption>
        <thead className="text-muted-foreground">
          <tr>
            <th className="py-1 pr-3 font-medium">Event</th>
            <th className="py-1 pr-3 font-medium">Status</th>
            <th className="py-1 pr-3 font-medium">Tries</th>
            <th className="py-1 pr-3 font-medium">Last answer</th>
            <th className="py-1 pr-3 font-medium">Next try / delivered</th>
            <th className="py-1 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} className="border-t border-border" data-testid="webhook-delivery">
              <td className="py-1.5 pr-3">
                <span className="font-mono">{d.eventType}</span>
                <span className="block text-muted-foreground">{fmtTime(d.createdAt, true)}</span>
              </td>
              <td className="py-1.5 pr-3">
                <Badge variant={TONE[d.status] ?? 'default'}>{d.status}</Badge>
              </td>
              <td className="py-1.5 pr-3">{d.attempts}</td>
              <td className="max-w-64 truncate py-1.5 pr-3" title={lastAnswer(d)}>
                {lastAnswer(d)}
              </td>
              <td className="py-1.5 pr-3">
                {d.deliveredAt
                  ? fmtTime(d.deliveredAt, true)
                  : d.nextAttemptAt
                    ? `next ${fmtTime(d.nextAttemptAt, true)}`
                    : '—'}
              </td>
              <td className="py-1.5 text-right">
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={busy === d.id || !hook.enabled}
                  onClick={() => redeliver(d)}
                  aria-label={`Redeliver ${d.eventType} of ${fmtTime(d.createdAt, true)}`}
                >
                  {busy === d.id ? <Loader2 className="animate-spin" /> : <RotateCw />} Redeliver
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
