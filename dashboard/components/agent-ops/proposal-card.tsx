'use client';
import { Check, Loader2, X } from 'lucide-react';
import { useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { toast } from '@/components/ui/toast';
import { type AgentProposal, isQueued, outcomeText, proposalDiff, proposalTone } from '@/lib/agent-ops';
import { api } from '@/lib/api';
import { cn } from '@/lib/utils';

const SIGN_CLASS = { '-': 'text-danger', '+': 'text-success', ' ': 'text-muted-foreground' } as const;

/**
 * One proposal: what the agent wants and why, a diff of what it will change per instance, the
 * decision and each command's outcome; approve (which executes) or reject in one click.
 */
export function ProposalCard({
  p,
  canDecide,
  onChanged,
}: {
  p: AgentProposal;
  canDecide: boolean;
  onChanged: () => unknown;
}) {
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const decide = async (what: 'approve' | 'reject') => {
    setBusy(what);
    try {
      // An approved proposal the policy held back (e.g. a change still in flight) is executed again.
      const path = what === 'approve' && p.status === 'approved' ? 'execute' : what;
      await api(`/agent-proposals/${encodeURIComponent(p.id)}/${path}`, { method: 'POST', body: {} });
      toast(what === 'approve' ? 'Approved: executing' : 'Rejected', { tone: 'success' });
    } catch (e) {
      toast(what === 'approve' ? 'Not executed' : 'Could not reject', {
        tone: 'error',
        description: (e as Error).message,
      });
    } finally {
      setBusy(null);
      await onChanged();
    }
  };
  return (
    <article
      className="flex flex-col gap-3 rounded-xl border border-border p-4"
      data-testid="proposal"
      data-id={p.id}
      data-status={p.status}
    >
      <header className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium">{p.title}</p>
          <p className="text-xs text-muted-foreground">
            <span className="capitalize">{p.agent}</span> · {fmtDateTime(p.createdAt)} · risk {p.risk}
          </p>
        </div>
        <Badge variant={proposalTone(p.status)} data-testid="proposal-status">
          {p.status.replace('_', '-')}
        </Badge>
      </header>
      <p className="text-sm">{p.reasoning}</p>
      <div className="flex flex-col gap-2" data-testid="proposal-diff">
        {proposalDiff(p).map((d) => (
          <div key={d.instanceId} className="overflow-x-auto rounded-lg border border-border bg-muted/40">
            <p className="border-b border-border px-3 py-1 text-xs font-medium">{d.title}</p>
            <pre className="px-3 py-2 font-mono text-xs leading-5">
              {d.lines.map((l) => (
                <div key={l.key} className={SIGN_CLASS[l.sign]}>
                  {l.sign} {l.text}
                </div>
              ))}
            </pre>
          </div>
        ))}
      </div>
      {p.refusal && (
        <p className="text-xs text-danger" data-testid="proposal-refusal">
          {p.refusal.code}: {p.refusal.message}
        </p>
      )}
      {p.outcomes.length > 0 && (
        <ul className="flex flex-col gap-1 text-xs" data-testid="proposal-outcomes">
          {p.outcomes.map((o) => (
            <li
              key={`${o.type}:${o.commandId}:${o.scheduledChangeId ?? ''}`}
              className="flex flex-wrap items-center gap-2"
            >
              <Badge
                variant={
                  o.status === 'succeeded'
                    ? 'success'
                    : o.status === 'failed'
                      ? 'danger'
                      : o.status === 'scheduled'
                        ? 'warning'
                        : 'outline'
                }
              >
                {o.status}
              </Badge>
              <span className="font-mono">{o.type}</span>
              <span className="text-muted-foreground" data-testid="proposal-outcome-text">
                {outcomeText(o)}
              </span>
              {o.error && <span className="text-danger">{o.error.message}</span>}
            </li>
          ))}
        </ul>
      )}
      {(p.decidedBy || p.decisionNote) && (
        <p className="text-xs text-muted-foreground">
          {p.decidedBy === 'auto' ? 'auto-approved by the policy' : p.decidedBy ? `decided by ${p.decidedBy}` : ''}
          {p.decisionNote ? ` — ${p.decisionNote}` : ''}
        </p>
      )}
      {canDecide && isQueued(p) && (
        <div className={cn('flex flex-wrap gap-2')}>
          <Button
            size="sm"
            variant="accent"
            disabled={!!busy}
            onClick={() => decide('approve')}
            data-testid="proposal-approve"
          >
            {busy === 'approve' ? <Loader2 className="animate-spin" /> : <Check />}{' '}
            {p.status === 'approved' ? 'Execute' : 'Approve'}
          </Button>
          <Button
            size="sm"
            variant="outline"
            disabled={!!busy}
            onClick={() => decide('reject')}
            data-testid="proposal-reject"
          >
            {busy === 'reject' ? <Loader2 className="animate-spin" /> : <X />} Reject
          </Button>
        </div>
      )}
    </article>
  );
}
