'use client';
import { Handshake } from 'lucide-react';
import { AssignClientForm } from '@/components/partners/assign-client-form';
import { NewPartnerForm } from '@/components/partners/new-partner-form';
import { PartnerAdminForm } from '@/components/partners/partner-admin-form';
import { PartnersTable } from '@/components/partners/partners-table';
import { AppShell } from '@/components/shell/app-shell';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { OPERATOR_ROLES, useAuth } from '@/lib/auth';
import type { Partner } from '@/lib/partners';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';

export default function PartnersPage() {
  return (
    <AppShell roles={OPERATOR_ROLES} title="Partners">
      <Partners />
    </AppShell>
  );
}

/**
 * Resellers who sell the product under their own brand: the admin creates them, adds their
 * people and moves clients to them; support reads.
 */
function Partners() {
  const { user } = useAuth();
  const admin = user?.role === 'admin';
  const partners = useApi<Partner[]>('/partners');
  const { clients, reload: reloadClients } = useClients();
  const list = partners.data ?? [];

  if (partners.loading && !partners.data) return <Skeleton className="h-64" />;
  if (partners.error) return <p className="text-sm text-danger">Could not load partners: {partners.error}</p>;
  return (
    <div className="flex flex-col gap-6" data-testid="partners-page">
      <p className="text-sm text-muted-foreground">
        {list.length} partners · their clients see the partner’s brand on its verified domain
      </p>
      {admin && (
        <Card>
          <CardContent className="pt-5">
            <NewPartnerForm onCreated={() => partners.reload()} />
          </CardContent>
        </Card>
      )}
      {list.length ? (
        <PartnersTable partners={list} />
      ) : (
        <EmptyState icon={Handshake} title="No partners yet" description="Create the first partner above." />
      )}
      {admin && list.length > 0 && (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>Assign a client</CardTitle>
              <CardDescription>
                The partner’s people then see the client in their Mission Control, and the client’s people see the
                partner’s brand.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <AssignClientForm
                clients={clients}
                partners={list}
                onAssigned={() => {
                  reloadClients();
                  partners.reload();
                }}
              />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Add a partner user</CardTitle>
              <CardDescription>
                A partner admin sets the brand and domains and invites the partner’s own people.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <PartnerAdminForm partners={list} />
            </CardContent>
          </Card>
        </div>
      )}
    </div>
  );
}
