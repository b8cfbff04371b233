'use client';
import { mayIssue } from '@protocol/commands/catalog';
import { ArrowLeft, Cpu, HardDrive, MemoryStick, ServerOff, Timer } from 'lucide-react';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useMemo } from 'react';
import { AlertList } from '@/components/alerts/alert-list';
import { ScheduledChanges } from '@/components/changes/scheduled-changes';
import { ThreadList } from '@/components/conversations/thread-list';
import { InstanceServerCard } from '@/components/deploy/server-card';
import { BackupsPanel } from '@/components/instance/backups-panel';
import { CommandHistory } from '@/components/instance/command-history';
import { ConsoleButton } from '@/components/instance/console-dialog';
import { LogView } from '@/components/instance/log-view';
import { MetricPanels } from '@/components/instance/metric-panels';
import { OpenclawPanel } from '@/components/instance/openclaw-panel';
import { QuickActions } from '@/components/instance/quick-actions';
import { Timeline } from '@/components/instance/timeline';
import { AppShell } from '@/components/shell/app-shell';
import { StatCard } from '@/components/stat-card';
import { HealthDot, StatusBadge } from '@/components/status/health';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { MISSION_CONTROL_ROLES, useAuth } from '@/lib/auth';
import { allowedActions, pausedFrom, useInstanceCommands } from '@/lib/commands';
import { toThreads, useConversations } from '@/lib/conversations';
import { fmtAgo, fmtDuration, fmtPct } from '@/lib/format';
import { healthOf } from '@/lib/health';
import { scheduleChange } from '@/lib/scheduled-changes';
import { useClients } from '@/lib/use-clients';
import { useInstance } from '@/lib/use-instance';

export default function InstancePage() {
  return (
    <AppShell roles={MISSION_CONTROL_ROLES} title="Instance">
      <Suspense fallback={<Skeleton className="h-64" />}>
        <InstanceView />
      </Suspense>
    </AppShell>
  );
}

function InstanceView() {
  const id = useSearchParams().get('id');
  const { user } = useAuth();
  const { instance, error, notFound } = useInstance(id);
  const { names } = useClients();
  const { commands, issue, historyAvailable } = useInstanceCommands(id);
  const since = useMemo(() => new Date(Date.now() - 7 * 86_400_000), []);
  const conv = useConversations(id, since);
  const threads = useMemo(() => toThreads(conv.messages), [conv.messages]);

  if (!id || notFound)
    return (
      <EmptyState
        icon={ServerOff}
        title="Instance not found"
        description="It may have been removed, or the link is incomplete."
        action={
          <Button asChild variant="outline" size="sm">
            <Link href="/fleet/">Back to the fleet</Link>
          </Button>
        }
      />
    );
  if (error && !instance) return <p className="text-sm text-danger">Could not load the instance: {error}</p>;
  if (!instance) return <Skeleton className="h-64" />;

  const { health, reasons } = healthOf(instance);
  const m = instance.metrics ?? {};
  const paused = pausedFrom(commands, instance.status === 'paused' || !!instance.openclaw?.paused);
  return (
    <div className="flex flex-col gap-6" data-testid="instance-page" data-instance-id={instance.id}>
      <div className="flex flex-col gap-4 lg:flex-row lg:items-center lg:justify-between">
        <div className="flex items-center gap-3">
          <Button asChild variant="ghost" size="icon" aria-label="Back to the fleet">
            <Link href="/fleet/">
              <ArrowLeft />
            </Link>
          </Button>
          <HealthDot health={health} />
          <div className="min-w-0">
            <h2 className="truncate text-xl" data-testid="instance-hostname">
              {instance.hostname}
            </h2>
            <p className="truncate text-xs text-muted-foreground">
              {names.get(instance.clientId) ?? instance.clientId} · <span className="font-mono">{instance.id}</span> ·
              seen {fmtAgo(instance.lastSeen)}
            </p>
          </div>
          <StatusBadge status={instance.status} />
        </div>
        {/* One row (it scrolls sideways when narrow) instead of rows of wrapped buttons. */}
        <div
          className="-mx-1 flex max-w-full gap-2 overflow-x-auto px-1 pb-1 [&>*]:shrink-0"
          data-testid="instance-actions"
        >
          <QuickActions
            issue={issue}
            schedule={(type, params) => scheduleChange(instance.id, type, params)}
            paused={paused}
            currentModel={instance.openclaw?.model}
            which={allowedActions(user?.role)}
          />
          {user && mayIssue(user.role, 'console.open') && (
            <ConsoleButton instanceId={instance.id} hostname={instance.hostname} />
          )}
        </div>
      </div>
      <AlertList view="firing" instanceId={instance.id} compact />
      <ScheduledChanges instanceId={instance.id} hideWhenEmpty />
      {reasons.length > 0 && (
        <div
          className={`rounded-lg border px-3 py-2 text-sm ${health === 'red' ? 'border-danger/30 bg-danger/10 text-danger' : 'border-warning/30 bg-warning/10 text-warning'}`}
        >
          {reasons.join(' · ')}
        </div>
      )}
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <StatCard
          label="CPU"
          value={fmtPct(m.cpu)}
          hint={m.load1 !== undefined ? `load ${m.load1.toFixed(2)}` : undefined}
          icon={Cpu}
        />
        <StatCard label="Memory" value={fmtPct(m.memory)} icon={MemoryStick} tone="success" />
        <StatCard label="Disk" value={fmtPct(m.disk)} icon={HardDrive} tone="warning" />
        <StatCard label="Uptime" value={fmtDuration(m.uptime)} icon={Timer} />
      </div>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-3">
        <div className="xl:col-span-2">
          <MetricPanels instanceId={instance.id} />
        </div>
        <Card>
          <CardHeader>
            <CardTitle>OpenClaw</CardTitle>
          </CardHeader>
          <CardContent>
            <OpenclawPanel instance={instance} />
          </CardContent>
        </Card>
      </div>
      <InstanceServerCard instanceId={instance.id} canManage={user?.role === 'admin'} />
      <Tabs defaultValue="logs">
        <TabsList className="max-w-full overflow-x-auto">
          <TabsTrigger value="logs">Logs</TabsTrigger>
          <TabsTrigger value="conversations">Conversations</TabsTrigger>
          <TabsTrigger value="commands">Commands</TabsTrigger>
          <TabsTrigger value="backups">Backups</TabsTrigger>
          <TabsTrigger value="timeline">Timeline</TabsTrigger>
        </TabsList>
        <TabsContent value="logs">
          <Card className="p-4">
            <LogView instanceId={instance.id} />
          </Card>
        </TabsContent>
        <TabsContent value="conversations">
          <Card className="p-4">
            <ThreadList threads={threads} loading={conv.loading} error={conv.error} limit={30} />
          </Card>
        </TabsContent>
        <TabsContent value="commands">
          <Card className="p-4">
            <CommandHistory commands={commands} historyAvailable={historyAvailable} />
          </Card>
        </TabsContent>
        <TabsContent value="backups">
          <Card className="p-4">
            <BackupsPanel instance={instance} isAdmin={user?.role === 'admin'} />
          </Card>
        </TabsContent>
        <TabsContent value="timeline">
          <Card className="p-4">
            <Timeline instanceId={instance.id} />
          </Card>
        </TabsContent>
      </Tabs>
    </div>
  );
}
