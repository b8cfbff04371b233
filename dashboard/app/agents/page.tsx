'use client';
import { AgentOpsPage } from '@/components/agent-ops/agent-ops-page';
import { AppShell } from '@/components/shell/app-shell';
import { OPERATOR_ROLES } from '@/lib/auth';

export default function AgentOps() {
  return (
    <AppShell roles={OPERATOR_ROLES} title="Agent Ops">
      <AgentOpsPage />
    </AppShell>
  );
}
