'use client';
import { Building2, Loader2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';
import { ssoStartUrl } from '@/lib/api';
import { SSO_PENDING_KEY } from '@/lib/auth';
import { FormError } from './auth-card';

const LAST_KEY = 'ds.sso-email';

/**
 * Single sign-on: people enter their work email; the hub's start route
 * (`GET /api/v1/auth/sso/start?email=`) finds their company by its domain. It answers 404 for a
 * domain without SSO: that is checked first (without following the redirect) so the page can say so instead of leaving the
 * browser on a JSON error. After the provider, the hub sets the session cookie and redirects to
 * `/`, where the app asks /auth/me whom the cookie belongs to.
 */
export function SsoSignIn() {
  const [email, setEmail] = useState(() =>
    typeof window === 'undefined' ? '' : (window.localStorage.getItem(LAST_KEY) ?? ''),
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const id = email.trim();
    setBusy(true);
    setError(null);
    try {
      const probe = await fetch(ssoStartUrl(id), { redirect: 'manual', credentials: 'include' });
      // A redirect towards the provider comes back opaque (status 0); anything else is an answer.
      if (probe.type !== 'opaqueredirect') {
        const body = (await probe.json().catch(() => null)) as { error?: { message?: string } } | null;
        setError(
          probe.status === 404
            ? 'Single sign-on is not set up for this email domain. Sign in with your password or ask your administrator.'
            : (body?.error?.message ?? `The hub answered ${probe.status}.`),
        );
        setBusy(false);
        return;
      }
      window.localStorage.setItem(LAST_KEY, id);
      window.localStorage.setItem(SSO_PENDING_KEY, String(Date.now()));
      window.location.assign(ssoStartUrl(id));
    } catch {
      setError('Cannot reach the hub. Check your connection.');
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" data-testid="sso-form">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="sso-email">Work email</Label>
        <Input
          id="sso-email"
          type="email"
          autoComplete="email"
          required
          placeholder="you@company.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      {error && <FormError>{error}</FormError>}
      <Button type="submit" variant="outline" disabled={busy}>
        {busy ? <Loader2 className="animate-spin" /> : <Building2 />}
        Continue with your company's sign-in
      </Button>
    </form>
  );
}
