'use client';
import { CheckCircle2, Circle, CircleSlash, Loader2, XCircle } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { cn } from '@/lib/utils';
import { type Deployment, fmtEur, STEP_LABELS } from './types';
import { useDeployment } from './use-deployment';

const seconds = (a: string | null, b: string | null) =>
  a ? `${Math.max(0, Math.round(((b ? Date.parse(b) : Date.now()) - Date.parse(a)) / 1000))} s` : '';

/** Steps of a deployment with their state, time taken and error; live. */
export function DeploymentSteps({ dep }: { dep: Deployment }) {
  return (
    <ol className="flex flex-col gap-2" data-testid="deployment-steps">
      {dep.steps.map((s) => (
        <li key={s.name} className="flex items-start gap-2 text-sm" data-step={s.name} data-status={s.status}>
          {s.status === 'done' ? (
            <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-success" aria-label="done" />
          ) : s.status === 'running' ? (
            <Loader2 className="mt-0.5 size-4 shrink-0 animate-spin text-accent" aria-label="running" />
          ) : s.status === 'failed' ? (
            <XCircle className="mt-0.5 size-4 shrink-0 text-danger" aria-label="failed" />
          ) : s.status === 'skipped' ? (
            <CircleSlash className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-label="skipped" />
          ) : (
            <Circle className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-label="pending" />
          )}
          <div className="min-w-0 flex-1">
            <p className={cn('font-medium', s.status === 'pending' && 'text-muted-foreground')}>
              {STEP_LABELS[s.name] ?? s.name}
              <span className="ml-2 text-xs font-normal text-muted-foreground tabular-nums">
                {seconds(s.startedAt, s.endedAt)}
              </span>
            </p>
            {s.error ? (
              <p className="text-xs text-danger">{s.error}</p>
            ) : s.detail ? (
              <p className="truncate text-xs text-muted-foreground">{s.detail}</p>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

const TONE: Record<Deployment['status'], 'success' | 'danger' | 'warning' | 'accent' | 'outline'> = {
  queued: 'outline',
  creating: 'accent',
  booting: 'accent',
  joining: 'accent',
  live: 'success',
  failed: 'danger',
  canceled: 'warning',
};

/**
 * A deployment's live progress: status, steps, the server it made and why it failed. Give it a
 * deployment id, or a client id to follow the client's newest deployment.
 */
export function DeploymentProgress({
  id,
  clientId,
  compact,
}: {
  id?: string | null;
  clientId?: string | null;
  compact?: boolean;
}) {
  const { dep, error, loaded } = useDeployment({ id, clientId });
  if (error && !dep) return <p className="text-sm text-danger">Could not load the deployment: {error}</p>;
  if (!dep) return loaded ? null : <p className="text-sm text-muted-foreground">Loading the deployment…</p>;
  const elapsed = seconds(
    dep.createdAt ?? dep.steps[0]?.startedAt ?? null,
    dep.status === 'live' ? (dep.steps.at(-1)?.endedAt ?? null) : null,
  );
  return (
    <div className="flex flex-col gap-3" data-testid="deployment-progress" data-status={dep.status}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={TONE[dep.status]}>{dep.status}</Badge>
        <span className="text-xs text-muted-foreground tabular-nums">{elapsed}</span>
        {dep.server && (
          <span className="text-xs text-muted-foreground">
            {dep.server.serverType} · {dep.server.location}
            {dep.server.monthlyPrice !== null ? ` · ${fmtEur(dep.server.monthlyPrice)}` : ''}
          </span>
        )}
      </div>
      {dep.error && (
        <p className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
          {dep.error.message}
        </p>
      )}
      {!compact && <DeploymentSteps dep={dep} />}
    </div>
  );
}
