'use client';
import { Server } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { toast } from '@/components/ui/toast';
import { ApiError, api } from '@/lib/api';
import { markReleased } from '@/lib/released';
import { DeploymentProgress } from './deployment-progress';
import { ServerChangeDialog } from './server-change-dialog';
import { fmtEur } from './types';

interface Host {
  provider: string;
  serverId: number | null;
  serverName: string;
  serverType: string;
  location: string;
  country: string | null;
  ipv4: string | null;
  tailnetIp: string | null;
  tailnetName: string | null;
  monthlyPrice: number | null;
  state: string;
  deploymentId: string | null;
  operation: { kind: string; status: string; error: string | null } | null;
}

/** Where an instance runs (provider, server, addresses, price) and, for admins, pause, resume, resize, move and release. */
export function InstanceServerCard({ instanceId, canManage }: { instanceId: string; canManage: boolean }) {
  const [host, setHost] = useState<Host | null>(null);
  const [missing, setMissing] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [change, setChange] = useState<'resize' | 'move' | null>(null);
  const router = useRouter();
  const load = useCallback(async () => {
    try {
      setHost(await api<Host>(`/instances/${encodeURIComponent(instanceId)}/server`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setMissing(true);
    }
  }, [instanceId]);
  useEffect(() => {
    void load();
  }, [load]);
  // While a pause, resume, resize or move runs, follow it.
  const changing = !!host && host.state !== 'running' && host.state !== 'paused';
  useEffect(() => {
    if (!changing) return;
    const t = setInterval(() => void load(), 3000);
    return () => clearInterval(t);
  }, [changing, load]);
  const act = async (what: 'pause' | 'resume', label: string) => {
    try {
      await api(`/instances/${encodeURIComponent(instanceId)}/server/${what}`, { body: {} });
      toast(label, { tone: 'success' });
      await load();
    } catch (e) {
      toast(`Could not ${what} the server`, { tone: 'error', description: (e as Error).message });
    }
  };
  if (missing || !host) return null;
  const rows: [string, string][] = [
    ['Provider', host.provider === 'hetzner' ? 'Hetzner Cloud' : host.provider],
    ['Server', `${host.serverName}${host.serverId !== null ? ` (#${host.serverId})` : ''}`],
    ['Type', host.serverType],
    ['Location', `${host.location}${host.country ? ` · ${host.country}` : ''}`],
    ['Public IPv4', host.ipv4 ?? '—'],
    ['Tailnet IP', host.tailnetIp ?? '—'],
    ['Price', host.state === 'paused' ? 'nothing while paused (snapshot storage only)' : fmtEur(host.monthlyPrice)],
    ['State', host.state],
  ];
  return (
    <Card data-testid="instance-server">
      <CardHeader className="flex flex-row items-center justify-between gap-2">
        <CardTitle className="flex items-center gap-2">
          <Server className="size-4" /> Server
        </CardTitle>
        {canManage && (
          <div className="flex gap-2">
            {host.state === 'running' && (
              <>
                <Button
                  size="sm"
                  variant="outline"
                  onClick={() => void act('pause', 'Pausing: snapshot, then the server is deleted')}
                >
                  Pause
                </Button>
                <Button size="sm" variant="outline" onClick={() => setChange('resize')}>
                  Resize
                </Button>
                <Button size="sm" variant="outline" onClick={() => setChange('move')}>
                  Move
                </Button>
              </>
            )}
            {host.state === 'paused' && (
              <Button size="sm" variant="outline" onClick={() => void act('resume', 'Resuming from the snapshot')}>
                Resume
              </Button>
            )}
            <Button size="sm" variant="outline" onClick={() => setConfirm(true)} disabled={changing}>
              Release
            </Button>
          </div>
        )}
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd className="font-mono text-xs leading-5">{v}</dd>
            </div>
          ))}
        </dl>
        {host.operation?.status === 'failed' && (
          <p className="text-sm text-danger" role="alert">
            {host.operation.kind} failed: {host.operation.error}
          </p>
        )}
        {host.deploymentId && host.state !== 'running' && host.state !== 'paused' && (
          <DeploymentProgress id={host.deploymentId} compact />
        )}
      </CardContent>
      {change && (
        <ServerChangeDialog
          mode={change}
          open
          onOpenChange={(o) => !o && setChange(null)}
          instanceId={instanceId}
          current={host}
          onStarted={(label) => {
            toast(label, { tone: 'success', description: host.serverName });
            void load();
          }}
        />
      )}
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title="Release this instance?"
        description="The server is deleted at Hetzner, its tailnet device removed and its credentials revoked. Telemetry is kept as retention says."
        confirmLabel="Release"
        destructive
        onConfirm={async () => {
          try {
            markReleased(instanceId);
            await api(`/instances/${encodeURIComponent(instanceId)}`, { method: 'DELETE' });
            toast('Instance released', { tone: 'success', description: host.serverName });
            router.push('/fleet/');
          } catch (e) {
            markReleased(instanceId, false);
            toast('Could not release the instance', { tone: 'error', description: (e as Error).message });
            throw e;
          }
        }}
      />
    </Card>
  );
}
