'use client';
import { AlertsPage } from '@/components/alerts/alerts-page';
import { AppShell } from '@/components/shell/app-shell';
import { OPERATOR_ROLES } from '@/lib/auth';

export default function Alerts() {
  return (
    <AppShell roles={OPERATOR_ROLES} title="Alerts">
      <AlertsPage />
    </AppShell>
  );
}
