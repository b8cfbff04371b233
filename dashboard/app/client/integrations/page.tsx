'use client';
import { WebhooksPanel } from '@/components/integrations/webhooks-panel';
import { AppShell } from '@/components/shell/app-shell';
import { useAuth } from '@/lib/auth';

/** The client's integrations: event webhooks. */
export default function ClientIntegrationsPage() {
  const { user } = useAuth();
  return (
    <AppShell title="Integrations">
      {user?.clientId ? (
        <WebhooksPanel clientId={user.clientId} />
      ) : (
        <p className="text-sm text-muted-foreground">Integrations belong to a client account.</p>
      )}
    </AppShell>
  );
}
