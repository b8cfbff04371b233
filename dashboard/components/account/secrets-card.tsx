'use client';
import { KeySquare, Loader2, Lock, Trash2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { fmtDateTime } from '@/components/admin/when';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Label } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import { SECRET_NAME_HINT, type SecretInfo } from '@/lib/admin-types';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';

const secretPath = (clientId: string, name?: string) =>
  `/clients/${encodeURIComponent(clientId)}/secrets${name ? `/${encodeURIComponent(name)}` : ''}`;

/**
 * A client's secrets (model-provider keys, channel tokens): names and when they changed. A value
 * can be set, replaced or deleted but is never shown: the hub never returns it, and the field is
 * emptied as soon as it was sent.
 */
export function SecretsCard({ clientId }: { clientId: string }) {
  const secrets = useApi<SecretInfo[]>(secretPath(clientId));
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const n = name.trim();
    try {
      await api(secretPath(clientId, n), { method: 'PUT', body: { value } });
      toast(`Secret ${n} saved`, { tone: 'success' });
      setName('');
      await secrets.reload();
    } catch (err) {
      toast('Could not save the secret', { tone: 'error', description: (err as Error).message });
    } finally {
      // Never keep the value around, saved or not.
      setValue('');
      setBusy(false);
    }
  };

  const remove = async (n: string) => {
    try {
      await api(secretPath(clientId, n), { method: 'DELETE' });
      toast(`Secret ${n} deleted`, { tone: 'success' });
      await secrets.reload();
    } catch (err) {
      toast('Could not delete the secret', { tone: 'error', description: (err as Error).message });
      throw err;
    }
  };

  return (
    <Card data-testid="secrets-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <KeySquare className="size-4 text-accent" /> Secrets
        </CardTitle>
        <CardDescription>
          Encrypted at rest; only your agent receives them. Values can be replaced but never read back.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {secrets.notFound ? (
          <EmptyState icon={Lock} title="Secrets are not available on this hub" />
        ) : secrets.loading && !secrets.data ? (
          <Skeleton className="h-16" />
        ) : secrets.error ? (
          <p className="text-sm text-danger">Could not load secrets: {secrets.error}</p>
        ) : !secrets.data?.length ? (
          <p className="text-sm text-muted-foreground">No secrets yet.</p>
        ) : (
          <ul className="divide-y divide-border rounded-xl border border-border">
            {secrets.data.map((s) => (
              <li
                key={s.name}
                className="flex items-center gap-3 px-3 py-2 text-sm"
                data-testid="secret-row"
                data-name={s.name}
              >
                <code className="font-mono">{s.name}</code>
                <span className="font-mono text-muted-foreground" title="value hidden">
                  ••••••••
                </span>
                <span className="flex-1 text-right text-xs text-muted-foreground">
                  updated {fmtDateTime(s.updatedAt)}
                </span>
                <Button size="sm" variant="ghost" onClick={() => setName(s.name)}>
                  Replace
                </Button>
                <Button size="icon" variant="ghost" aria-label={`Delete ${s.name}`} onClick={() => setDeleting(s.name)}>
                  <Trash2 />
                </Button>
              </li>
            ))}
          </ul>
        )}
        {!secrets.notFound && (
          <form onSubmit={save} className="flex flex-wrap items-end gap-2" data-testid="secret-form" autoComplete="off">
            <div className="flex w-56 flex-col gap-1.5">
              <Label htmlFor="secret-name">Name ({SECRET_NAME_HINT})</Label>
              <Input
                id="secret-name"
                required
                pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="flex min-w-60 flex-1 flex-col gap-1.5">
              <Label htmlFor="secret-value">Value</Label>
              <Input
                id="secret-value"
                type="password"
                autoComplete="new-password"
                required
                maxLength={8192}
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
            </div>
            <Button type="submit" variant="accent" disabled={busy} data-testid="save-secret">
              {busy ? <Loader2 className="animate-spin" /> : <Lock />} Save secret
            </Button>
          </form>
        )}
      </CardContent>
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete secret ${deleting ?? ''}?`}
        description="Your agent loses access to it the next time its configuration is applied."
        confirmLabel="Delete secret"
        destructive
        onConfirm={() => (deleting ? remove(deleting) : undefined)}
      />
    </Card>
  );
}
