'use client';
import { useState } from 'react';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { useAlertSummary } from '@/lib/alerts';
import { useAuth } from '@/lib/auth';
import { AlertHistory } from './alert-history';
import { AlertList } from './alert-list';
import { ChannelsEditor } from './channels-editor';
import { MaintenanceList } from './maintenance-list';
import { RulesEditor } from './rules-editor';

/** Mission Control's alerts: what fires, what waits, what is muted, what happened; and its settings. */
export function AlertsPage() {
  const [tab, setTab] = useState('firing');
  const summary = useAlertSummary().data;
  const { user } = useAuth();
  const admin = user?.role === 'admin';
  const count = (n: number | undefined) => (n ? ` (${n})` : '');
  return (
    <Tabs value={tab} onValueChange={setTab} className="flex flex-col gap-4" data-testid="alerts-page">
      <TabsList className="flex-wrap">
        <TabsTrigger value="firing" data-testid="tab-firing">
          Firing{count(summary?.firing)}
        </TabsTrigger>
        <TabsTrigger value="pending" data-testid="tab-pending">
          Pending{count(summary?.pending)}
        </TabsTrigger>
        <TabsTrigger value="silenced" data-testid="tab-silenced">
          Silenced{count(summary?.silenced)}
        </TabsTrigger>
        <TabsTrigger value="history">History</TabsTrigger>
        <TabsTrigger value="maintenance">Maintenance</TabsTrigger>
        <TabsTrigger value="rules">Rules</TabsTrigger>
        <TabsTrigger value="channels">Channels</TabsTrigger>
      </TabsList>
      <TabsContent value="firing">
        <AlertList view="firing" />
      </TabsContent>
      <TabsContent value="pending">
        <AlertList view="pending" />
      </TabsContent>
      <TabsContent value="silenced">
        <AlertList view="silenced" />
      </TabsContent>
      <TabsContent value="history">
        <AlertHistory />
      </TabsContent>
      <TabsContent value="maintenance">
        <MaintenanceList />
      </TabsContent>
      <TabsContent value="rules">
        <RulesEditor editable={admin} />
      </TabsContent>
      <TabsContent value="channels">
        <ChannelsEditor operator />
      </TabsContent>
    </Tabs>
  );
}

/** The shell's count of unmuted firing alerts (nothing when none). */
export function AlertBadge() {
  const s = useAlertSummary().data;
  if (!s?.firing) return null;
  const critical = (s.bySeverity.critical ?? 0) + (s.bySeverity.error ?? 0);
  return (
    <span
      data-testid="alert-badge"
      title={`${s.firing} firing alerts`}
      className={`relative ml-auto rounded-full px-1.5 text-[11px] font-semibold ${critical ? 'bg-danger text-white' : 'bg-warning text-slate-950'}`}
    >
      {s.firing}
      <span className="sr-only"> firing alerts</span>
    </span>
  );
}
