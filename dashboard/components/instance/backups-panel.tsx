'use client';
import { Archive, Loader2, RotateCcw } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Progress } from '@/components/ui/progress';
import { SimpleSelect } from '@/components/ui/select';
import { ApiError, api } from '@/lib/api';
import { fmtAgo, fmtBytes, fmtTime } from '@/lib/format';
import { useLiveEvent } from '@/lib/live';
import type { Instance } from '@/lib/types';
import { useApi } from '@/lib/use-api';

/** A backup as GET /instances/:id/backups lists it. */
interface Backup {
  id: string;
  instanceId: string;
  status: 'pending' | 'ready' | 'failed' | string;
  size: number | null;
  files: number | null;
  scheduled: boolean;
  commandId: string | null;
  error: string | null;
  /** Where the archive is kept: its region's store, or the default one (region null). */
  storage?: { region: string | null; location: string };
  createdAt: string;
  completedAt: string | null;
}

/** Where a backup is kept, as one short phrase. */
const storedIn = (s: Backup['storage']) =>
  s ? `stored in ${s.region ? `region ${s.region} (${s.location})` : `the default store (${s.location})`}` : null;

/** A running restore: its command, as the live stream and GET /commands/:id report it. */
interface RestoreRun {
  commandId: string;
  backupId: string;
  target: string;
  status: string;
  pct: number | null;
  message: string | null;
  error: string | null;
}

const DONE = ['succeeded', 'failed', 'timed_out', 'rejected', 'canceled'];

/**
 * An instance's backups of its OpenClaw state: the list with size and time, "Back up now", and a
 * restore onto this or another instance, confirmed first and followed to the end (the restore is
 * a signed command; its progress comes over the live stream, with polling as a safety net).
 */
export function BackupsPanel({ instance, isAdmin }: { instance: Instance; isAdmin: boolean }) {
  const list = useApi<Backup[]>(`/instances/${encodeURIComponent(instance.id)}/backups`, {
    map: (r) => (Array.isArray(r) ? (r as Backup[]) : []),
  });
  const fleet = useApi<Instance[]>(isAdmin ? '/instances' : null, {
    map: (r) => (Array.isArray(r) ? (r as Instance[]) : []),
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pick, setPick] = useState<Backup | null>(null);
  const [target, setTarget] = useState(instance.id);
  const [run, setRun] = useState<RestoreRun | null>(null);
  const backups = list.data ?? [];
  const pending = backups.some((b) => b.status === 'pending');

  // A backup being made: refresh until it is ready or failed.
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => void list.reload(), 2000);
    return () => clearInterval(t);
  }, [pending, list.reload]);

  useLiveEvent('command', (e) => {
    if (!run || e.id !== run.commandId) return;
    setRun({
      ...run,
      status: e.status,
      pct: e.progress?.pct ?? run.pct,
      message: e.progress?.message ?? run.message,
      error: e.error?.message ?? null,
    });
  });
  useEffect(() => {
    if (!run || DONE.includes(run.status)) return;
    const t = setInterval(async () => {
      const c = await api<{
        status: string;
        progress?: { pct?: number; message?: string } | null;
        error?: { message: string } | null;
      }>(`/commands/${run.commandId}`).catch(() => null);
      if (c)
        setRun((r) =>
          r && r.commandId === run.commandId
            ? {
                ...r,
                status: c.status,
                pct: c.progress?.pct ?? r.pct,
                message: c.progress?.message ?? r.message,
                error: c.error?.message ?? null,
              }
            : r,
        );
    }, 3000);
    return () => clearInterval(t);
  }, [run]);

  const targets = useMemo(
    () =>
      (fleet.data ?? [instance])
        .filter((i) => i.clientId === instance.clientId || i.id === instance.id)
        .map((i) => ({ value: i.id, label: i.id === instance.id ? `${i.hostname} (this instance)` : i.hostname })),
    [fleet.data, instance],
  );
  const targetName = targets.find((t) => t.value === target)?.label ?? target;

  const backUpNow = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`/instances/${encodeURIComponent(instance.id)}/backups`, { method: 'POST' });
      await list.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not start the backup');
    } finally {
      setBusy(false);
    }
  };
  const restore = async () => {
    if (!pick) return;
    setError(null);
    try {
      const r = await api<{ commandId: string }>(`/backups/${pick.id}/restore`, {
        method: 'POST',
        body: { instanceId: target },
      });
      setRun({
        commandId: r.commandId,
        backupId: pick.id,
        target: targetName,
        status: 'queued',
        pct: 0,
        message: null,
        error: null,
      });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not start the restore');
      throw e;
    }
  };

  return (
    <div className="flex flex-col gap-4" data-testid="backups-panel">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground">
          OpenClaw&apos;s state (config, workspace, agent databases). A backup runs every day on its own; kept 14 days,
          the newest always.
        </p>
        {isAdmin && (
          <Button size="sm" onClick={() => void backUpNow()} disabled={busy || pending} className="gap-1.5">
            {busy || pending ? <Loader2 className="size-4 animate-spin" /> : <Archive className="size-4" />}
            {pending ? 'Backing up…' : 'Back up now'}
          </Button>
        )}
      </div>
      {error && (
        <p role="alert" className="rounded-md bg-danger/10 px-3 py-2 text-sm text-danger">
          {error}
        </p>
      )}
      {run && (
        <div
          className="rounded-lg border border-border p-3 text-sm"
          data-testid="restore-progress"
          data-status={run.status}
        >
          <p className="font-medium">
            Restore onto {run.target}:{' '}
            {run.status === 'succeeded' ? 'done' : DONE.includes(run.status) ? run.status.replace('_', ' ') : 'running'}
          </p>
          {!DONE.includes(run.status) && <Progress className="mt-2" value={run.pct ?? 0} />}
          <p className="mt-1 text-xs text-muted-foreground">{run.error ?? run.message ?? run.status}</p>
        </div>
      )}
      {list.loading && !list.data ? (
        <p className="text-sm text-muted-foreground">Loading backups…</p>
      ) : list.error ? (
        <p className="text-sm text-danger">Could not load backups: {list.error}</p>
      ) : backups.length === 0 ? (
        <p className="text-sm text-muted-foreground">No backups yet.</p>
      ) : (
        <ul className="divide-y divide-border">
          {backups.map((b) => (
            <li
              key={b.id}
              className="flex flex-wrap items-center justify-between gap-2 py-2"
              data-testid="backup-row"
              data-status={b.status}
            >
              <div className="min-w-0">
                <p className="text-sm font-medium">
                  {fmtTime(b.createdAt, true)}{' '}
                  <span className="text-xs font-normal text-muted-foreground">({fmtAgo(b.createdAt)})</span>
                </p>
                <p className="text-xs text-muted-foreground">
                  {b.status === 'ready'
                    ? `${fmtBytes(b.size)} · ${b.files ?? '?'} files`
                    : b.status === 'failed'
                      ? (b.error ?? 'failed')
                      : 'in progress'}{' '}
                  · {b.scheduled ? 'daily' : 'by hand'}
                </p>
                {b.storage && (
                  <p className="truncate text-xs text-muted-foreground" data-testid="backup-storage">
                    {storedIn(b.storage)}
                  </p>
                )}
              </div>
              <div className="flex items-center gap-2">
                <Badge variant={b.status === 'ready' ? 'success' : b.status === 'failed' ? 'danger' : 'outline'}>
                  {b.status}
                </Badge>
                {isAdmin && b.status === 'ready' && (
                  <Button
                    size="sm"
                    variant="outline"
                    className="gap-1"
                    onClick={() => {
                      setTarget(instance.id);
                      setPick(b);
                    }}
                  >
                    <RotateCcw className="size-3.5" /> Restore
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={!!pick}
        onOpenChange={(o) => !o && setPick(null)}
        title="Restore this backup?"
        destructive
        confirmLabel="Restore"
        description={
          pick
            ? `The OpenClaw state of ${targetName} is replaced by the backup of ${fmtTime(pick.createdAt, true)}; the gateway restarts. This cannot be undone except by restoring another backup.`
            : undefined
        }
        onConfirm={restore}
      >
        <div className="grid gap-1 text-sm">
          <span className="text-muted-foreground">Restore onto</span>
          <SimpleSelect aria-label="Restore onto" value={target} onValueChange={setTarget} options={targets} />
        </div>
      </ConfirmDialog>
    </div>
  );
}
