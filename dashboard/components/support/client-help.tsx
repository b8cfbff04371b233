'use client';
import { BookOpen, LifeBuoy, Loader2, Search, Send } from 'lucide-react';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, Label, Textarea } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { ArticleBody } from './article-view';
import { FilePicker, LogExcerptButton, uploadFiles } from './attachments';
import { Thread } from './thread';
import { type Article, STATE_LABEL, type Ticket, type TicketFull } from './types';

/** The client's help page: their tickets and the replies, answering in the thread, and the articles. */
export function ClientHelp() {
  const params = useSearchParams();
  const router = useRouter();
  const ticketId = params.get('ticket');
  const articleSlug = params.get('article');
  const open = (q: string) => router.push(`/client/help/${q}`);
  // A reply changes the ticket's state in the list beside it.
  const [version, setVersion] = useState(0);
  return (
    <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <div className="flex flex-col gap-4">
        <MyTickets selected={ticketId} version={version} onOpen={(id) => open(`?ticket=${encodeURIComponent(id)}`)} />
        <Articles onOpen={(slug) => open(`?article=${encodeURIComponent(slug)}`)} />
      </div>
      <div>
        {ticketId ? (
          <TicketPane id={ticketId} onChanged={() => setVersion((n) => n + 1)} />
        ) : articleSlug ? (
          <ArticlePane slug={articleSlug} />
        ) : (
          <Card className="p-6 text-sm text-muted-foreground">
            Pick one of your requests to read the replies, or an article. To ask something new, use{' '}
            <strong>Get help</strong> on your dashboard.
          </Card>
        )}
      </div>
    </div>
  );
}

function MyTickets({
  selected,
  version,
  onOpen,
}: {
  selected: string | null;
  version: number;
  onOpen: (id: string) => void;
}) {
  const list = useApi<Ticket[]>('/tickets', { key: version });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <LifeBuoy className="size-4 text-accent" /> Your requests
        </CardTitle>
      </CardHeader>
      <CardContent>
        {list.loading && !list.data ? (
          <Loader2 className="size-4 animate-spin" />
        ) : !list.data?.length ? (
          <p className="text-sm text-muted-foreground">No requests yet.</p>
        ) : (
          <ul className="divide-y divide-border">
            {list.data.map((t) => (
              <li key={t.id}>
                <button
                  type="button"
                  data-testid="client-ticket"
                  data-subject={t.subject}
                  onClick={() => onOpen(t.id)}
                  className={`flex w-full items-center gap-2 py-2 text-left text-sm hover:text-accent ${selected === t.id ? 'text-accent' : ''}`}
                >
                  <span className="min-w-0 flex-1 truncate">{t.subject}</span>
                  <span className="text-xs text-muted-foreground">{fmtDateTime(t.updatedAt)}</span>
                  <Badge
                    variant={
                      t.state === 'resolved' || t.state === 'closed'
                        ? 'success'
                        : t.state === 'waiting_on_client'
                          ? 'accent'
                          : 'warning'
                    }
                  >
                    {t.state === 'waiting_on_client' ? 'Replied' : STATE_LABEL[t.state]}
                  </Badge>
                </button>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

function TicketPane({ id, onChanged }: { id: string; onChanged: () => void }) {
  const t = useApi<TicketFull>(`/tickets/${encodeURIComponent(id)}`);
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  if (t.notFound) return <Card className="p-6 text-sm">This request does not exist.</Card>;
  if (!t.data) return <Loader2 className="size-4 animate-spin" />;
  // Files go first, so the reply (which reopens the ticket and tells the operators) comes after them.
  const send = async () => {
    setBusy(true);
    try {
      if (files.length) {
        await uploadFiles(id, files);
        setFiles([]);
      }
      if (text.trim()) await api(`/tickets/${encodeURIComponent(id)}/replies`, { body: { body: text.trim() } });
      setText('');
      await t.reload();
      onChanged();
    } catch (e) {
      toast('Could not send', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card data-testid="client-ticket-view">
      <CardHeader>
        <CardTitle>{t.data.subject}</CardTitle>
        <p className="text-xs text-muted-foreground">
          {STATE_LABEL[t.data.state]} · opened {fmtDateTime(t.data.createdAt)}
        </p>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <Thread entries={t.data.thread} viewer="client" ticketId={id} attachments={t.data.attachments} />
        {t.data.state !== 'closed' && (
          <div className="flex flex-col gap-2">
            <Label htmlFor="client-reply">Your answer</Label>
            <Textarea
              id="client-reply"
              rows={3}
              value={text}
              maxLength={20000}
              onChange={(e) => setText(e.target.value)}
            />
            <div className="flex flex-wrap items-center gap-2">
              <FilePicker id="client-files" files={files} onChange={setFiles} />
              {t.data.instanceId && (
                <LogExcerptButton
                  ticketId={id}
                  onDone={() => {
                    void t.reload();
                    onChanged();
                  }}
                />
              )}
              <Button
                className="ml-auto"
                disabled={busy || (!text.trim() && !files.length)}
                onClick={send}
                data-testid="client-send"
              >
                {busy ? <Loader2 className="animate-spin" /> : <Send />} Send
              </Button>
            </div>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function Articles({ onOpen }: { onOpen: (slug: string) => void }) {
  const [q, setQ] = useState('');
  const list = useApi<Article[]>('/kb/articles', { query: { q: q.trim() || undefined, limit: 20 } });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <BookOpen className="size-4 text-accent" /> Help articles
        </CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-2">
        <div className="relative">
          <Search className="absolute left-2 top-2.5 size-4 text-muted-foreground" aria-hidden="true" />
          <Input
            aria-label="Search articles"
            className="pl-8"
            placeholder="Search help"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
        <ul className="divide-y divide-border">
          {(list.data ?? []).map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className="w-full py-2 text-left text-sm hover:text-accent"
                onClick={() => onOpen(a.slug)}
                data-testid="help-article"
              >
                {a.title}
              </button>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}

function ArticlePane({ slug }: { slug: string }) {
  const a = useApi<Article>(`/kb/articles/${encodeURIComponent(slug)}`);
  if (a.notFound) return <Card className="p-6 text-sm">This article does not exist.</Card>;
  if (!a.data) return <Loader2 className="size-4 animate-spin" />;
  return (
    <Card data-testid="article-view">
      <CardHeader>
        <CardTitle>{a.data.title}</CardTitle>
      </CardHeader>
      <CardContent>
        <ArticleBody article={a.data} />
      </CardContent>
    </Card>
  );
}
