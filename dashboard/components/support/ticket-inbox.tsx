'use client';
import { BookPlus, Inbox, Loader2, Pause, Play, RotateCw, Send, StickyNote } from 'lucide-react';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Label, Textarea } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';
import { Thread } from './thread';
import { CATEGORIES, SLA_LABEL, SLA_VARIANT, STATE_LABEL, type Ticket, type TicketFull } from './types';

const all = (v: string) => (v === 'all' ? undefined : v);

/** Mission Control's support inbox: tickets the most urgent SLA first, filters, and the selected thread. */
export function TicketInbox() {
  const params = useSearchParams();
  const router = useRouter();
  const selected = params.get('ticket');
  const [state, setState] = useState('all');
  const [sla, setSla] = useState('all');
  const [category, setCategory] = useState('all');
  const [client, setClient] = useState('all');
  const { names } = useClients();
  const list = useApi<Ticket[]>('/tickets', {
    query: { state: all(state), sla: all(sla), category: all(category), clientId: all(client) },
  });
  const [version, setVersion] = useState(0);
  const refresh = () => {
    setVersion((n) => n + 1);
    void list.reload();
  };

  if (list.notFound)
    return (
      <Card>
        <EmptyState icon={Inbox} title="Tickets are not available on this hub" />
      </Card>
    );
  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]" data-testid="support-inbox">
      <div className="flex flex-col gap-3">
        <div className="flex flex-wrap gap-2">
          <SimpleSelect
            aria-label="State"
            value={state}
            onValueChange={setState}
            options={[
              { value: 'all', label: 'Any state' },
              ...Object.entries(STATE_LABEL).map(([value, label]) => ({ value, label })),
            ]}
          />
          <SimpleSelect
            aria-label="SLA"
            value={sla}
            onValueChange={setSla}
            options={[
              { value: 'all', label: 'Any SLA' },
              ...Object.entries(SLA_LABEL).map(([value, label]) => ({ value, label })),
            ]}
          />
          <SimpleSelect
            aria-label="Category"
            value={category}
            onValueChange={setCategory}
            options={[
              { value: 'all', label: 'Any category' },
              ...CATEGORIES.map((c) => ({ value: c, label: c.replace(/_/g, ' ') })),
            ]}
          />
          <SimpleSelect
            aria-label="Client"
            value={client}
            onValueChange={setClient}
            options={[{ value: 'all', label: 'Any client' }, ...[...names].map(([value, label]) => ({ value, label }))]}
          />
        </div>
        <Card>
          {list.loading && !list.data ? (
            <div className="p-4">
              <Loader2 className="size-4 animate-spin" />
            </div>
          ) : !list.data?.length ? (
            <EmptyState icon={Inbox} title="Nothing here" />
          ) : (
            <ul className="divide-y divide-border">
              {list.data.map((t) => (
                <li key={t.id}>
                  <button
                    type="button"
                    data-testid="support-request"
                    data-subject={t.subject}
                    onClick={() => router.push(`/support/?ticket=${encodeURIComponent(t.id)}`)}
                    className={`flex w-full flex-col gap-1 p-3 text-left text-sm hover:bg-muted ${selected === t.id ? 'bg-muted' : ''}`}
                  >
                    <span className="flex items-center gap-2">
                      <span className="min-w-0 flex-1 truncate font-medium">{t.subject}</span>
                      <Badge variant={SLA_VARIANT[t.sla.state]}>{SLA_LABEL[t.sla.state]}</Badge>
                    </span>
                    <span className="flex gap-2 text-xs text-muted-foreground">
                      <span>{names.get(t.clientId) ?? t.clientId}</span>·<span>{STATE_LABEL[t.state]}</span>·
                      <span>{t.category.replace(/_/g, ' ')}</span>·<span>{t.priority}</span>
                      <span className="ml-auto">{fmtDateTime(t.updatedAt)}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      {selected ? <TicketPane key={`${selected}-${version}`} id={selected} onChanged={refresh} /> : null}
    </div>
  );
}

interface Context {
  client: { name: string; plan: string } | null;
  usage: { month: string; messages: number; tokens: number; cost: number };
  instance: {
    id: string;
    hostname: string;
    status: string;
    paused: boolean;
    openclaw: { up?: boolean; ready?: boolean; error?: string | null; version?: string } | null;
    recentErrors: { t: string; level: string; msg: string }[];
    recentCommands: { id: string; type: string; status: string }[];
    consoleUrl: string | null;
  } | null;
}

function TicketPane({ id, onChanged }: { id: string; onChanged: () => void }) {
  const t = useApi<TicketFull>(`/tickets/${encodeURIComponent(id)}`);
  const ctx = useApi<Context>(`/tickets/${encodeURIComponent(id)}/context`);
  const [reply, setReply] = useState('');
  const [note, setNote] = useState('');
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
  const inst = ctx.data?.instance;
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
          <Thread entries={tk.thread} viewer="operator" />
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
      <Card data-testid="ticket-context">
        <CardHeader>
          <CardTitle className="text-sm">Context</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-3 text-xs">
          {ctx.data?.client && (
            <p>
              {ctx.data.client.name} · {ctx.data.client.plan} plan · {ctx.data.usage.messages} messages, $
              {ctx.data.usage.cost.toFixed(2)} this month
            </p>
          )}
          {inst ? (
            <>
              <p>
                <strong>{inst.hostname}</strong>: {inst.status}
                {inst.paused ? ' (paused)' : ''} · OpenClaw{' '}
                {inst.openclaw
                  ? inst.openclaw.up
                    ? inst.openclaw.ready === false
                      ? 'not ready'
                      : 'up'
                    : 'down'
                  : 'unknown'}
                {inst.openclaw?.error ? `: ${inst.openclaw.error}` : ''}
              </p>
              <div className="flex flex-wrap gap-1">
                <Button size="sm" variant="outline" disabled={!!busy} onClick={() => act('restart')}>
                  <RotateCw /> Restart
                </Button>
                {inst.paused ? (
                  <Button size="sm" variant="outline" disabled={!!busy} onClick={() => act('resume')}>
                    <Play /> Resume
                  </Button>
                ) : (
                  <Button size="sm" variant="outline" disabled={!!busy} onClick={() => act('pause')}>
                    <Pause /> Pause
                  </Button>
                )}
                <Button
                  size="sm"
                  variant="outline"
                  disabled={!!busy}
                  onClick={() => {
                    const m = window.prompt('Model (provider/model)', 'anthropic/claude-sonnet-4-5');
                    if (m) void act('change_model', m.trim());
                  }}
                >
                  Change model
                </Button>
                {inst.consoleUrl && (
                  <a
                    className="inline-flex h-8 items-center rounded-md border border-border px-3 hover:bg-muted"
                    href={inst.consoleUrl}
                  >
                    Console
                  </a>
                )}
              </div>
              <div>
                <p className="font-medium">Recent errors</p>
                {inst.recentErrors.length ? (
                  <ul className="font-mono">
                    {inst.recentErrors.slice(0, 8).map((l) => (
                      <li key={`${l.t}${l.msg}`} className="truncate" title={l.msg}>
                        {l.level} {l.msg}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="text-muted-foreground">none</p>
                )}
              </div>
              <div>
                <p className="font-medium">Recent commands</p>
                <ul>
                  {inst.recentCommands.slice(0, 6).map((c) => (
                    <li key={c.id}>
                      {c.type} · {c.status}
                    </li>
                  ))}
                </ul>
              </div>
            </>
          ) : (
            <p className="text-muted-foreground">No instance named on this ticket.</p>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
