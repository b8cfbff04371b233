'use client';
import { Inbox, Loader2 } from 'lucide-react';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { SimpleSelect } from '@/components/ui/select';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';
import { TicketPane } from './ticket-pane';
import { type Assignee, CATEGORIES, SLA_LABEL, SLA_VARIANT, STATE_LABEL, type Ticket } from './types';

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
  const [assignee, setAssignee] = useState('all');
  const { names } = useClients();
  const people = useApi<Assignee[]>('/tickets/assignees');
  const emailOf = new Map((people.data ?? []).map((p) => [p.id, p.email]));
  const list = useApi<Ticket[]>('/tickets', {
    query: {
      state: all(state),
      sla: all(sla),
      category: all(category),
      clientId: all(client),
      assigneeId: all(assignee),
    },
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
          <SimpleSelect
            aria-label="Assignee filter"
            value={assignee}
            onValueChange={setAssignee}
            options={[
              { value: 'all', label: 'Anyone' },
              { value: 'me', label: 'Mine' },
              { value: 'none', label: 'Unassigned' },
              ...(people.data ?? []).map((p) => ({ value: p.id, label: p.email })),
            ]}
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
                      {t.escalatedAt && (
                        <Badge variant="danger" title={t.escalationReason ?? undefined} data-testid="ticket-escalated">
                          escalated
                        </Badge>
                      )}
                      <Badge variant={SLA_VARIANT[t.sla.state]}>{SLA_LABEL[t.sla.state]}</Badge>
                    </span>
                    <span className="flex flex-wrap gap-x-2 whitespace-nowrap text-xs text-muted-foreground">
                      <span>{names.get(t.clientId) ?? t.clientId}</span>·<span>{STATE_LABEL[t.state]}</span>·
                      <span>{t.category.replace(/_/g, ' ')}</span>·<span>{t.priority}</span>·
                      <span data-testid="ticket-assignee">
                        {t.assigneeId ? (emailOf.get(t.assigneeId) ?? 'assigned') : 'unassigned'}
                      </span>
                      <span className="ml-auto">{fmtDateTime(t.updatedAt)}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      {selected ? (
        <TicketPane key={`${selected}-${version}`} id={selected} onChanged={refresh} assignees={people.data ?? []} />
      ) : null}
    </div>
  );
}
