'use client';
import { COMMAND_TYPES, mayIssue } from '@protocol/commands/catalog';
import { Copy, KeyRound, Loader2, Trash2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Input, Label } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { useProductName } from '@/lib/brand';
import { useApi } from '@/lib/use-api';

/** One of the client's API keys, as the hub lists it (never the token). */
export interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  prefix: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** What a key may be given: no more than an owner may do (the hub refuses anything wider). */
const SCOPES = ['read', ...COMMAND_TYPES.filter((t) => mayIssue('client_owner', t)).map((t) => `command:${t}`)];
const scopeLabel = (s: string) => (s === 'read' ? 'read (every GET)' : `issue ${s.slice(8)}`);

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');

/** The request a new key's owner can paste into a terminal first. */
function exampleCurl(token: string) {
  const origin = typeof window === 'undefined' ? 'https://hub.example.com' : window.location.origin;
  return `curl -H "Authorization: Bearer ${token}" ${origin}/api/v1/instances`;
}

function CopyLine({ text, label }: { text: string; label: string }) {
  return (
    <div className="flex items-start gap-2 rounded-md bg-muted px-2 py-1.5 text-xs">
      <code className="min-w-0 flex-1 font-mono break-all">{text}</code>
      <Button
        type="button"
        size="sm"
        variant="ghost"
        aria-label={label}
        onClick={() => void navigator.clipboard?.writeText(text).then(() => toast('Copied', { tone: 'success' }))}
      >
        <Copy className="size-3.5" />
      </Button>
    </div>
  );
}

/**
 * The client's API keys for its own integrations: list, create (name, scopes, optional expiry;
 * the token is shown once, with a request to try it), and revoke. Owners only; the hub checks.
 */
export function ApiKeysPanel({ clientId }: { clientId: string }) {
  const product = useProductName();
  const path = `/clients/${encodeURIComponent(clientId)}/api-keys`;
  const keys = useApi<{ keys: ApiKeyView[] }>(path);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyView | null>(null);

  const toggle = (s: string) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // A date picks the end of that day, local time.
      const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined;
      const k = await api<ApiKeyView & { token: string }>(path, {
        method: 'POST',
        body: { name: name.trim(), scopes, ...(expiresAt ? { expiresAt } : {}) },
      });
      setCreated({ name: k.name, token: k.token });
      setName('');
      setExpires('');
      setScopes(['read']);
      await keys.reload();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const list = keys.data?.keys ?? [];
  return (
    <Card data-testid="api-keys-panel">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <KeyRound className="size-4 text-accent" /> API keys
        </CardTitle>
        <CardDescription>
          Keys let your own systems call the {product} API for this company only. A key can do no more than you can, and
          stops when revoked, when it expires or when your account is disabled.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        <form onSubmit={create} className="grid gap-3" aria-label="New API key">
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label htmlFor="api-key-name">Name</Label>
              <Input
                id="api-key-name"
                placeholder="CRM sync"
                maxLength={100}
                required
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="api-key-expiry">Expires (optional)</Label>
              <Input id="api-key-expiry" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
            </div>
          </div>
          <fieldset className="grid gap-1.5">
            <legend className="mb-1 text-sm font-medium">Scopes</legend>
            <div className="flex flex-wrap gap-x-4 gap-y-1.5">
              {SCOPES.map((s) => (
                <label key={s} className="flex items-center gap-1.5 text-sm">
                  <input
                    type="checkbox"
                    className="size-4 accent-cyan"
                    checked={scopes.includes(s)}
                    onChange={() => toggle(s)}
                    value={s}
                  />
                  {scopeLabel(s)}
                </label>
              ))}
            </div>
          </fieldset>
          {error && (
            <p className="text-sm text-danger" role="alert">
              {error}
            </p>
          )}
          <div className="flex justify-end">
            <Button type="submit" variant="accent" size="sm" disabled={busy || !name.trim() || !scopes.length}>
              {busy && <Loader2 className="size-4 animate-spin" />} Create key
            </Button>
          </div>
        </form>

        {created && (
          <section className="grid gap-2 rounded-lg border border-accent/40 p-3" data-testid="api-key-created">
            <p className="text-sm">
              <strong>{created.name}</strong>: copy the key now, it is not shown again.
            </p>
            <CopyLine text={created.token} label="Copy the key" />
            <p className="text-xs text-muted-foreground">Try it:</p>
            <CopyLine text={exampleCurl(created.token)} label="Copy the example request" />
            <div className="flex justify-end">
              <Button type="button" size="sm" variant="ghost" onClick={() => setCreated(null)}>
                Done
              </Button>
            </div>
          </section>
        )}

        {keys.error && (
          <p className="text-sm text-danger" role="alert">
            {keys.error}
          </p>
        )}
        {keys.loading && !keys.data ? (
          <Loader2 className="size-4 animate-spin text-muted-foreground" aria-label="Loading keys" />
        ) : list.length === 0 ? (
          <p className="text-sm text-muted-foreground">No keys yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" aria-label="API keys">
              <thead className="text-left text-xs text-muted-foreground">
                <tr>
                  <th className="py-1.5 pr-3 font-medium">Name</th>
                  <th className="py-1.5 pr-3 font-medium">Key</th>
                  <th className="py-1.5 pr-3 font-medium">Scopes</th>
                  <th className="py-1.5 pr-3 font-medium">Last used</th>
                  <th className="py-1.5 pr-3 font-medium">Expires</th>
                  <th className="py-1.5 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((k) => (
                  <tr key={k.id} className="border-t border-border" data-key-id={k.id}>
                    <td className="py-2 pr-3">{k.name}</td>
                    <td className="py-2 pr-3 font-mono text-xs">{k.prefix ? `${k.prefix}…` : '—'}</td>
                    <td className="py-2 pr-3">
                      <div className="flex flex-wrap gap-1">
                        {k.scopes.map((s) => (
                          <Badge key={s} variant="outline">
                            {s}
                          </Badge>
                        ))}
                      </div>
                    </td>
                    <td className="py-2 pr-3">{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}</td>
                    <td className="py-2 pr-3">{day(k.expiresAt)}</td>
                    <td className="py-2 text-right">
                      {k.revokedAt ? (
                        <Badge variant="danger">revoked</Badge>
                      ) : (
                        <Button
                          type="button"
                          size="sm"
                          variant="ghost"
                          className="gap-1"
                          aria-label={`Revoke ${k.name}`}
                          onClick={() => setRevoking(k)}
                        >
                          <Trash2 className="size-3.5" /> Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </CardContent>
      <ConfirmDialog
        open={!!revoking}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={`Revoke ${revoking?.name ?? 'the key'}?`}
        description="Calls with this key are refused from now on. This cannot be undone."
        confirmLabel="Revoke"
        destructive
        onConfirm={async () => {
          if (!revoking) return;
          await api(`${path}/${encodeURIComponent(revoking.id)}`, { method: 'DELETE' });
          setRevoking(null);
          toast('Key revoked');
          await keys.reload();
        }}
      />
    </Card>
  );
}
