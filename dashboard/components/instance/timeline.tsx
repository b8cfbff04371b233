'use client';
import { Download, History } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { api } from '@/lib/api';
import { download } from '@/lib/export';
import { fmtTime } from '@/lib/format';
import { useLiveEvent } from '@/lib/live';

/** One timeline entry as GET /instances/:id/timeline returns it. */
export interface TimelineEntry {
  id: string;
  t: string;
  kind: string;
  title: string;
  actor: string | null;
  status: string | null;
  detail: Record<string, unknown> | null;
  link: string | null;
}

const KINDS: { kind: string; label: string }[] = [
  { kind: 'command', label: 'Commands' },
  { kind: 'config', label: 'Config' },
  { kind: 'change', label: 'Rollbacks' },
  { kind: 'backup', label: 'Backups' },
  { kind: 'status', label: 'Status' },
  { kind: 'deploy', label: 'Deploys' },
  { kind: 'alert', label: 'Alerts' },
  { kind: 'console', label: 'Console' },
  { kind: 'agent_proposal', label: 'Agents' },
  { kind: 'audit', label: 'Audit' },
];

const tone = (s: string | null) =>
  !s
    ? 'outline'
    : /failed|rolled_back|timed_out|rejected|down/.test(s)
      ? 'danger'
      : /succeeded|applied|ready|restored|up$/.test(s)
        ? 'success'
        : 'default';

/** What a diff or a check list says, in one line. */
function summary(e: TimelineEntry): string | null {
  const d = e.detail ?? {};
  if (Array.isArray(d.diff) && d.diff.length)
    return (d.diff as { path: string; before: unknown; after: unknown }[])
      .map((x) => `${x.path}: ${JSON.stringify(x.before)} → ${JSON.stringify(x.after)}`)
      .join(' · ');
  if (Array.isArray(d.checks))
    return (d.checks as { name: string; ok: boolean; detail?: string }[])
      .map((c) => `${c.ok ? '✓' : '✗'} ${c.name}${!c.ok && c.detail ? ` (${c.detail})` : ''}`)
      .join(' · ');
  const err = d.error as { message?: string } | undefined;
  return err?.message ?? null;
}

/**
 * The instance's history in one list, newest first: commands, config changes with their diff,
 * rollbacks, backups, status changes, deploys and server actions, alerts, console sessions (with
 * their recording) and audit entries.
 * Filterable by kind, paged ("Older"), refreshed live on command and event changes, exportable.
 */
export function Timeline({ instanceId, kinds = KINDS.map((k) => k.kind) }: { instanceId: string; kinds?: string[] }) {
  const [active, setActive] = useState<Set<string>>(new Set(kinds));
  const [entries, setEntries] = useState<TimelineEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const query = [...active].join(',');

  const load = useCallback(
    async (from: string | null) => {
      const my = ++seq.current;
      setLoading(true);
      try {
        const page = await api<{ entries: TimelineEntry[]; nextCursor: string | null }>(
          `/instances/${instanceId}/timeline`,
          { query: { kinds: query || undefined, limit: 50, cursor: from ?? undefined } },
        );
        if (my !== seq.current) return;
        setEntries((old) => (from ? [...old, ...page.entries] : page.entries));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        if (my === seq.current) setError((e as Error).message);
      } finally {
        if (my === seq.current) setLoading(false);
      }
    },
    [instanceId, query],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  // Live: a command or event on this instance brings the newest page again (debounced).
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = (id: string) => {
    if (id !== instanceId) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(null), 500);
  };
  useLiveEvent('command', (e) => refresh(e.instanceId));
  useLiveEvent('events', (e) => refresh(e.instanceId));
  useLiveEvent('alert', (e) => e.instanceId && refresh(e.instanceId));
  useLiveEvent('deployment', (e) => refresh(e.instanceId));

  const toggle = (k: string) =>
    setActive((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n.size ? n : new Set(kinds);
    });
  const exportAs = async (format: 'csv' | 'json') => {
    if (format === 'json') {
      download(`timeline-${instanceId}.json`, JSON.stringify(entries, null, 2), 'application/json');
      return;
    }
    const head = 't,kind,title,actor,status,link,id';
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const rows = entries.map((e) => [e.t, e.kind, e.title, e.actor, e.status, e.link, e.id].map(cell).join(','));
    download(`timeline-${instanceId}.csv`, [head, ...rows].join('\r\n'), 'text/csv');
  };

  return (
    <div className="flex flex-col gap-3" data-testid="timeline">
      <div className="flex flex-wrap items-center gap-2">
        {KINDS.filter((k) => kinds.includes(k.kind)).map((k) => (
          <Button
            key={k.kind}
            size="sm"
            variant={active.has(k.kind) ? 'default' : 'outline'}
            aria-pressed={active.has(k.kind)}
            onClick={() => toggle(k.kind)}
            data-testid={`timeline-kind-${k.kind}`}
          >
            {k.label}
          </Button>
        ))}
        <span className="flex-1" />
        <Button size="sm" variant="ghost" onClick={() => void exportAs('csv')}>
          <Download /> CSV
        </Button>
        <Button size="sm" variant="ghost" onClick={() => void exportAs('json')}>
          <Download /> JSON
        </Button>
      </div>
      {error && <p className="text-sm text-danger">Could not load the timeline: {error}</p>}
      {!loading && !error && entries.length === 0 ? (
        <EmptyState icon={History} title="Nothing yet" description="What happens to this instance appears here." />
      ) : (
        <ol className="flex flex-col divide-y divide-border" data-testid="timeline-entries">
          {entries.map((e) => {
            const more = summary(e);
            return (
              <li key={e.id} className="flex items-start gap-3 py-2 text-sm" data-kind={e.kind}>
                <time className="w-36 shrink-0 text-xs text-muted-foreground tabular-nums" dateTime={e.t}>
                  {fmtTime(e.t, true)}
                </time>
                <Badge variant="outline" className="shrink-0">
                  {e.kind}
                </Badge>
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium">{e.title}</p>
                  <p className="truncate text-xs text-muted-foreground">
                    {e.actor ?? ''}
                    {more ? `${e.actor ? ' · ' : ''}${more}` : ''}
                    {e.kind === 'console' && e.link ? ' · recording kept' : ''}
                  </p>
                </div>
                {e.status && (
                  <Badge variant={tone(e.status)} className="shrink-0">
                    {e.status.replace(/_/g, ' ')}
                  </Badge>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {cursor && (
        <Button
          variant="outline"
          size="sm"
          className="self-center"
          disabled={loading}
          onClick={() => void load(cursor)}
        >
          Older
        </Button>
      )}
    </div>
  );
}
