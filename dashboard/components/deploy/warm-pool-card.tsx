'use client';
import { Flame } from 'lucide-react';
import { useEffect } from 'react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { useApi } from '@/lib/use-api';
import { fmtEur } from './types';

interface PoolView {
  image: string;
  serverType: string;
  openclawVersion: string;
  locations: {
    location: string;
    wanted: number;
    ready: number;
    monthlyCost: number;
    servers: { id: string; state: string; serverName: string; error: string | null }[];
  }[];
}

/**
 * The warm pool (DS_WARM_POOL): pre-booted servers per location that deploys take, with their
 * state and what they cost a month while they wait. Hidden when no pool is set.
 */
export function WarmPoolCard() {
  const { data: p, reload } = useApi<PoolView>('/deploy/pool');
  // Deploys take servers and the pool refills them: follow it while the page is open.
  useEffect(() => {
    const t = setInterval(() => void reload(), 10_000);
    return () => clearInterval(t);
  }, [reload]);
  if (!p?.locations.length) return null;
  return (
    <Card className="p-4" data-testid="warm-pool">
      <p className="mb-2 flex items-center gap-2 text-sm font-semibold">
        <Flame className="size-4" /> Warm pool
        <span className="font-normal text-muted-foreground">
          {p.serverType} from {p.image} · OpenClaw {p.openclawVersion}
        </span>
      </p>
      <ul className="flex flex-col gap-2 text-sm">
        {p.locations.map((l) => (
          <li key={l.location} className="flex flex-wrap items-center gap-2" data-testid={`warm-pool-${l.location}`}>
            <span className="w-12 font-medium">{l.location}</span>
            <span>
              {l.ready} of {l.wanted} ready
            </span>
            <span className="text-muted-foreground">{fmtEur(l.monthlyCost)}</span>
            {l.servers.map((s) => (
              <Badge
                key={s.id}
                variant={s.state === 'ready' ? 'success' : s.error ? 'warning' : 'outline'}
                title={s.error ?? s.serverName}
              >
                {s.state}
              </Badge>
            ))}
          </li>
        ))}
      </ul>
    </Card>
  );
}
