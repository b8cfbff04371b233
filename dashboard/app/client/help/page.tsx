'use client';
import { Suspense } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { ClientHelp } from '@/components/support/client-help';
import { Skeleton } from '@/components/ui/skeleton';

export default function ClientHelpPage() {
  return (
    <AppShell title="Help">
      <Suspense fallback={<Skeleton className="h-64" />}>
        <ClientHelp />
      </Suspense>
    </AppShell>
  );
}
