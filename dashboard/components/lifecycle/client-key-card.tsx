'use client';
import { Copy, Loader2, LockKeyhole, Trash2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Input, Label } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';

/** 32 random bytes from this browser, base64: the key never exists on the hub before it is sent. */
function newKey(): string {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b));
}

/**
 * The client's own key (KEK): its data key is then wrapped with a key the client holds, not only
 * the hub's master key. Set it (generated here or pasted), or remove it: removing destroys the
 * data key and every secret sealed with it (crypto-shredding). The hub never shows the key back.
 */
export function ClientKeyCard({ clientId }: { clientId: string }) {
  const path = `/clients/${encodeURIComponent(clientId)}/kek`;
  const [key, setKey] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shred, setShred] = useState(false);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(path, { method: 'PUT', body: { key: key.trim() } });
      setShown(key.trim());
      setKey('');
      toast('Your key is set: secrets are now sealed under it', { tone: 'success' });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card data-testid="client-key-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <LockKeyhole className="size-4 text-accent" /> Your own encryption key
        </CardTitle>
        <CardDescription>
          Seal this company&apos;s secrets (provider keys, channel tokens) under a key you hold. Keep a copy: the hub
          does not show it again.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} className="grid gap-3">
          <div className="grid gap-1.5">
            <Label htmlFor="kek">Key (32 bytes, base64)</Label>
            <div className="flex gap-2">
              <Input
                id="kek"
                className="min-w-0 font-mono"
                autoComplete="off"
                spellCheck={false}
                value={key}
                onChange={(e) => setKey(e.target.value)}
              />
              <Button type="button" variant="outline" size="sm" onClick={() => setKey(newKey())}>
                Generate
              </Button>
            </div>
          </div>
          {shown && (
            <p className="flex items-center gap-2 rounded-md bg-muted px-2 py-1.5 text-xs">
              <span className="min-w-0 flex-1 font-mono break-all">{shown}</span>
              <Button
                type="button"
                size="sm"
                variant="ghost"
                aria-label="Copy the key"
                onClick={() => void navigator.clipboard?.writeText(shown)}
              >
                <Copy className="size-3.5" />
              </Button>
            </p>
          )}
          {error && (
            <p className="text-sm text-danger" role="alert">
              {error}
            </p>
          )}
          <div className="flex flex-wrap justify-end gap-2">
            <Button type="button" variant="ghost" size="sm" onClick={() => setShred(true)} className="gap-1">
              <Trash2 className="size-4" /> Remove key
            </Button>
            <Button type="submit" variant="accent" size="sm" disabled={busy || !key.trim()} className="gap-1">
              {busy && <Loader2 className="size-4 animate-spin" />} Set key
            </Button>
          </div>
        </form>
      </CardContent>
      <ConfirmDialog
        open={shred}
        onOpenChange={setShred}
        title="Remove the key and destroy the secrets?"
        description="The data key and every secret sealed with it are destroyed for good (crypto-shredding). Channel tokens and provider keys must be entered again."
        confirmLabel="Remove and destroy"
        destructive
        onConfirm={async () => {
          await api(path, { method: 'DELETE' });
          setShown(null);
          toast('Key removed; the sealed secrets are destroyed');
        }}
      />
    </Card>
  );
}
