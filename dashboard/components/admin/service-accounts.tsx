'use client';
import { Bot, Loader2, Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Label } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import type { ApiTokenView, ServiceAccount } from '@/lib/admin-types';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { TokenDialog } from './token-dialog';
import { fmtDateTime } from './when';

/**
 * Service accounts (for the ops agents and scripts) and their scoped API tokens: create an
 * account, create a token (shown once), list tokens with last use, revoke.
 */
export function ServiceAccounts({ canManage }: { canManage: boolean }) {
  const accounts = useApi<ServiceAccount[]>('/service-accounts');
  const tokens = useApi<ApiTokenView[]>('/tokens');
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);

  if (accounts.notFound || tokens.notFound)
    return (
      <Card>
        <EmptyState icon={Bot} title="Service accounts are not available on this hub" />
      </Card>
    );

  const revoke = async (t: ApiTokenView) => {
    try {
      await api(`/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' });
      toast(`Token “${t.name}” revoked`, { tone: 'success' });
      await tokens.reload();
    } catch (e) {
      toast('Could not revoke', { tone: 'error', description: (e as Error).message });
      throw e;
    }
  };

  return (
    <Card data-testid="service-accounts">
      <CardHeader className="flex-row items-center justify-between gap-3">
        <CardTitle className="flex items-center gap-2">
          <Bot className="size-4 text-accent" /> Service accounts and API tokens
        </CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {canManage && <NewAccountForm onCreated={accounts.reload} />}
        {(accounts.loading && !accounts.data) || (tokens.loading && !tokens.data) ? (
          <Skeleton className="h-24" />
        ) : accounts.error || tokens.error ? (
          <p className="text-sm text-danger">Could not load: {accounts.error ?? tokens.error}</p>
        ) : !accounts.data?.length ? (
          <EmptyState icon={Bot} title="No service accounts yet" description="Create one for each agent or script." />
        ) : (
          accounts.data.map((a) => {
            const mine = (tokens.data ?? []).filter((t) => t.userId === a.id);
            return (
              <div
                key={a.id}
                className="rounded-xl border border-border p-3"
                data-testid="service-account"
                data-name={a.name}
              >
                <div className="flex items-center justify-between gap-2">
                  <p className="font-medium">
                    {a.name} <span className="text-xs text-muted-foreground">{a.email}</span>
                  </p>
                  {canManage && <TokenDialog account={a} onCreated={tokens.reload} />}
                </div>
                {mine.length === 0 ? (
                  <p className="mt-2 text-xs text-muted-foreground">No tokens.</p>
                ) : (
                  <table className="mt-2 w-full text-sm">
                    <thead className="text-left text-xs text-muted-foreground">
                      <tr>
                        <th className="py-1 pr-3 font-medium">Token</th>
                        <th className="py-1 pr-3 font-medium">Scopes</th>
                        <th className="py-1 pr-3 font-medium">Created</th>
                        <th className="py-1 pr-3 font-medium">Last used</th>
                        <th className="py-1 font-medium" />
                      </tr>
                    </thead>
                    <tbody>
                      {mine.map((t) => (
                        <tr key={t.id} className="border-t border-border" data-testid="token-row" data-name={t.name}>
                          <td className="py-1.5 pr-3">{t.name}</td>
                          <td className="py-1.5 pr-3">
                            <div className="flex flex-wrap gap-1">
                              {t.scopes.map((s) => (
                                <Badge key={s} variant="outline">
                                  {s}
                                </Badge>
                              ))}
                            </div>
                          </td>
                          <td className="py-1.5 pr-3 text-muted-foreground">{fmtDateTime(t.createdAt)}</td>
                          <td className="py-1.5 pr-3 text-muted-foreground">{fmtDateTime(t.lastUsedAt)}</td>
                          <td className="py-1.5 text-right">
                            {t.revokedAt ? (
                              <Badge variant="danger" data-testid="token-revoked">
                                revoked
                              </Badge>
                            ) : t.expiresAt && new Date(t.expiresAt).getTime() < Date.now() ? (
                              <Badge variant="warning">expired</Badge>
                            ) : canManage ? (
                              <Button
                                size="sm"
                                variant="ghost"
                                onClick={() => setRevoking(t)}
                                data-testid="revoke-token"
                              >
                                Revoke
                              </Button>
                            ) : null}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            );
          })
        )}
      </CardContent>
      <ConfirmDialog
        open={!!revoking}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        description="Anything using this token stops working at once. This cannot be undone."
        confirmLabel="Revoke token"
        destructive
        onConfirm={() => (revoking ? revoke(revoking) : undefined)}
      />
    </Card>
  );
}

function NewAccountForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('/service-accounts', { body: { name: name.trim() } });
      toast(`Service account ${name.trim()} created`, { tone: 'success' });
      setName('');
      onCreated();
    } catch (err) {
      toast('Could not create the account', { tone: 'error', description: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" data-testid="new-account-form">
      <div className="flex min-w-60 flex-1 flex-col gap-1.5">
        <Label htmlFor="account-name">New service account (lowercase letters, digits, -)</Label>
        <Input
          id="account-name"
          required
          pattern="[a-z0-9][a-z0-9\-]{0,62}"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <Button type="submit" variant="outline" disabled={busy}>
        {busy ? <Loader2 className="animate-spin" /> : <Plus />} Create
      </Button>
    </form>
  );
}
