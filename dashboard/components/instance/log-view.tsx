'use client';
import { LOG_LEVELS } from '@protocol/messages/logs';
import { ScrollText, Search } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { api, asList } from '@/lib/api';
import { useLiveBatch } from '@/lib/live';
import { toMs } from '@/lib/time';
import type { ApiLogLine } from '@/lib/types';
import { cn } from '@/lib/utils';

const MAX_LINES = 2000;
const RANK = Object.fromEntries(LOG_LEVELS.map((l, i) => [l, i])) as Record<string, number>;
const LEVEL_CLS: Record<string, string> = {
  trace: 'text-muted-foreground',
  debug: 'text-muted-foreground',
  info: 'text-accent',
  warn: 'text-warning',
  error: 'text-danger',
  fatal: 'text-danger font-bold',
};

/** Live gateway log of one instance with a minimum-level filter and a text search. */
export function LogView({ instanceId }: { instanceId: string }) {
  const [lines, setLines] = useState<ApiLogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [minLevel, setMinLevel] = useState('info');
  const [q, setQ] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    api<unknown>(`/instances/${encodeURIComponent(instanceId)}/logs`, { query: { from, limit: 500 } })
      .then((r) =>
        setLines((cur) => [...asList<ApiLogLine>(r).sort((a, b) => toMs(a.t) - toMs(b.t)), ...cur].slice(-MAX_LINES)),
      )
      .catch((e) => setError((e as Error).message));
  }, [instanceId]);

  useLiveBatch('logs', (batch) => {
    const add = batch.filter((b) => b.instanceId === instanceId).flatMap((b) => b.lines);
    if (add.length) setLines((cur) => [...cur, ...add].slice(-MAX_LINES));
  });

  const shown = useMemo(() => {
    const min = RANK[minLevel] ?? 0;
    const needle = q.trim().toLowerCase();
    return lines.filter(
      (l) => (RANK[l.level] ?? 0) >= min && (!needle || `${l.subsystem} ${l.msg}`.toLowerCase().includes(needle)),
    );
  }, [lines, minLevel, q]);

  // Follow the tail unless the reader scrolled up.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the shown lines change
  useEffect(() => {
    if (stick.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown]);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-col gap-2 sm:flex-row">
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input
            className="pl-9"
            placeholder="Search logs"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            aria-label="Search logs"
          />
        </div>
        <SimpleSelect
          aria-label="Minimum level"
          className="sm:w-44"
          value={minLevel}
          onValueChange={setMinLevel}
          options={LOG_LEVELS.map((l) => ({ value: l, label: `${l} and above` }))}
        />
      </div>
      {error && <p className="text-xs text-danger">Could not load log history: {error}</p>}
      <div
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
        className="h-80 overflow-y-auto rounded-lg border border-border bg-slate-950/80 p-3 font-mono text-[11px] leading-5 text-slate-200"
        data-testid="log-view"
      >
        {shown.length === 0 ? (
          <EmptyState
            icon={ScrollText}
            title={lines.length ? 'No lines match' : 'No log lines yet'}
            className="text-slate-400"
          />
        ) : (
          shown.map((l, i) => (
            // On a phone the message gets a line of its own under time, level and subsystem.
            // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no id; order is stable
            <div key={i} className="flex flex-wrap gap-x-2 sm:flex-nowrap" data-testid="log-line">
              <span className="shrink-0 text-slate-500">{new Date(toMs(l.t)).toLocaleTimeString()}</span>
              <span className={cn('w-10 shrink-0 uppercase', LEVEL_CLS[l.level])}>{l.level}</span>
              {l.subsystem && (
                <span className="min-w-0 truncate text-slate-400 sm:max-w-[16rem] sm:shrink-0">[{l.subsystem}]</span>
              )}
              <span className="min-w-0 basis-full break-words whitespace-pre-wrap sm:flex-1 sm:basis-auto">
                {l.msg}
              </span>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
