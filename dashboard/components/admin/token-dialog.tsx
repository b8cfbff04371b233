'use client';
import { COMMAND_TYPES } from '@protocol/commands/catalog';
import { KeyRound, Loader2, ShieldAlert } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { Input, Label } from '@/components/ui/input';
import type { ApiTokenView, ServiceAccount } from '@/lib/admin-types';
import { api } from '@/lib/api';
import { CopyButton } from './copy-button';

/**
 * Creates an API token for a service account (POST /service-accounts/:id/tokens {name, scopes,
 * expiresInDays}). Scopes: `read` and `command:<type>` for each allowed command type. The token
 * is shown once, with a copy button: the hub keeps only its hash.
 */
export function TokenDialog({ account, onCreated }: { account: ServiceAccount; onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<string>>(() => new Set(['read']));
  const [days, setDays] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  const toggle = (s: string) =>
    setScopes((cur) => {
      const next = new Set(cur);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next;
    });

  const reset = (o: boolean) => {
    setOpen(o);
    if (!o) {
      // Closing forgets the token for good.
      setSecret(null);
      setName('');
      setScopes(new Set(['read']));
      setDays('');
      setError(null);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<ApiTokenView & { token: string }>(
        `/service-accounts/${encodeURIComponent(account.id)}/tokens`,
        { body: { name: name.trim(), scopes: [...scopes], ...(days ? { expiresInDays: Number(days) } : {}) } },
      );
      setSecret(r.token);
      onCreated();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={reset}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline" data-testid="new-token">
          <KeyRound /> New token
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>New token for {account.name}</DialogTitle>
          <DialogDescription>
            A token can only do what its scopes allow: <code>read</code> for reading, and one scope per command type it
            may issue.
          </DialogDescription>
        </DialogHeader>
        {secret ? (
          <div className="flex flex-col gap-3" data-testid="token-once">
            <p className="flex items-center gap-2 text-sm text-warning">
              <ShieldAlert className="size-4" /> Copy it now: it is shown only this once.
            </p>
            <code
              className="block break-all rounded-lg border border-border bg-muted/50 p-3 font-mono text-xs"
              data-testid="token-value"
            >
              {secret}
            </code>
            <div className="flex justify-end gap-2">
              <CopyButton text={secret} />
              <Button variant="accent" size="sm" onClick={() => reset(false)}>
                Done
              </Button>
            </div>
          </div>
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-4">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="token-name">Name</Label>
              <Input id="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
            </div>
            <fieldset className="flex flex-col gap-2">
              <legend className="mb-1 text-xs font-medium text-muted-foreground">Scopes</legend>
              <div className="grid max-h-56 grid-cols-2 gap-x-4 gap-y-1 overflow-y-auto text-sm">
                {['read', ...COMMAND_TYPES.map((t) => `command:${t}`)].map((s) => (
                  <label key={s} className="flex items-center gap-2">
                    <input type="checkbox" checked={scopes.has(s)} onChange={() => toggle(s)} data-scope={s} />
                    <code className="text-xs">{s}</code>
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="token-days">Expires after (days, empty for never)</Label>
              <Input
                id="token-days"
                type="number"
                min={1}
                max={3650}
                value={days}
                onChange={(e) => setDays(e.target.value)}
              />
            </div>
            {error && <p className="text-sm text-danger">{error}</p>}
            <DialogFooter>
              <Button type="submit" variant="accent" disabled={busy || scopes.size === 0} data-testid="create-token">
                {busy && <Loader2 className="animate-spin" />} Create token
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
