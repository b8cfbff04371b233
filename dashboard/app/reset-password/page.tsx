'use client';
import { KeyRound, Loader2 } from 'lucide-react';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { type FormEvent, Suspense, useState } from 'react';
import { AuthCard, FormError, FormNote, LabelledInput } from '@/components/account/auth-card';
import { ForgotPassword } from '@/components/account/forgot-password';
import { Button } from '@/components/ui/button';
import { ApiError, confirmPasswordReset } from '@/lib/api';
import { useProductName } from '@/lib/brand';

/** The hub's rule for new passwords (POST /auth/password-reset/confirm). */
const MIN_LENGTH = 10;

export default function ResetPasswordPage() {
  return (
    <Suspense fallback={null}>
      <ResetPassword />
    </Suspense>
  );
}

/**
 * Opened from the one-time link the hub mails for a password reset or an invitation (both use
 * `/reset-password/?token=…`, valid 1 h or 72 h): choose a password, then sign in.
 */
function ResetPassword() {
  const product = useProductName();
  const token = useSearchParams().get('token') ?? '';
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (password.length < MIN_LENGTH) return setError(`Use at least ${MIN_LENGTH} characters.`);
    if (password !== repeat) return setError('The two passwords differ.');
    setBusy(true);
    try {
      await confirmPasswordReset(token, password);
      setDone(true);
    } catch (err) {
      // 400 bad_token: the link was used already, expired, or never existed.
      if (err instanceof ApiError && err.code === 'HUB_ERR_BAD_TOKEN') setExpired(true);
      else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!token || expired)
    return (
      <AuthCard>
        <h1 className="text-xl">Link not valid</h1>
        <div className="mt-4 flex flex-col gap-4" data-testid="reset-expired">
          <FormError>
            {token
              ? 'This link was already used or has expired. Links work once, for an hour (invitations for 72 hours).'
              : 'This page needs the link from your email.'}
          </FormError>
          <p className="text-sm text-muted-foreground">Ask for a new link:</p>
          <ForgotPassword />
          <Link href="/login/" className="text-sm text-accent hover:underline">
            Back to sign in
          </Link>
        </div>
      </AuthCard>
    );

  if (done)
    return (
      <AuthCard>
        <h1 className="text-xl">Password set</h1>
        <div className="mt-4 flex flex-col gap-4" data-testid="reset-done">
          <FormNote>Your new password is set. Other sessions of your account were signed out.</FormNote>
          <Button asChild variant="accent">
            <Link href="/login/">Sign in</Link>
          </Button>
        </div>
      </AuthCard>
    );

  return (
    <AuthCard>
      <h1 className="text-xl">Choose a password</h1>
      <p className="mt-1 text-sm text-muted-foreground">
        For your {product} account. At least {MIN_LENGTH} characters.
      </p>
      <form onSubmit={submit} className="mt-6 flex flex-col gap-4">
        <LabelledInput
          id="new-password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <LabelledInput
          id="repeat-password"
          label="Repeat it"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
        />
        {error && <FormError>{error}</FormError>}
        <Button type="submit" variant="accent" disabled={busy} data-testid="reset-submit">
          {busy ? <Loader2 className="animate-spin" /> : <KeyRound />}
          Set password
        </Button>
      </form>
    </AuthCard>
  );
}
