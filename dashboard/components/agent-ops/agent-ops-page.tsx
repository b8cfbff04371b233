'use client';
import { Bot, Inbox, ListChecks, Search } from 'lucide-react';
import { useEffect, useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { HeldInvoices } from '@/components/billing/held-invoices';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { type AgentFinding, type AgentProposal, isQueued, type OpsAgent } from '@/lib/agent-ops';
import { asList } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { useApi } from '@/lib/use-api';
import { AgentsPanel } from './agents-panel';
import { ProposalCard } from './proposal-card';

/** How often the page re-reads agents, proposals and findings (agents act on their own). */
const REFRESH_MS = 3000;

/**
 * Mission Control's Agent Ops: each agent's state, the approval queue (a diff of what each
 * proposal changes; approve or reject in one click), findings, the history with outcomes, and
 * the invoices the billing agent held before they went out (an admin clears them).
 */
export function AgentOpsPage() {
  const { user } = useAuth();
  const admin = user?.role === 'admin';
  const [tab, setTab] = useState('queue');
  const agents = useApi<OpsAgent[]>('/ops-agents', { map: (r) => asList<OpsAgent>(r) });
  const proposals = useApi<AgentProposal[]>('/agent-proposals', {
    query: { limit: 200 },
    map: (r) => asList<AgentProposal>(r),
  });
  const findings = useApi<AgentFinding[]>('/agent-findings', {
    query: { limit: 200 },
    map: (r) => asList<AgentFinding>(r),
  });
  const reloadAll = async () => {
    await Promise.all([agents.reload(), proposals.reload(), findings.reload()]);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: the reloads are stable per path
  useEffect(() => {
    const t = setInterval(() => void reloadAll(), REFRESH_MS);
    return () => clearInterval(t);
  }, []);

  if (agents.notFound)
    return (
      <Card>
        <EmptyState icon={Bot} title="Agent Ops is not available on this hub" />
      </Card>
    );
  const queue = (proposals.data ?? []).filter(isQueued);
  const history = (proposals.data ?? []).filter((p) => !isQueued(p));
  return (
    <div className="flex flex-col gap-4" data-testid="agent-ops-page">
      {agents.loading && !agents.data ? (
        <Skeleton className="h-40" />
      ) : agents.error ? (
        <p className="text-sm text-danger">Could not load the agents: {agents.error}</p>
      ) : (
        <AgentsPanel agents={agents.data ?? []} canManage={admin} onChanged={reloadAll} />
      )}
      <Tabs value={tab} onValueChange={setTab} className="flex flex-col gap-4">
        <TabsList className="flex-wrap">
          <TabsTrigger value="queue" data-testid="tab-queue">
            Approval queue{queue.length ? ` (${queue.length})` : ''}
          </TabsTrigger>
          <TabsTrigger value="findings" data-testid="tab-findings">
            Findings
          </TabsTrigger>
          <TabsTrigger value="history" data-testid="tab-history">
            History
          </TabsTrigger>
          <TabsTrigger value="held" data-testid="tab-held">
            Held invoices
          </TabsTrigger>
        </TabsList>
        <TabsContent value="queue" data-testid="approval-queue">
          <ProposalList
            items={queue}
            loading={proposals.loading && !proposals.data}
            error={proposals.error}
            empty="Nothing waits for a decision"
            icon={Inbox}
            canDecide={admin}
            onChanged={reloadAll}
          />
        </TabsContent>
        <TabsContent value="findings">
          <FindingsList items={findings.data ?? []} loading={findings.loading && !findings.data} />
        </TabsContent>
        <TabsContent value="held">
          <HeldInvoices canClear={admin} />
        </TabsContent>
        <TabsContent value="history" data-testid="proposal-history">
          <ProposalList
            items={history}
            loading={proposals.loading && !proposals.data}
            error={proposals.error}
            empty="No proposals decided yet"
            icon={ListChecks}
            canDecide={false}
            onChanged={reloadAll}
          />
        </TabsContent>
      </Tabs>
    </div>
  );
}

function ProposalList(props: {
  items: AgentProposal[];
  loading: boolean;
  error: string | null;
  empty: string;
  icon: typeof Inbox;
  canDecide: boolean;
  onChanged: () => unknown;
}) {
  if (props.loading) return <Skeleton className="h-40" />;
  if (props.error) return <p className="text-sm text-danger">Could not load proposals: {props.error}</p>;
  if (!props.items.length)
    return (
      <Card>
        <EmptyState icon={props.icon} title={props.empty} />
      </Card>
    );
  return (
    <div className="flex flex-col gap-3">
      {props.items.map((p) => (
        <ProposalCard key={p.id} p={p} canDecide={props.canDecide} onChanged={props.onChanged} />
      ))}
    </div>
  );
}

const SEVERITY_TONE = { critical: 'danger', warning: 'warning', info: 'outline' } as const;

function FindingsList({ items, loading }: { items: AgentFinding[]; loading: boolean }) {
  if (loading) return <Skeleton className="h-40" />;
  if (!items.length)
    return (
      <Card>
        <EmptyState icon={Search} title="No findings yet" />
      </Card>
    );
  return (
    <Card className="overflow-x-auto p-2" data-testid="findings">
      <table className="w-full text-sm">
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th className="p-2">When</th>
            <th className="p-2">Agent</th>
            <th className="p-2">Severity</th>
            <th className="p-2">Instance</th>
            <th className="p-2">What</th>
          </tr>
        </thead>
        <tbody>
          {items.map((f) => (
            <tr key={f.id} className="border-t border-border align-top" data-testid="finding" data-kind={f.kind}>
              <td className="p-2 whitespace-nowrap">{fmtDateTime(f.createdAt)}</td>
              <td className="p-2 capitalize">{f.agent}</td>
              <td className="p-2">
                <Badge variant={SEVERITY_TONE[f.severity as keyof typeof SEVERITY_TONE] ?? 'outline'}>
                  {f.severity}
                </Badge>
              </td>
              <td className="p-2 font-mono text-xs">{f.instanceId ?? '—'}</td>
              <td className="p-2">
                <p>{f.what}</p>
                <details className="text-xs text-muted-foreground">
                  <summary className="cursor-pointer">{f.kind} · evidence</summary>
                  <pre className="mt-1 overflow-x-auto">{JSON.stringify(f.evidence, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
