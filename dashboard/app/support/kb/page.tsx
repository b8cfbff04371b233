'use client';
import { AppShell } from '@/components/shell/app-shell';
import { KbEditor } from '@/components/support/kb-editor';
import { OPERATOR_ROLES } from '@/lib/auth';

export default function KnowledgeBasePage() {
  return (
    <AppShell roles={OPERATOR_ROLES} title="Knowledge base">
      <KbEditor />
    </AppShell>
  );
}
