'use client';
import { Ban, Pause, Play } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Progress } from '@/components/ui/progress';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { commandName, describeParams } from '@/lib/command-text';
import { fmtAgo } from '@/lib/format';
import { useLiveEvent } from '@/lib/live';
import { ROLLOUT_FINAL, type Rollout } from '@/lib/rollouts';
import { cn } from '@/lib/utils';

const CELL: Record<string, string> = {
  succeeded: 'bg-success',
  failed: 'bg-danger',
  timed_out: 'bg-danger',
  rejected: 'bg-danger',
  canceled: 'bg-muted-foreground',
  running: 'bg-cyan animate-pulse',
  delivered: 'bg-cyan/60',
  queued: 'bg-muted-foreground/40',
  pending: 'bg-muted',
};

/** Who a rollout targets, in words. */
function targetText(t: unknown, total: number): string {
  const x = (t ?? {}) as { all?: boolean; ids?: string[]; selector?: Record<string, string> };
  if (x.all) return `all instances (${total})`;
  if (x.ids) return `${x.ids.length} chosen instance${x.ids.length === 1 ? '' : 's'}`;
  if (x.selector)
    return `${Object.entries(x.selector)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (${total})`;
  return `${total} instances`;
}

/**
 * Live progress of one rollout: what it runs and on whom, done out of total, counts, waves as a
 * grid of instance cells, pause/resume/abort.
 */
export function RolloutProgress({ id }: { id: string }) {
  const [r, setR] = useState<Rollout | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [abortOpen, setAbortOpen] = useState(false);
  const load = useCallback(
    () =>
      api<Rollout>(`/rollouts/${encodeURIComponent(id)}`)
        .then((x) => {
          setR(x);
          setError(null);
        })
        .catch((e) => setError((e as Error).message)),
    [id],
  );
  useEffect(() => {
    load();
  }, [load]);
  // Counts come live; the wave detail is re-read when they change and every few seconds while it runs.
  useLiveEvent('rollout', (e) => {
    if (e.id !== id) return;
    setR((cur) => (cur ? { ...cur, status: e.status, counts: e.counts } : cur));
    load();
  });
  useEffect(() => {
    if (r && ROLLOUT_FINAL.has(r.status)) return;
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [r, load]);

  const act = async (action: 'pause' | 'resume' | 'abort') => {
    try {
      await api(`/rollouts/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: {} });
      toast(`Rollout ${action === 'abort' ? 'aborted' : action === 'pause' ? 'paused' : 'resumed'}`, {
        tone: 'success',
      });
      load();
    } catch (e) {
      toast(`Could not ${action} the rollout`, { tone: 'error', description: (e as Error).message });
      throw e;
    }
  };

  if (error && !r) return <p className="text-sm text-danger">{error}</p>;
  if (!r) return <p className="text-sm text-muted-foreground">Loading rollout…</p>;
  const total =
    r.waves.reduce((s, w) => s + w.instances.length, 0) || Object.values(r.counts).reduce((s, v) => s + v, 0);
  const done = ['succeeded', 'failed', 'timed_out', 'rejected', 'canceled'].reduce((s, k) => s + (r.counts[k] ?? 0), 0);
  const final = ROLLOUT_FINAL.has(r.status);
  return (
    <div className="flex flex-col gap-4" data-testid="rollout-progress">
      <div className="grid gap-0.5">
        <p className="text-sm font-semibold" data-testid="rollout-title">
          {r.type ? commandName(r.type) : 'Rollout'}{' '}
          <span className="font-normal text-muted-foreground">{r.type ? describeParams(r.type, r.params) : ''}</span>
        </p>
        <p className="text-xs text-muted-foreground">
          on {targetText(r.target, total)} · {done} of {total} done
          {r.waves.length > 1
            ? ` · wave ${Math.min((r.currentWave ?? 0) + 1, r.waves.length)} of ${r.waves.length}`
            : ''}
          {r.createdAt ? ` · started ${fmtAgo(r.createdAt)}` : ''}
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono text-xs text-muted-foreground">{r.id}</span>
        <Badge
          variant={
            r.status === 'failed' || r.status === 'aborted'
              ? 'danger'
              : final
                ? 'success'
                : r.status === 'paused'
                  ? 'warning'
                  : 'accent'
          }
        >
          {r.status}
        </Badge>
        <div className="ml-auto flex gap-2">
          {!final &&
            (r.status === 'paused' ? (
              <Button size="sm" variant="outline" onClick={() => act('resume').catch(() => {})}>
                <Play /> Resume
              </Button>
            ) : (
              <Button size="sm" variant="outline" onClick={() => act('pause').catch(() => {})}>
                <Pause /> Pause
              </Button>
            ))}
          {!final && (
            <Button size="sm" variant="destructive" onClick={() => setAbortOpen(true)}>
              <Ban /> Abort
            </Button>
          )}
        </div>
      </div>
      <Progress value={done} max={total || 1} tone={(r.counts.failed ?? 0) > 0 ? 'warning' : 'success'} />
      <div className="flex flex-wrap gap-3 text-xs text-muted-foreground">
        {Object.entries(r.counts).map(([k, v]) => (
          <span key={k}>
            {k.replace('_', ' ')}: <span className="font-semibold text-foreground tabular-nums">{v}</span>
          </span>
        ))}
      </div>
      <div className="flex flex-col gap-2">
        {r.waves.map((w) => (
          <div key={w.index} className="flex items-center gap-3">
            <span className="w-14 shrink-0 text-xs text-muted-foreground">Wave {w.index + 1}</span>
            <div className="flex flex-wrap gap-1">
              {w.instances.map((i) => (
                <span
                  key={i.instanceId}
                  title={`${i.instanceId}: ${i.status}`}
                  className={cn('size-3 rounded-sm', CELL[i.status] ?? 'bg-muted')}
                />
              ))}
            </div>
          </div>
        ))}
      </div>
      <ConfirmDialog
        open={abortOpen}
        onOpenChange={setAbortOpen}
        title="Abort the rollout?"
        description="Queued commands are canceled; commands already running finish."
        confirmLabel="Abort rollout"
        destructive
        onConfirm={() => act('abort')}
      />
    </div>
  );
}
