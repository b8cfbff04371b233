'use client';
import { Megaphone, X } from 'lucide-react';
import { AnimatePresence, motion } from 'motion/react';
import { useEffect, useState } from 'react';
import { asList } from '@/lib/api';
import { fmtAgo } from '@/lib/format';
import { useLiveEvent } from '@/lib/live';
import type { Announcement } from '@/lib/types';
import { useApi } from '@/lib/use-api';
import { cn } from '@/lib/utils';

const DISMISSED_KEY = 'ds.dismissed-announcements';
const TONE = {
  info: 'border-accent/30 bg-accent-soft',
  warning: 'border-warning/40 bg-warning/10',
  critical: 'border-danger/40 bg-danger/10',
};

/** Operator broadcasts: recent ones from GET /announcements plus live `announcement` events. */
export function Announcements() {
  const { data } = useApi<Announcement[]>('/announcements', { map: (r) => asList<Announcement>(r) });
  const [live, setLive] = useState<Announcement[]>([]);
  const [dismissed, setDismissed] = useState<string[]>([]);
  useEffect(() => {
    try {
      setDismissed(JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '[]'));
    } catch {
      setDismissed([]);
    }
  }, []);
  useLiveEvent('announcement', (a) => setLive((cur) => [a, ...cur.filter((x) => x.id !== a.id)]));
  const dismiss = (id: string) => {
    const next = [...dismissed, id].slice(-100);
    setDismissed(next);
    localStorage.setItem(DISMISSED_KEY, JSON.stringify(next));
  };
  const seen = new Set<string>();
  const list = [...live, ...(data ?? [])]
    .filter((a) => !seen.has(a.id) && seen.add(a.id) && !dismissed.includes(a.id))
    .slice(0, 3);
  return (
    <AnimatePresence initial={false}>
      {list.map((a) => (
        <motion.div
          key={a.id}
          initial={{ opacity: 0, height: 0 }}
          animate={{ opacity: 1, height: 'auto' }}
          exit={{ opacity: 0, height: 0 }}
          className={cn('flex items-start gap-3 overflow-hidden rounded-xl border p-4', TONE[a.level] ?? TONE.info)}
          data-testid="announcement"
          role="status"
        >
          <Megaphone className="mt-0.5 size-4 shrink-0" />
          <div className="min-w-0 flex-1">
            <p className="text-sm font-semibold">{a.title}</p>
            <p className="mt-0.5 text-sm whitespace-pre-wrap text-muted-foreground">{a.body}</p>
            <p className="mt-1 text-[11px] text-muted-foreground">{fmtAgo(a.createdAt)}</p>
          </div>
          <button
            type="button"
            onClick={() => dismiss(a.id)}
            aria-label="Dismiss announcement"
            className="opacity-60 hover:opacity-100"
          >
            <X className="size-4" />
          </button>
        </motion.div>
      ))}
    </AnimatePresence>
  );
}
