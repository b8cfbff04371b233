'use client';
import { MapPin } from 'lucide-react';
import { placeLabel } from '@/lib/location';
import type { Client } from '@/lib/types';
import { useApi } from '@/lib/use-api';

/**
 * The client's region (data residency) from its client record: where its servers are rented and,
 * where the hub has storage there, its backups kept. Nothing until chosen.
 */
export function ServerLocation({ clientId }: { clientId: string | null }) {
  const { data } = useApi<Client>(clientId ? `/clients/${encodeURIComponent(clientId)}` : null);
  if (!data?.location) return null;
  return (
    <p className="flex items-center gap-1.5 text-sm text-muted-foreground" data-testid="server-location">
      <MapPin className="size-4" aria-hidden="true" />
      Your agent’s server runs in <span className="font-medium text-foreground">{placeLabel(data.location)}</span>
    </p>
  );
}
