'use client';
import { ApiKeysPanel } from '@/components/integrations/api-keys-panel';
import { WebhooksPanel } from '@/components/integrations/webhooks-panel';
import { AppShell } from '@/components/shell/app-shell';
import { useRequireUser } from '@/lib/auth';

/** The client's integrations: API keys for its own systems, and the event webhooks it receives. */
export default function ClientIntegrationsPage() {
  const user = useRequireUser(['client_owner']);
  return (
    <AppShell title="Integrations">
      {user?.clientId && (
        <div className="grid gap-6">
          <ApiKeysPanel clientId={user.clientId} />
          <WebhooksPanel clientId={user.clientId} />
        </div>
      )}
    </AppShell>
  );
}
