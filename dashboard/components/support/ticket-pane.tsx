'use client';
import { BookPlus, Loader2, Send, StickyNote } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Label, Textarea } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { FilePicker, LogExcerptButton, uploadFiles } from './attachments';
import { Thread } from './thread';
import { type Context, TicketContext } from './ticket-context';
import { type Assignee, CATEGORIES, SLA_LABEL, SLA_VARIANT, STATE_LABEL, type TicketFull } from './types';

/** One ticket for an operator: the thread with its files, reply, note, assignee and state, and its context. */
export function TicketPane({ id, onChanged, assignees }: { id: string; onChanged: () => void; assignees: Assignee[] }) {
  const t = useApi<TicketFull>(`/tickets/${encodeURIComponent(id)}`);
  const ctx = useApi<Context>(`/tickets/${encodeURIComponent(id)}/context`);
  const [reply, setReply] = useState('');
  const [note, setNote] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [internalFiles, setInternalFiles] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const router = useRouter();
  useEffect(() => {
    if (t.data?.draftReply && !reply) setReply(t.data.draftReply);
  }, [t.data?.draftReply, reply]);

  const run = async (what: string, f: () => Promise<unknown>, done?: string) => {
    setBusy(what);
    try {
      await f();
      if (done) toast(done, { tone: 'success' });
      await Promise.all([t.reload(), ctx.reload()]);
      onChanged();
    } catch (e) {
      toast('That did not work', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(null);
    }
  };
  if (t.notFound) return <Card className="p-6 text-sm">No such ticket.</Card>;
  if (!t.data) return <Loader2 className="size-4 animate-spin" />;
  const tk = t.data;
  const path = `/tickets/${encodeURIComponent(id)}`;
  const act = (action: string, model?: string) =>
    run(action, () => api(`${path}/actions`, { body: { action, model } }), 'Command sent');
  return (
    <div className="grid gap-4 2xl:grid-cols-[minmax(0,3fr)_minmax(0,1fr)]">
      <Card data-testid="ticket-view">
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            {tk.subject}
            <Badge variant={SLA_VARIANT[tk.sla.state]}>SLA {SLA_LABEL[tk.sla.state].toLowerCase()}</Badge>
          </CardTitle>
          <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
            <span data-testid="ticket-state">{STATE_LABEL[tk.state]}</span>
            {tk.sla.paused && <span>· clock paused</span>}
            <SimpleSelect
              aria-label="Assignee"
              value={tk.assigneeId ?? 'none'}
              onValueChange={(v) =>
                run('assignee', () => api(path, { method: 'PATCH', body: { assigneeId: v === 'none' ? null : v } }))
              }
              options={[
                { value: 'none', label: 'Unassigned' },
                ...assignees.map((a) => ({ value: a.id, label: a.email })),
              ]}
            />
            <SimpleSelect
              aria-label="Priority"
              value={tk.priority}
              onValueChange={(v) => run('priority', () => api(path, { method: 'PATCH', body: { priority: v } }))}
              options={['low', 'normal', 'high', 'urgent'].map((v) => ({ value: v, label: v }))}
            />
            <SimpleSelect
              aria-label="Ticket category"
              value={tk.category}
              onValueChange={(v) => run('category', () => api(path, { method: 'PATCH', body: { category: v } }))}
              options={CATEGORIES.map((c) => ({ value: c, label: c.replace(/_/g, ' ') }))}
            />
            <Button
              size="sm"
              variant="outline"
              onClick={() =>
                run('resolve', () => api(path, { method: 'PATCH', body: { state: 'resolved' } }), 'Resolved')
              }
            >
              Resolve
            </Button>
            <Button
              size="sm"
              variant="ghost"
              onClick={() =>
                run('snooze', () =>
                  api(path, {
                    method: 'PATCH',
                    body: { state: 'snoozed', snoozedUntil: new Date(Date.now() + 86_400_000).toISOString() },
                  }),
                )
              }
            >
              Snooze 1 day
            </Button>
            {(tk.state === 'resolved' || tk.state === 'closed') && (
              <Button
                size="sm"
                variant="ghost"
                onClick={() =>
                  run(
                    'article',
                    async () => {
                      await api(`${path}/article`, { body: {} });
                      router.push('/support/kb/');
                    },
                    'Draft article created',
                  )
                }
              >
                <BookPlus /> Turn into article
              </Button>
            )}
          </div>
          {tk.escalatedAt && (
            <p className="rounded-lg border border-danger/30 bg-danger/10 p-2 text-xs" data-testid="escalation">
              Escalated to a person ({fmtDateTime(tk.escalatedAt)}): {tk.escalationReason}
            </p>
          )}
          {tk.proposedResolution && (
            <p
              className="rounded-lg border border-success/30 bg-success/10 p-2 text-xs"
              data-testid="proposed-resolution"
            >
              The support agent proposes to resolve: {tk.proposedResolution}
            </p>
          )}
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <Thread entries={tk.thread} viewer="operator" ticketId={id} attachments={tk.attachments} />
          <div className="flex flex-col gap-2">
            <Label htmlFor="op-reply">
              Reply to the client
              {tk.draftReply ? ` (draft by ${tk.draftBy ?? 'the support agent'}, edit before sending)` : ''}
            </Label>
            <Textarea
              id="op-reply"
              rows={4}
              value={reply}
              maxLength={20000}
              onChange={(e) => setReply(e.target.value)}
            />
            <div className="flex gap-2 self-end">
              <Button
                variant="ghost"
                size="sm"
                disabled={!!busy}
                onClick={() =>
                  run(
                    'draft',
                    () => api(`${path}/draft`, { method: 'PUT', body: { text: reply.trim() || null } }),
                    'Draft saved',
                  )
                }
              >
                Save draft
              </Button>
              <Button
                data-testid="send-reply"
                disabled={!!busy || !reply.trim()}
                onClick={() =>
                  run(
                    'reply',
                    async () => {
                      await api(`${path}/replies`, { body: { body: reply.trim() } });
                      setReply('');
                    },
                    'Reply sent',
                  )
                }
              >
                {busy === 'reply' ? <Loader2 className="animate-spin" /> : <Send />} Send reply
              </Button>
            </div>
          </div>
          <div className="flex flex-wrap items-center gap-2 rounded-lg border border-dashed border-border p-2">
            <FilePicker id="op-files" files={files} onChange={setFiles} />
            {files.length > 0 && (
              <Button
                size="sm"
                variant="outline"
                data-testid="upload-files"
                disabled={!!busy}
                onClick={() =>
                  run(
                    'files',
                    async () => {
                      await uploadFiles(id, files, internalFiles);
                      setFiles([]);
                    },
                    'Attached',
                  )
                }
              >
                Attach {files.length === 1 ? 'it' : `all ${files.length}`}
              </Button>
            )}
            {tk.instanceId && (
              <LogExcerptButton
                ticketId={id}
                internal={internalFiles}
                onDone={() => void Promise.all([t.reload(), ctx.reload()])}
              />
            )}
            <label className="ml-auto flex items-center gap-1.5 text-xs text-muted-foreground">
              <input
                type="checkbox"
                checked={internalFiles}
                onChange={(e) => setInternalFiles(e.target.checked)}
                data-testid="attach-internal"
              />
              internal (never shown to the client)
            </label>
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="op-note">Internal note (never shown to the client)</Label>
            <Textarea id="op-note" rows={2} value={note} maxLength={20000} onChange={(e) => setNote(e.target.value)} />
            <Button
              variant="outline"
              size="sm"
              className="self-end"
              data-testid="add-note"
              disabled={!!busy || !note.trim()}
              onClick={() =>
                run('note', async () => {
                  await api(`${path}/notes`, { body: { body: note.trim() } });
                  setNote('');
                })
              }
            >
              <StickyNote /> Add note
            </Button>
          </div>
        </CardContent>
      </Card>
      <TicketContext ctx={ctx.data} busy={!!busy} act={(a, m) => void act(a, m)} />
    </div>
  );
}
