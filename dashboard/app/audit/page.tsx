'use client';
import { Download, Filter, Loader2, ScrollText } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { AuditTable } from '@/components/admin/audit-table';
import { type AuditEntry, type AuditFilters, auditQuery, NO_FILTERS } from '@/components/admin/audit-types';
import { ReplayDialog } from '@/components/admin/replay-dialog';
import { AppShell } from '@/components/shell/app-shell';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import { asList, download } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { useClients } from '@/lib/use-clients';

/** Entries fetched per view. */
const LIMIT = 500;

export default function AuditPage() {
  return (
    <AppShell roles={['admin']} title="Audit log">
      <Audit />
    </AppShell>
  );
}

/** Admin: who did what and when (GET /audit with filters), CSV export, console-session replays. */
function Audit() {
  const { clients, names } = useClients();
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const query = { ...auditQuery(filters), limit: LIMIT };
  const entries = useApi<AuditEntry[]>('/audit', { query, map: (r) => asList<AuditEntry>(r) });
  const [replay, setReplay] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const set = (k: keyof AuditFilters) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));

  const exportCsv = async () => {
    setExporting(true);
    try {
      await download('/audit', `deepsignal-audit-${new Date().toISOString().slice(0, 10)}.csv`, {
        ...auditQuery(filters),
        format: 'csv',
      });
    } catch (e) {
      toast('CSV export failed', { tone: 'error', description: (e as Error).message });
    } finally {
      setExporting(false);
    }
  };

  return (
    <div className="flex flex-col gap-4" data-testid="audit-page">
      <Card>
        <CardContent className="pt-5">
          <form
            onSubmit={apply}
            className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4"
            data-testid="audit-filters"
          >
            <Field id="f-actor" label="Actor" value={draft.actor} onChange={set('actor')} placeholder="user:…" />
            <Field
              id="f-action"
              label="Action"
              value={draft.action}
              onChange={set('action')}
              placeholder="token.create"
            />
            <Field id="f-target" label="Target" value={draft.target} onChange={set('target')} />
            <div className="flex flex-col gap-1.5">
              <Label>Client</Label>
              <SimpleSelect
                aria-label="Client"
                value={draft.clientId || 'all'}
                onValueChange={(v) => setDraft((d) => ({ ...d, clientId: v === 'all' ? '' : v }))}
                options={[
                  { value: 'all', label: 'All clients' },
                  ...clients.map((c) => ({ value: c.id, label: c.name })),
                ]}
              />
            </div>
            <Field id="f-from" label="From" type="datetime-local" value={draft.from} onChange={set('from')} />
            <Field id="f-to" label="To" type="datetime-local" value={draft.to} onChange={set('to')} />
            <div className="flex items-end gap-2 lg:col-span-2">
              <Button type="submit" variant="accent" data-testid="apply-filters">
                <Filter /> Apply
              </Button>
              <Button type="button" variant="outline" onClick={exportCsv} disabled={exporting} data-testid="export-csv">
                {exporting ? <Loader2 className="animate-spin" /> : <Download />} CSV
              </Button>
            </div>
          </form>
        </CardContent>
      </Card>
      <Card className="p-4">
        {entries.loading && !entries.data ? (
          <Skeleton className="h-64" />
        ) : entries.error ? (
          <p className="text-sm text-danger">Could not load the audit log: {entries.error}</p>
        ) : !entries.data?.length ? (
          <EmptyState icon={ScrollText} title="No entries match" />
        ) : (
          <>
            <AuditTable entries={entries.data} clientName={(id) => names.get(id) ?? id} onReplay={setReplay} />
            {entries.data.length >= LIMIT && (
              <p className="mt-3 text-xs text-muted-foreground">
                Showing the newest {LIMIT}; narrow the filters or export CSV for more.
              </p>
            )}
          </>
        )}
      </Card>
      <ReplayDialog path={replay} onClose={() => setReplay(null)} />
    </div>
  );
}

function Field({ id, label, ...props }: { id: string; label: string } & React.ComponentProps<typeof Input>) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} {...props} />
    </div>
  );
}
