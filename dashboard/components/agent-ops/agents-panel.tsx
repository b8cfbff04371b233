'use client';
import { Bot, Loader2, Pause, Play, RotateCcw } from 'lucide-react';
import { useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { toast } from '@/components/ui/toast';
import { AGENT_STATE, fmtUsd, type OpsAgent } from '@/lib/agent-ops';
import { api } from '@/lib/api';

/** Every ops agent: state (running, paused, dry-run, breaker open), last run, errors; pause/resume. */
export function AgentsPanel({
  agents,
  canManage,
  onChanged,
}: {
  agents: OpsAgent[];
  canManage: boolean;
  onChanged: () => unknown;
}) {
  return (
    <Card data-testid="agents-panel">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Bot className="size-4 text-accent" /> Agents
        </CardTitle>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3">
        {agents.map((a) => (
          <AgentTile key={a.name} agent={a} canManage={canManage} onChanged={onChanged} />
        ))}
      </CardContent>
    </Card>
  );
}

function AgentTile({
  agent: a,
  canManage,
  onChanged,
}: {
  agent: OpsAgent;
  canManage: boolean;
  onChanged: () => unknown;
}) {
  const [busy, setBusy] = useState(false);
  const st = AGENT_STATE[a.state];
  const act = async (path: string, done: string, body?: unknown) => {
    setBusy(true);
    try {
      await api(`/ops-agents/${a.name}/${path}`, { method: body ? 'PUT' : 'POST', body });
      toast(done, { tone: 'success' });
      await onChanged();
    } catch (e) {
      toast(`Could not change ${a.name}`, { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const run = a.lastRun;
  return (
    <div
      className="flex flex-col gap-2 rounded-xl border border-border p-3"
      data-testid="agent-tile"
      data-agent={a.name}
    >
      <div className="flex items-center justify-between gap-2">
        <p className="font-medium capitalize">{a.name}</p>
        <Badge variant={st.tone} data-testid="agent-state">
          {st.label}
        </Badge>
      </div>
      <p className="text-xs text-muted-foreground">{a.description}</p>
      <dl className="grid grid-cols-2 gap-x-3 gap-y-1 text-xs">
        <dt className="text-muted-foreground">Last run</dt>
        <dd data-testid="agent-last-run">
          {run ? `${fmtDateTime(run.startedAt)} · ${run.findings} findings, ${run.proposals} proposals` : 'never'}
        </dd>
        <dt className="text-muted-foreground">Model cost</dt>
        <dd>{run ? `${fmtUsd(run.costUsd)} · ${run.tokensIn + run.tokensOut} tokens` : '—'}</dd>
        <dt className="text-muted-foreground">Limits</dt>
        <dd>
          {a.limits.maxInstancesPerHour} instances/h · breaker at {a.limits.failureLimit} ({a.failures} now)
        </dd>
        <dt className="text-muted-foreground">Token</dt>
        <dd>{a.token ? `expires ${fmtDateTime(a.token.expiresAt)}` : 'none minted'}</dd>
      </dl>
      {(run?.error || a.breakerReason) && (
        <p className="text-xs text-danger" data-testid="agent-error">
          {a.breakerReason ?? run?.error}
        </p>
      )}
      {canManage && (
        <div className="flex flex-wrap gap-2">
          {a.paused ? (
            <Button
              size="sm"
              variant="outline"
              disabled={busy}
              onClick={() => act('resume', `${a.name} resumed`)}
              data-testid="agent-resume"
            >
              {busy ? <Loader2 className="animate-spin" /> : <Play />} Resume
            </Button>
          ) : (
            <Button
              size="sm"
              variant="outline"
              disabled={busy}
              onClick={() => act('pause', `${a.name} paused`)}
              data-testid="agent-pause"
            >
              {busy ? <Loader2 className="animate-spin" /> : <Pause />} Pause
            </Button>
          )}
          <Button
            size="sm"
            variant="ghost"
            disabled={busy}
            onClick={() =>
              act('policy', a.dryRun ? `${a.name} acts again` : `${a.name} in dry-run`, { dryRun: !a.dryRun })
            }
            data-testid="agent-dry-run"
          >
            {a.dryRun ? 'Leave dry-run' : 'Dry-run'}
          </Button>
          {a.breakerOpenedAt && (
            <Button
              size="sm"
              variant="outline"
              disabled={busy}
              onClick={() => act('breaker/reset', `${a.name}'s breaker reset`)}
              data-testid="agent-reset"
            >
              <RotateCcw /> Reset breaker
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
