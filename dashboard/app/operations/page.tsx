'use client';
import { Rocket } from 'lucide-react';
import { useEffect, useState } from 'react';
import { BroadcastForm } from '@/components/operations/broadcast-form';
import { PastAnnouncements } from '@/components/operations/past-announcements';
import { RolloutProgress } from '@/components/operations/rollout-progress';
import { RolloutWizard } from '@/components/operations/rollout-wizard';
import { AppShell } from '@/components/shell/app-shell';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { api, asList } from '@/lib/api';
import { useFleet } from '@/lib/fleet-store';
import type { Rollout } from '@/lib/rollouts';

export default function OperationsPage() {
  return (
    <AppShell roles={['admin']} title="Batch operations">
      <Operations />
    </AppShell>
  );
}

function Operations() {
  const { instances } = useFleet();
  const [available, setAvailable] = useState<boolean | null>(null);
  const [rollouts, setRollouts] = useState<string[]>([]);
  const [sent, setSent] = useState(0);
  useEffect(() => {
    api<unknown>('/rollouts')
      .then((r) =>
        setRollouts(
          asList<Rollout>(r)
            .map((x) => x.id)
            .slice(0, 5),
        ),
      )
      // Listing is optional; whether rollouts exist at all is learned from POST /rollouts.
      .catch(() => {});
  }, []);
  return (
    <div className="grid grid-cols-1 gap-6 xl:grid-cols-2" data-testid="operations-page">
      <Card>
        <CardHeader>
          <CardTitle>New rollout</CardTitle>
          <CardDescription>Run a command across the fleet in waves, stopping if too many fail.</CardDescription>
        </CardHeader>
        <CardContent>
          {available === false ? (
            <EmptyState
              icon={Rocket}
              title="Rollouts are not available on this hub yet"
              description="The hub answered 404 for /api/v1/rollouts. Single-instance actions work from each instance’s page."
            />
          ) : (
            <RolloutWizard
              instances={instances}
              onStarted={(id) => setRollouts((r) => [id, ...r])}
              onUnavailable={() => setAvailable(false)}
            />
          )}
        </CardContent>
      </Card>
      <div className="flex flex-col gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Rollouts</CardTitle>
            <CardDescription>Live progress, wave by wave</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-6">
            {rollouts.length ? (
              rollouts.map((id) => <RolloutProgress key={id} id={id} />)
            ) : (
              <p className="text-sm text-muted-foreground">No rollouts yet.</p>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Broadcast an announcement</CardTitle>
            <CardDescription>Shown on every client dashboard at once.</CardDescription>
          </CardHeader>
          <CardContent>
            <BroadcastForm onSent={() => setSent((n) => n + 1)} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Past announcements</CardTitle>
          </CardHeader>
          <CardContent>
            <PastAnnouncements version={sent} />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
