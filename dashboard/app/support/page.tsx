'use client';
import { SupportInbox } from '@/components/admin/support-inbox';
import { AppShell } from '@/components/shell/app-shell';
import { OPERATOR_ROLES } from '@/lib/auth';

export default function SupportPage() {
  return (
    <AppShell roles={OPERATOR_ROLES} title="Support inbox">
      <SupportInbox />
    </AppShell>
  );
}
