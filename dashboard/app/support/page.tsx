'use client';
import { BookOpen } from 'lucide-react';
import { Suspense } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { TicketInbox } from '@/components/support/ticket-inbox';
import { Skeleton } from '@/components/ui/skeleton';
import { OPERATOR_ROLES } from '@/lib/auth';

export default function SupportPage() {
  return (
    <AppShell
      roles={OPERATOR_ROLES}
      title="Support inbox"
      actions={
        <a className="inline-flex items-center gap-1 text-sm text-accent hover:underline" href="/support/kb/">
          <BookOpen className="size-4" /> Knowledge base
        </a>
      }
    >
      <Suspense fallback={<Skeleton className="h-64" />}>
        <TicketInbox />
      </Suspense>
    </AppShell>
  );
}
