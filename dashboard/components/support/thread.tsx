'use client';
import { Bot, Lock, User, Wrench } from 'lucide-react';
import { fmtDateTime } from '@/components/admin/when';
import { useProductName } from '@/lib/brand';
import { cn } from '@/lib/utils';
import { AttachmentItem } from './attachments';
import type { Attachment, ThreadEntry } from './types';

/** Who wrote an entry without an address; the operator speaks under the host's product name. */
const who = (author: ThreadEntry['author'], product: string): string =>
  ({ client: 'Client', operator: product, agent: 'Support agent', system: 'Hub' })[author];

const attachmentIdOf = (e: ThreadEntry) => {
  const id = (e.meta as { attachmentId?: unknown } | null | undefined)?.attachmentId;
  return typeof id === 'string' ? id : null;
};

/**
 * A ticket's thread: messages as bubbles, notes marked internal, system lines small. A file
 * appears where it was attached (the hub's "attached …" line carries its id); files without
 * such a line come last.
 */
export function Thread({
  entries,
  viewer,
  ticketId,
  attachments = [],
}: {
  entries: ThreadEntry[];
  viewer: 'client' | 'operator';
  ticketId: string;
  attachments?: Attachment[];
}) {
  const product = useProductName();
  const byId = new Map(attachments.map((a) => [a.id, a]));
  const placed = new Set(entries.map(attachmentIdOf).filter((id): id is string => !!id && byId.has(id)));
  const loose = attachments.filter((a) => !placed.has(a.id));
  const file = (e: ThreadEntry) => {
    const a = byId.get(attachmentIdOf(e) ?? '');
    return a ? <AttachmentItem ticketId={ticketId} a={a} /> : null;
  };
  return (
    <ol className="flex flex-col gap-3" data-testid="ticket-thread">
      {entries.map((e) => {
        if (e.kind === 'system')
          return (
            <li key={e.id} className="flex flex-col gap-1.5" data-testid="thread-system">
              <span className="flex items-center gap-2 text-xs text-muted-foreground">
                <Wrench className="size-3" aria-hidden="true" /> {e.body} · {fmtDateTime(e.createdAt)}
              </span>
              {byId.has(attachmentIdOf(e) ?? '') && <div className="max-w-sm">{file(e)}</div>}
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
                {e.authorEmail ?? who(e.author, product)}
                {e.automatic ? ' · automatic' : ''}
                {e.via === 'email' ? ' · by email' : ''}
              </span>
              <span className="ml-auto">{fmtDateTime(e.createdAt)}</span>
            </div>
            <p className="whitespace-pre-wrap break-words">{e.body}</p>
            {file(e) && <div className="mt-2">{file(e)}</div>}
          </li>
        );
      })}
      {loose.map((a) => (
        <li key={a.id} className="max-w-sm">
          <AttachmentItem ticketId={ticketId} a={a} />
        </li>
      ))}
    </ol>
  );
}
