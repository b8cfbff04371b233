'use client';
import { KeySquare, Loader2, Save, Trash2 } from 'lucide-react';
import { type FormEvent, useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Input, Label } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { SsoDomainProof } from './sso-domain-proof';

/** GET /clients/:id/sso: the OIDC settings (never the secret: only whether one is stored). */
interface SsoSettings {
  issuer: string;
  clientId: string;
  allowedDomain: string;
  autoProvision: boolean;
  hasClientSecret: boolean;
  /** The claim on allowedDomain: logins are routed only once it is verified. */
  domainStatus: 'pending' | 'verified' | 'expired' | null;
}

/**
 * Single sign-on for a client's people (OIDC: Google Workspace, Entra ID, Okta…): the provider's
 * issuer, this app's client id and secret there, the email domain that may sign in, and whether
 * unknown people of that domain get a viewer account. The callback URL to register is shown.
 */
export function SsoCard({ clientId }: { clientId: string }) {
  const path = `/clients/${encodeURIComponent(clientId)}/sso`;
  const cur = useApi<SsoSettings | null>(path);
  const [form, setForm] = useState({
    issuer: '',
    clientId: '',
    clientSecret: '',
    allowedDomain: '',
    autoProvision: false,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  useEffect(() => {
    const s = cur.data;
    if (s) setForm({ ...s, clientSecret: '' });
  }, [cur.data]);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value }));
  const callback = typeof window === 'undefined' ? '' : `${window.location.origin}/api/v1/auth/sso/callback`;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { clientSecret, ...rest } = form;
      const next = await api<SsoSettings>(path, {
        method: 'PUT',
        body: { ...rest, ...(clientSecret ? { clientSecret } : {}) },
      });
      cur.setData(next);
      toast('Single sign-on saved', { tone: 'success' });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    await api(path, { method: 'DELETE' });
    cur.setData(null);
    setForm({ issuer: '', clientId: '', clientSecret: '', allowedDomain: '', autoProvision: false });
    toast('Single sign-on removed');
  };

  return (
    <Card data-testid="sso-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <KeySquare className="size-4 text-accent" /> Single sign-on
        </CardTitle>
        <CardDescription>
          {!cur.data
            ? 'Off: people sign in with a password. Connect your identity provider (OIDC).'
            : cur.data.domainStatus === 'verified'
              ? `On: people of ${cur.data.allowedDomain} sign in through ${new URL(cur.data.issuer).host}.`
              : `Set up, waiting for proof that ${cur.data.allowedDomain} is yours.`}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {cur.data && (
          <SsoDomainProof clientId={clientId} domain={cur.data.allowedDomain} onChange={() => void cur.reload()} />
        )}
        <form onSubmit={save} className="grid gap-3">
          <div className="grid gap-1.5">
            <Label htmlFor="sso-issuer">Issuer URL</Label>
            <Input
              id="sso-issuer"
              required
              placeholder="https://accounts.google.com"
              value={form.issuer}
              onChange={set('issuer')}
            />
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="grid min-w-0 gap-1.5">
              <Label htmlFor="sso-client">Client id</Label>
              <Input id="sso-client" required value={form.clientId} onChange={set('clientId')} />
            </div>
            <div className="grid min-w-0 gap-1.5">
              <Label htmlFor="sso-secret">Client secret</Label>
              <Input
                id="sso-secret"
                type="password"
                autoComplete="off"
                placeholder={cur.data?.hasClientSecret ? 'stored (leave empty to keep)' : ''}
                value={form.clientSecret}
                onChange={set('clientSecret')}
              />
            </div>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="sso-domain">Email domain allowed to sign in</Label>
            <Input
              id="sso-domain"
              required
              placeholder="example.com"
              value={form.allowedDomain}
              onChange={set('allowedDomain')}
            />
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={form.autoProvision} onChange={set('autoProvision')} />
            Give people of this domain a viewer account on their first sign-in
          </label>
          <p className="text-xs break-all text-muted-foreground">
            Register this redirect URL at the provider: <code className="font-mono text-foreground">{callback}</code>
          </p>
          {error && (
            <p className="text-sm text-danger" role="alert">
              {error}
            </p>
          )}
          <div className="flex flex-wrap justify-end gap-2">
            {cur.data && (
              <Button type="button" variant="ghost" size="sm" onClick={() => setRemoving(true)} className="gap-1">
                <Trash2 className="size-4" /> Remove
              </Button>
            )}
            <Button type="submit" variant="accent" size="sm" disabled={busy} className="gap-1">
              {busy ? <Loader2 className="size-4 animate-spin" /> : <Save className="size-4" />} Save
            </Button>
          </div>
        </form>
      </CardContent>
      <ConfirmDialog
        open={removing}
        onOpenChange={setRemoving}
        title="Turn single sign-on off?"
        description="People then sign in with their passwords again; those created by single sign-on need a password reset."
        confirmLabel="Turn off"
        destructive
        onConfirm={remove}
      />
    </Card>
  );
}
