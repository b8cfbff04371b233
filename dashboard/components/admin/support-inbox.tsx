'use client';
import { CheckCircle2, Inbox, Loader2 } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { Tabs, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { toast } from '@/components/ui/toast';
import type { SupportRequest } from '@/lib/admin-types';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';
import { fmtDateTime } from './when';

/** Operators' support inbox: open and resolved requests (GET /support-requests?status=), resolve. */
export function SupportInbox() {
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const requests = useApi<SupportRequest[]>('/support-requests', { query: { status } });
  const { names } = useClients();
  const [busyId, setBusyId] = useState<string | null>(null);

  const resolve = async (r: SupportRequest) => {
    setBusyId(r.id);
    try {
      await api(`/support-requests/${encodeURIComponent(r.id)}/resolve`, { method: 'POST' });
      toast('Request resolved', { tone: 'success', description: r.subject });
      requests.setData((list) => (list ?? []).filter((x) => x.id !== r.id));
    } catch (e) {
      toast('Could not resolve', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusyId(null);
    }
  };

  if (requests.notFound)
    return (
      <Card>
        <EmptyState icon={Inbox} title="Support requests are not available on this hub" />
      </Card>
    );

  return (
    <div className="flex flex-col gap-4" data-testid="support-inbox">
      <Tabs value={status} onValueChange={(v) => setStatus(v as 'open' | 'resolved')}>
        <TabsList>
          <TabsTrigger value="open" data-testid="tab-open">
            Open
          </TabsTrigger>
          <TabsTrigger value="resolved" data-testid="tab-resolved">
            Resolved
          </TabsTrigger>
        </TabsList>
      </Tabs>
      {requests.loading && !requests.data ? (
        <Skeleton className="h-40" />
      ) : requests.error ? (
        <p className="text-sm text-danger">Could not load requests: {requests.error}</p>
      ) : !requests.data?.length ? (
        <Card>
          <EmptyState icon={Inbox} title={status === 'open' ? 'No open requests' : 'Nothing resolved yet'} />
        </Card>
      ) : (
        requests.data.map((r) => (
          <Card key={r.id} className="flex flex-col gap-2 p-4" data-testid="support-request" data-subject={r.subject}>
            <div className="flex flex-wrap items-center gap-2">
              <p className="flex-1 font-medium">{r.subject}</p>
              <Badge variant={r.status === 'open' ? 'warning' : 'success'}>{r.status}</Badge>
            </div>
            <p className="text-xs text-muted-foreground">
              {names.get(r.clientId) ?? r.clientId}
              {r.instanceId && (
                <>
                  {' · '}
                  <Link
                    className="text-accent hover:underline"
                    href={`/instance/?id=${encodeURIComponent(r.instanceId)}`}
                  >
                    {r.instanceId}
                  </Link>
                </>
              )}
              {' · '}
              {fmtDateTime(r.createdAt)}
            </p>
            <p className="whitespace-pre-wrap text-sm">{r.body}</p>
            {r.status === 'open' && (
              <Button
                size="sm"
                variant="outline"
                className="self-end"
                disabled={busyId === r.id}
                onClick={() => resolve(r)}
                data-testid="resolve-request"
              >
                {busyId === r.id ? <Loader2 className="animate-spin" /> : <CheckCircle2 />} Mark resolved
              </Button>
            )}
          </Card>
        ))
      )}
    </div>
  );
}
