'use client';
import { Bot, Lock, User, Wrench } from 'lucide-react';
import { fmtDateTime } from '@/components/admin/when';
import { cn } from '@/lib/utils';
import type { ThreadEntry } from './types';

const WHO: Record<ThreadEntry['author'], string> = {
  client: 'Client',
  operator: 'Deep Signal',
  agent: 'Support agent',
  system: 'Hub',
};

/** A ticket's thread: messages as bubbles, notes marked internal, system lines small. */
export function Thread({ entries, viewer }: { entries: ThreadEntry[]; viewer: 'client' | 'operator' }) {
  return (
    <ol className="flex flex-col gap-3" data-testid="ticket-thread">
      {entries.map((e) => {
        if (e.kind === 'system')
          return (
            <li
              key={e.id}
              className="flex items-center gap-2 text-xs text-muted-foreground"
              data-testid="thread-system"
            >
              <Wrench className="size-3" aria-hidden="true" /> {e.body} · {fmtDateTime(e.createdAt)}
            </li>
          );
        const mine = viewer === 'client' ? e.author === 'client' : e.author !== 'client';
        return (
          <li
            key={e.id}
            data-testid={e.kind === 'note' ? 'thread-note' : 'thread-message'}
            data-author={e.author}
            className={cn(
              'max-w-[85%] rounded-xl border p-3 text-sm',
              mine ? 'self-end border-accent/30 bg-accent-soft' : 'self-start border-card-border bg-card',
              e.kind === 'note' && 'border-dashed border-warning/50 bg-warning/10',
            )}
          >
            <div className="mb-1 flex items-center gap-1.5 text-xs text-muted-foreground">
              {e.kind === 'note' ? (
                <Lock className="size-3" aria-label="internal note" />
              ) : e.author === 'agent' ? (
                <Bot className="size-3" aria-hidden="true" />
              ) : (
                <User className="size-3" aria-hidden="true" />
              )}
              <span>
                {e.kind === 'note' ? 'Internal note · ' : ''}
                {e.authorEmail ?? WHO[e.author]}
                {e.automatic ? ' · automatic' : ''}
                {e.via === 'email' ? ' · by email' : ''}
              </span>
              <span className="ml-auto">{fmtDateTime(e.createdAt)}</span>
            </div>
            <p className="whitespace-pre-wrap break-words">{e.body}</p>
          </li>
        );
      })}
    </ol>
  );
}
