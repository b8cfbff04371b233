'use client';
import { Loader2, LockKeyhole } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { AuthCard, FormError, LabelledInput } from '@/components/account/auth-card';
import { ForgotPassword } from '@/components/account/forgot-password';
import { SsoSignIn } from '@/components/account/sso-sign-in';
import { Button } from '@/components/ui/button';
import { homeFor, useAuth } from '@/lib/auth';
import { useProductName } from '@/lib/brand';
import { closeSocket } from '@/lib/live';
import { safeNext } from '@/lib/safe-next';

export default function LoginPage() {
  const { user, ready, login } = useAuth();
  const product = useProductName();
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [mode, setMode] = useState<'password' | 'forgot' | 'sso'>('password');

  useEffect(() => {
    if (ready && user) router.replace(homeFor(user));
  }, [ready, user, router]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      closeSocket();
      const u = await login(email.trim(), password);
      const next = new URLSearchParams(window.location.search).get('next');
      // Only same-site paths, never an absolute URL handed in through the query.
      router.replace(safeNext(next, window.location.origin) ?? homeFor(u));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <AuthCard
      footer={
        <div className="mt-4 grid gap-1 text-center text-xs text-muted-foreground">
          <p>
            New to {product}?{' '}
            <a href="/onboarding/" className="font-medium text-accent underline-offset-2 hover:underline">
              Get started
            </a>
          </p>
          <p>
            First start? <code className="font-mono">npm start</code> prints the admin login.
          </p>
        </div>
      }
    >
      <h1 className="text-xl">Sign in</h1>
      <p className="mt-1 text-sm text-muted-foreground">
        Mission Control for operators, your agent's dashboard for clients.
      </p>
      {mode !== 'password' && (
        <div className="mt-6 flex flex-col gap-3">
          {mode === 'forgot' ? <ForgotPassword initialEmail={email} /> : <SsoSignIn />}
          <Button variant="link" size="sm" onClick={() => setMode('password')}>
            Back to password sign-in
          </Button>
        </div>
      )}
      <form onSubmit={submit} className="mt-6 flex flex-col gap-4" hidden={mode !== 'password'}>
        <LabelledInput
          id="email"
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <LabelledInput
          id="password"
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && <FormError>{error}</FormError>}
        <Button type="submit" variant="accent" disabled={busy} className="mt-1">
          {busy ? <Loader2 className="animate-spin" /> : <LockKeyhole />}
          Sign in
        </Button>
        <div className="flex justify-between">
          <Button type="button" variant="link" size="sm" className="px-0" onClick={() => setMode('forgot')}>
            Forgot password?
          </Button>
          <Button type="button" variant="link" size="sm" className="px-0" onClick={() => setMode('sso')}>
            Sign in with SSO
          </Button>
        </div>
      </form>
    </AuthCard>
  );
}
