'use client';
import { Loader2, Mail } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { requestPasswordReset } from '@/lib/api';
import { FormError, FormNote, LabelledInput } from './auth-card';

/**
 * Asks the hub for a reset link (POST /auth/password-reset). The hub answers alike whether or not
 * the account exists, so the page does too; with DS_MAIL_TRANSPORT=log the link is in its log.
 */
export function ForgotPassword({ initialEmail = '' }: { initialEmail?: string }) {
  const [email, setEmail] = useState(initialEmail);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await requestPasswordReset(email.trim());
      setSent(true);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (sent)
    return (
      <FormNote>
        If {email.trim()} has an account, a link to set a new password is on its way. It works once, within an hour.
      </FormNote>
    );
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" data-testid="forgot-form">
      <LabelledInput
        id="reset-email"
        label="Email"
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      {error && <FormError>{error}</FormError>}
      <Button type="submit" variant="outline" disabled={busy}>
        {busy ? <Loader2 className="animate-spin" /> : <Mail />}
        Send reset link
      </Button>
    </form>
  );
}
