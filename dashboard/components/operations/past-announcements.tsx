'use client';
import { Badge } from '@/components/ui/badge';
import { fmtAgo } from '@/lib/format';
import { useApi } from '@/lib/use-api';

interface Announcement {
  id: string;
  title: string;
  body: string;
  level: 'info' | 'warning' | 'critical';
  createdAt: string;
  clientIds?: string[] | null;
}

/** The announcements already sent, newest first; `version` re-reads after a new one goes out. */
export function PastAnnouncements({ version }: { version: number }) {
  const list = useApi<Announcement[]>('/announcements', {
    query: { limit: 20 },
    key: version,
    map: (r) => (Array.isArray(r) ? (r as Announcement[]) : []),
  });
  if (list.notFound) return null;
  if (!list.data?.length)
    return <p className="text-sm text-muted-foreground">{list.loading ? 'Loading…' : 'None sent yet.'}</p>;
  return (
    <ul className="flex flex-col divide-y divide-border" data-testid="past-announcements">
      {list.data.map((a) => (
        <li key={a.id} className="flex flex-col gap-0.5 py-2 text-sm">
          <p className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{a.title}</span>
            <Badge variant={a.level === 'critical' ? 'danger' : a.level === 'warning' ? 'warning' : 'outline'}>
              {a.level}
            </Badge>
            <span className="ml-auto text-xs text-muted-foreground">{fmtAgo(a.createdAt)}</span>
          </p>
          <p className="line-clamp-2 text-xs text-muted-foreground">{a.body}</p>
          <p className="text-[11px] text-muted-foreground">
            to {a.clientIds?.length ? `${a.clientIds.length} client(s)` : 'every client'}
          </p>
        </li>
      ))}
    </ul>
  );
}
