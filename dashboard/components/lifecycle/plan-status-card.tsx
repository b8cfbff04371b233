'use client';
import { BadgeCheck, Loader2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { ApiError, api } from '@/lib/api';
import type { Plan } from '@/lib/billing';
import type { Client } from '@/lib/types';
import { useApi } from '@/lib/use-api';

const STATUSES = ['onboarding', 'active', 'paused', 'churned'];

/**
 * A client's plan and status, changed by an admin (PATCH /clients/:id). On a hub without that
 * route the card shows both and says that changing them is not available there.
 */
export function PlanStatusCard({ clientId, canEdit }: { clientId: string; canEdit: boolean }) {
  const path = `/clients/${encodeURIComponent(clientId)}`;
  const client = useApi<Client>(path);
  // The plans the hub offers (GET /plans), so a plan the operator adds is offered here too.
  const plans = useApi<Plan[]>('/plans');
  const planIds = plans.data?.map((p) => p.id) ?? ['starter', 'growth', 'enterprise'];
  const [plan, setPlan] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [unsupported, setUnsupported] = useState(false);
  useEffect(() => {
    if (!client.data) return;
    setPlan(client.data.plan);
    setStatus(client.data.status ?? '');
  }, [client.data]);
  const c = client.data;
  const changed = !!c && (plan !== c.plan || status !== (c.status ?? ''));

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await api<Client>(path, {
        method: 'PATCH',
        body: { ...(plan !== c?.plan ? { plan } : {}), ...(status !== c?.status ? { status } : {}) },
      });
      client.setData(next);
      toast('Plan and status saved', { tone: 'success' });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405) && /route/i.test(e.message))
        setUnsupported(true);
      else setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const opts = (list: string[], cur: string) =>
    [...new Set([...list, cur].filter(Boolean))].map((v) => ({ value: v, label: v }));
  return (
    <Card data-testid="plan-status-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <BadgeCheck className="size-4 text-accent" /> Plan and status
        </CardTitle>
        <CardDescription>
          The plan sets the monthly limits; a paused client keeps its data, a churned one is wound down.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {!c ? (
          <p className="text-sm text-muted-foreground">{client.error ?? 'Loading…'}</p>
        ) : (
          <>
            <div className="grid gap-3 sm:grid-cols-2">
              <div className="grid gap-1 text-sm">
                <span className="text-muted-foreground">Plan</span>
                {canEdit ? (
                  <SimpleSelect
                    aria-label="Plan"
                    value={plan}
                    onValueChange={setPlan}
                    options={opts(planIds, c.plan)}
                  />
                ) : (
                  <span className="font-medium">{c.plan}</span>
                )}
              </div>
              <div className="grid gap-1 text-sm">
                <span className="text-muted-foreground">Status</span>
                {canEdit ? (
                  <SimpleSelect
                    aria-label="Status"
                    value={status}
                    onValueChange={setStatus}
                    options={opts(STATUSES, c.status ?? '')}
                  />
                ) : (
                  <span className="font-medium">{c.status}</span>
                )}
              </div>
            </div>
            {unsupported && (
              <p className="text-sm text-warning" role="status">
                This hub cannot change a client&apos;s plan or status yet (no PATCH /clients/:id).
              </p>
            )}
            {error && (
              <p className="text-sm text-danger" role="alert">
                {error}
              </p>
            )}
            {canEdit && (
              <Button
                size="sm"
                variant="accent"
                className="justify-self-end"
                disabled={!changed || busy}
                onClick={() => void save()}
              >
                {busy && <Loader2 className="size-4 animate-spin" />} Save
              </Button>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}
