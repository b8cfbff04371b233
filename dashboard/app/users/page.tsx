'use client';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { ClientPicker } from '@/components/admin/client-picker';
import { ServiceAccounts } from '@/components/admin/service-accounts';
import { UsersPanel } from '@/components/admin/users-panel';
import { AppShell } from '@/components/shell/app-shell';
import { Skeleton } from '@/components/ui/skeleton';
import { useClients } from '@/lib/use-clients';

export default function UsersPage() {
  return (
    <AppShell roles={['admin']} title="Users & tokens">
      <Suspense fallback={<Skeleton className="h-64" />}>
        <Users />
      </Suspense>
    </AppShell>
  );
}

/** Admin: a client's people (`?clientId=`), and the service accounts with their API tokens. */
function Users() {
  const router = useRouter();
  const { clients, loading, error } = useClients();
  const wanted = useSearchParams().get('clientId');
  const clientId = wanted ?? clients[0]?.id ?? null;
  return (
    <div className="flex flex-col gap-6" data-testid="users-page">
      <section className="flex flex-col gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <h2 className="text-sm font-semibold">Client users</h2>
          {loading && !clients.length ? (
            <Skeleton className="h-9 w-56" />
          ) : error ? (
            <p className="text-sm text-danger">Could not load clients: {error}</p>
          ) : (
            <ClientPicker
              clients={clients}
              value={clientId}
              onChange={(id) => router.replace(`/users/?clientId=${encodeURIComponent(id)}`)}
            />
          )}
        </div>
        {clientId && <UsersPanel key={clientId} clientId={clientId} />}
      </section>
      <ServiceAccounts canManage />
    </div>
  );
}
