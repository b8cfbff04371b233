'use client';
import { MessagesSquare } from 'lucide-react';
import { AnimatePresence, motion } from 'motion/react';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import type { Thread } from '@/lib/conversations';
import { fmtAgo, fmtCompact, fmtMoney, fmtMs, fmtTime } from '@/lib/format';
import { cn } from '@/lib/utils';
import { SentimentIndicator } from './sentiment';

/** Recent conversations as a live list; clicking one opens it in a dialog. */
export function ThreadList({
  threads,
  loading,
  error,
  limit = 12,
}: {
  threads: Thread[];
  loading: boolean;
  error: string | null;
  limit?: number;
}) {
  const [open, setOpen] = useState<Thread | null>(null);
  const current = open ? (threads.find((t) => t.sessionKey === open.sessionKey) ?? open) : null;
  if (loading && !threads.length) return <Skeleton className="h-48" />;
  if (error && !threads.length) return <p className="text-sm text-danger">Could not load conversations: {error}</p>;
  if (!threads.length)
    return (
      <EmptyState
        icon={MessagesSquare}
        title="No conversations yet"
        description="Messages your agent handles appear here as they happen."
      />
    );
  return (
    <>
      <ul className="flex flex-col divide-y divide-border" data-testid="conversation-list">
        <AnimatePresence initial={false}>
          {threads.slice(0, limit).map((t) => {
            const last = t.messages[t.messages.length - 1];
            return (
              <motion.li key={t.sessionKey} layout initial={{ opacity: 0, y: -6 }} animate={{ opacity: 1, y: 0 }}>
                <button
                  type="button"
                  onClick={() => setOpen(t)}
                  className="flex w-full items-center gap-3 rounded-lg px-2 py-2.5 text-left transition-colors hover:bg-muted/60"
                  data-testid="conversation-item"
                >
                  <SentimentIndicator score={t.sentiment} />
                  <div className="min-w-0 flex-1">
                    <div className="flex items-center gap-2">
                      <span className="truncate text-sm font-medium">{t.sessionKey}</span>
                      <Badge variant="outline">{t.channel}</Badge>
                    </div>
                    <p className="truncate text-xs text-muted-foreground">{last.text || '(no text)'}</p>
                  </div>
                  <div className="shrink-0 text-right text-[11px] text-muted-foreground">
                    <p>{fmtAgo(t.last)}</p>
                    <p>{t.messages.length} msgs</p>
                  </div>
                </button>
              </motion.li>
            );
          })}
        </AnimatePresence>
      </ul>
      <Dialog open={!!current} onOpenChange={(o) => !o && setOpen(null)}>
        <DialogContent className="max-w-2xl">
          {current && (
            <>
              <DialogHeader>
                <DialogTitle className="flex items-center gap-2">
                  <SentimentIndicator score={current.sentiment} /> {current.sessionKey}
                </DialogTitle>
                <DialogDescription>
                  {current.channel} · {current.messages.length} messages · {fmtCompact(current.tokens)} tokens ·{' '}
                  {fmtMoney(current.cost)}
                </DialogDescription>
              </DialogHeader>
              <div className="flex max-h-[60dvh] flex-col gap-2 overflow-y-auto pr-1" data-testid="conversation-thread">
                {current.messages.map((m) => (
                  <div
                    key={m.messageId}
                    className={cn('flex flex-col gap-1', m.role === 'user' ? 'items-end' : 'items-start')}
                  >
                    <div
                      className={cn(
                        'max-w-[85%] rounded-2xl px-3 py-2 text-sm whitespace-pre-wrap break-words',
                        m.role === 'user' ? 'bg-primary text-primary-foreground' : 'border border-border bg-muted/60',
                      )}
                    >
                      {m.text}
                    </div>
                    <span className="flex items-center gap-2 px-1 text-[10px] text-muted-foreground">
                      {m.role} · {fmtTime(m.t, true)}
                      {m.latencyMs ? ` · ${fmtMs(m.latencyMs)}` : ''}
                      {m.model ? ` · ${m.model}` : ''}
                      {typeof m.sentiment === 'number' && <SentimentIndicator score={m.sentiment} className="size-5" />}
                    </span>
                  </div>
                ))}
              </div>
            </>
          )}
        </DialogContent>
      </Dialog>
    </>
  );
}
