'use client';
import { Settings } from 'lucide-react';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { DataCard } from '@/components/account/data-card';
import { NetworkCard, RetentionCard } from '@/components/account/network-card';
import { SecretsCard } from '@/components/account/secrets-card';
import { ClientPicker } from '@/components/admin/client-picker';
import { ChannelsEditor } from '@/components/alerts/channels-editor';
import { MaintenanceList } from '@/components/alerts/maintenance-list';
import { ClientKeyCard } from '@/components/lifecycle/client-key-card';
import { PlanStatusCard } from '@/components/lifecycle/plan-status-card';
import { SsoCard } from '@/components/lifecycle/sso-card';
import { WelcomeEmailsCard } from '@/components/onboarding-help/welcome-emails-card';
import { AppShell } from '@/components/shell/app-shell';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import type { ClientSettings } from '@/lib/admin-types';
import { useAuth } from '@/lib/auth';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';

export default function SettingsPage() {
  return (
    <AppShell roles={['admin', 'client_owner']} title="Settings">
      <Suspense fallback={<Skeleton className="h-64" />}>
        <SettingsView />
      </Suspense>
    </AppShell>
  );
}

/** A client's settings: the owner's own client, or for the admin any client (`?clientId=`). */
function SettingsView() {
  const { user } = useAuth();
  const router = useRouter();
  const { clients, names } = useClients();
  const wanted = useSearchParams().get('clientId');
  const admin = user?.role === 'admin';
  const clientId = admin ? (wanted ?? clients[0]?.id ?? null) : (user?.clientId ?? null);
  return (
    <div className="flex flex-col gap-6" data-testid="settings-page">
      <div className="flex flex-wrap items-center gap-3">
        {admin ? (
          <ClientPicker
            clients={clients}
            value={clientId}
            onChange={(id) => router.replace(`/settings/?clientId=${encodeURIComponent(id)}`)}
          />
        ) : (
          <h2 className="text-sm font-semibold">{clientId ? (names.get(clientId) ?? 'Your company') : ''}</h2>
        )}
        {clientId && (
          <p className="text-xs text-muted-foreground">
            Company id:{' '}
            <code className="font-mono text-foreground" data-testid="client-id">
              {clientId}
            </code>
          </p>
        )}
      </div>
      {clientId && <ClientSettingsPanels key={clientId} clientId={clientId} canDelete={admin} />}
    </div>
  );
}

function ClientSettingsPanels({ clientId, canDelete }: { clientId: string; canDelete: boolean }) {
  const settings = useApi<ClientSettings>(`/clients/${encodeURIComponent(clientId)}/settings`);
  if (settings.notFound)
    return (
      <Card>
        <EmptyState icon={Settings} title="Client settings are not available on this hub" />
      </Card>
    );
  return (
    <div className="grid gap-6 xl:grid-cols-2">
      {settings.error ? (
        <p className="text-sm text-danger">Could not load settings: {settings.error}</p>
      ) : !settings.data ? (
        <Skeleton className="h-48" />
      ) : (
        <>
          <NetworkCard clientId={clientId} settings={settings.data} onSaved={settings.setData} />
          <RetentionCard clientId={clientId} settings={settings.data} onSaved={settings.setData} />
        </>
      )}
      <PlanStatusCard clientId={clientId} canEdit={canDelete} />
      <SsoCard clientId={clientId} />
      <ClientKeyCard clientId={clientId} />
      <WelcomeEmailsCard clientId={clientId} />
      <div className="xl:col-span-2">
        <SecretsCard clientId={clientId} />
      </div>
      {!canDelete && (
        <section className="flex flex-col gap-3 xl:col-span-2" data-testid="alert-subscriptions">
          <h3 className="text-sm font-semibold">Alert notifications: where your alerts and usage alerts go</h3>
          <ChannelsEditor operator={false} />
          <h3 className="text-sm font-semibold">Maintenance windows: alerts stay quiet while they are open</h3>
          <MaintenanceList clientId={clientId} />
        </section>
      )}
      <div className="xl:col-span-2">
        <DataCard clientId={clientId} canDelete={canDelete} />
      </div>
    </div>
  );
}
