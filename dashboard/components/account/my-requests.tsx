'use client';
import { LifeBuoy } from 'lucide-react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import type { SupportRequest } from '@/lib/admin-types';
import { useApi } from '@/lib/use-api';

/**
 * The client's own support requests and their state, on its dashboard. Hidden when the hub has
 * no support route or there are none yet. `version` re-fetches (after "Get help" was sent).
 */
export function MyRequests({ version = 0 }: { version?: number }) {
  const requests = useApi<SupportRequest[]>('/support-requests', { key: version });
  if (requests.notFound || !requests.data?.length) return null;
  return (
    <Card data-testid="my-requests">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <LifeBuoy className="size-4 text-accent" /> Your support requests
          <a className="ml-auto text-xs font-normal text-accent hover:underline" href="/client/help/">
            Help and replies
          </a>
        </CardTitle>
      </CardHeader>
      <CardContent>
        <ul className="divide-y divide-border">
          {requests.data.slice(0, 10).map((r) => (
            <li
              key={r.id}
              className="flex items-center gap-3 py-2 text-sm"
              data-testid="my-request"
              data-status={r.status}
            >
              <a
                className="min-w-0 flex-1 truncate hover:underline"
                href={`/client/help/?ticket=${encodeURIComponent(r.id)}`}
              >
                {r.subject}
              </a>
              <span className="text-xs text-muted-foreground">{fmtDateTime(r.createdAt)}</span>
              <Badge variant={r.status === 'open' ? 'warning' : 'success'}>
                {r.status === 'open' ? 'open' : 'resolved'}
              </Badge>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
