'use client';
import { Loader2, ReceiptText } from 'lucide-react';
import { useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import { api, asList } from '@/lib/api';
import { useApi } from '@/lib/use-api';

/** An invoice held before issue (`GET /billing/holds`), with why and the numbers behind it. */
export interface InvoiceHold {
  clientId: string;
  clientName: string | null;
  period: string;
  reason: string;
  evidence: Record<string, unknown>;
  heldBy: string;
  createdAt: string;
  active: boolean;
}

/**
 * Invoices held for review before they go out: the billing agent's (or an operator's) reason and
 * evidence; an admin clears the hold, which issues the invoice. Issued invoices never change.
 */
export function HeldInvoices({ canClear, clientId }: { canClear: boolean; clientId?: string }) {
  const holds = useApi<InvoiceHold[]>('/billing/holds', {
    query: clientId ? { clientId } : {},
    map: (r) => asList<InvoiceHold>(r),
  });
  if (holds.notFound) return null;
  if (holds.loading && !holds.data) return <Skeleton className="h-24" />;
  if (holds.error) return <p className="text-sm text-danger">Could not load held invoices: {holds.error}</p>;
  const items = holds.data ?? [];
  if (!items.length)
    return (
      <Card>
        <EmptyState icon={ReceiptText} title="No invoice is held for review" />
      </Card>
    );
  return (
    <div className="flex flex-col gap-3" data-testid="held-invoices">
      {items.map((h) => (
        <HoldCard key={`${h.clientId}/${h.period}`} h={h} canClear={canClear} onChanged={holds.reload} />
      ))}
    </div>
  );
}

function HoldCard({ h, canClear, onChanged }: { h: InvoiceHold; canClear: boolean; onChanged: () => unknown }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const clear = async () => {
    setBusy(true);
    try {
      await api(`/billing/holds/${encodeURIComponent(h.clientId)}/${encodeURIComponent(h.period)}/clear`, {
        method: 'POST',
        body: { note: note.trim() || undefined, issue: true },
      });
      toast('Hold cleared: invoice issued', { tone: 'success' });
    } catch (e) {
      toast('Could not clear the hold', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
      await onChanged();
    }
  };
  return (
    <article
      className="flex flex-col gap-2 rounded-xl border border-border p-4"
      data-testid="held-invoice"
      data-client={h.clientId}
    >
      <header className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium">
            {h.clientName ?? h.clientId} · {h.period}
          </p>
          <p className="text-xs text-muted-foreground">
            held by {h.heldBy} · {fmtDateTime(h.createdAt)}
          </p>
        </div>
        <Badge variant="warning">held</Badge>
      </header>
      <p className="text-sm">{h.reason}</p>
      <details className="text-xs text-muted-foreground">
        <summary className="cursor-pointer">evidence</summary>
        <pre className="mt-1 overflow-x-auto">{JSON.stringify(h.evidence, null, 2)}</pre>
      </details>
      {canClear && (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void clear();
          }}
        >
          <label className="sr-only" htmlFor={`note-${h.clientId}-${h.period}`}>
            Note
          </label>
          <Input
            id={`note-${h.clientId}-${h.period}`}
            className="max-w-sm"
            placeholder="Why it is right (optional)"
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <Button type="submit" size="sm" disabled={busy} data-testid="clear-hold">
            {busy && <Loader2 className="size-4 animate-spin" aria-hidden />}
            Clear and issue
          </Button>
        </form>
      )}
    </article>
  );
}
