'use client';
import { Clock, MessageSquare, ServerOff, Smile } from 'lucide-react';
import { useSearchParams } from 'next/navigation';
import { Suspense, useMemo, useState } from 'react';
import { MyRequests } from '@/components/account/my-requests';
import { AlertList } from '@/components/alerts/alert-list';
import { UsageBillingCard } from '@/components/billing/usage-billing-card';
import { AgentStatus } from '@/components/client/agent-status';
import { Announcements } from '@/components/client/announcements';
import { ExperimentsCard } from '@/components/client/experiments-card';
import { ExportDialog } from '@/components/client/export-dialog';
import { HelpDialog } from '@/components/client/help-dialog';
import { ServerLocation } from '@/components/client/server-location';
import { WeeklyReportCard } from '@/components/client/weekly-report-card';
import { ThreadList } from '@/components/conversations/thread-list';
import { QuickActions } from '@/components/instance/quick-actions';
import { OnboardingResumeBanner } from '@/components/onboarding/resume-banner';
import { AppShell } from '@/components/shell/app-shell';
import { StatCard } from '@/components/stat-card';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { SimpleSelect } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { asList } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { allowedActions, pausedFrom, useInstanceCommands } from '@/lib/commands';
import { satisfactionPct, toThreads, useConversations } from '@/lib/conversations';
import { fmtMs, fmtNumber } from '@/lib/format';
import { startOfDay, startOfMonth, toMs } from '@/lib/time';
import type { Instance } from '@/lib/types';
import { useApi } from '@/lib/use-api';
import { useInstance } from '@/lib/use-instance';

export default function ClientPage() {
  return (
    <AppShell title="Your agent">
      <Suspense fallback={<Skeleton className="h-64" />}>
        <ClientDashboard />
      </Suspense>
    </AppShell>
  );
}

function ClientDashboard() {
  const { user } = useAuth();
  // Operators may look at a client's dashboard with ?clientId=…; client users see their own.
  const wantedClient = useSearchParams().get('clientId') ?? user?.clientId ?? null;
  const instances = useApi<Instance[]>('/instances', { map: (r) => asList<Instance>(r) });
  const mine = useMemo(
    () => (instances.data ?? []).filter((i) => !wantedClient || i.clientId === wantedClient),
    [instances.data, wantedClient],
  );
  const [picked, setPicked] = useState<string | null>(null);
  const instanceId = picked ?? mine[0]?.id ?? null;

  if (instances.loading && !instances.data) return <Skeleton className="h-64" />;
  if (instances.error) return <p className="text-sm text-danger">Could not load your agent: {instances.error}</p>;
  if (!instanceId)
    return (
      <div className="flex flex-col gap-6">
        <OnboardingResumeBanner clientId={wantedClient} />
        <ServerLocation clientId={wantedClient} />
        <EmptyState
          icon={ServerOff}
          title="Your agent is being set up"
          description="As soon as your instance reports for the first time, its status, conversations and usage appear here."
        />
      </div>
    );
  return (
    <div className="flex flex-col gap-6">
      <OnboardingResumeBanner clientId={wantedClient} />
      <Announcements />
      <ServerLocation clientId={wantedClient ?? mine[0]?.clientId ?? null} />
      {mine.length > 1 && (
        <SimpleSelect
          aria-label="Agent"
          className="w-64"
          value={instanceId}
          onValueChange={setPicked}
          options={mine.map((i) => ({ value: i.id, label: i.hostname }))}
        />
      )}
      <AgentDashboard key={instanceId} instanceId={instanceId} clientId={wantedClient} />
    </div>
  );
}

function AgentDashboard({ instanceId, clientId }: { instanceId: string; clientId: string | null }) {
  const { user } = useAuth();
  const { instance } = useInstance(instanceId);
  const { commands, issue } = useInstanceCommands(instanceId);
  const from = useMemo(() => {
    const month = startOfMonth();
    const week = new Date(Date.now() - 7 * 86_400_000);
    return month < week ? month : week;
  }, []);
  const conv = useConversations(instanceId, from);
  const today = startOfDay().getTime();
  const stats = useMemo(() => {
    const todays = conv.messages.filter((m) => toMs(m.t) >= today);
    const replies = todays.filter((m) => m.role === 'assistant' && typeof m.latencyMs === 'number');
    return {
      messagesToday: todays.filter((m) => m.role === 'user').length,
      avgLatency: replies.length ? replies.reduce((s, m) => s + (m.latencyMs ?? 0), 0) / replies.length : null,
      satisfaction: satisfactionPct(conv.messages.filter((m) => toMs(m.t) >= Date.now() - 7 * 86_400_000)),
    };
  }, [conv.messages, today]);
  const threads = useMemo(() => toThreads(conv.messages), [conv.messages]);
  const [helpSent, setHelpSent] = useState(0);

  if (!instance) return <Skeleton className="h-64" />;
  const paused = pausedFrom(commands, instance.status === 'paused' || !!instance.openclaw?.paused);
  return (
    <div className="flex flex-col gap-6" data-testid="client-dashboard" data-instance-id={instance.id}>
      <AlertList view="firing" clientId={instance.clientId} compact />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <StatCard
          label="Messages today"
          value={fmtNumber(stats.messagesToday)}
          icon={MessageSquare}
          testId="hero-messages"
        />
        <StatCard
          label="Average response time"
          value={fmtMs(stats.avgLatency)}
          hint="today"
          icon={Clock}
          tone="warning"
          testId="hero-latency"
        />
        <StatCard
          label="Satisfaction"
          value={stats.satisfaction === null ? '—' : `${stats.satisfaction}%`}
          hint="from conversation sentiment, last 7 days"
          icon={Smile}
          tone="success"
          testId="hero-satisfaction"
        />
      </div>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="flex flex-col gap-4">
          <AgentStatus instance={instance} paused={paused} />
          <Card className="p-5">
            <p className="mb-3 text-sm font-semibold">Quick actions</p>
            <div className="flex flex-wrap gap-2">
              <QuickActions
                issue={issue}
                paused={paused}
                currentModel={instance.openclaw?.model}
                which={allowedActions(user?.role).filter((a) => a === 'pause' || a === 'model')}
              />
              <HelpDialog instanceId={instance.id} onSent={() => setHelpSent((n) => n + 1)} />
            </div>
          </Card>
          <MyRequests version={helpSent} />
        </div>
        <Card className="lg:col-span-2">
          <CardHeader className="flex-row items-center justify-between">
            <CardTitle>Recent conversations</CardTitle>
            <ExportDialog instanceId={instance.id} />
          </CardHeader>
          <CardContent>
            <ThreadList threads={threads} loading={conv.loading} error={conv.error} />
          </CardContent>
        </Card>
      </div>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <WeeklyReportCard clientId={clientId ?? instance.clientId} />
        <ExperimentsCard instanceId={instance.id} />
      </div>
      <UsageBillingCard clientId={clientId ?? instance.clientId} />
    </div>
  );
}
