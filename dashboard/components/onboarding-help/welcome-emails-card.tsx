'use client';
import { Loader2, Mail } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { toast } from '@/components/ui/toast';
import { ApiError, api } from '@/lib/api';
import { useApi } from '@/lib/use-api';

interface WelcomeStatus {
  startedAt: string | null;
  optedOut: boolean;
  sent: { day: number; subject: string; sentAt: string }[];
}

/**
 * The welcome emails of a client's first week (days 0, 1, 3 and 7, about its own agent): which
 * were sent, and the owner's switch to stop or restart them (the same opt-out as the mails' link).
 */
export function WelcomeEmailsCard({ clientId }: { clientId: string }) {
  const path = `/onboarding/welcome?clientId=${encodeURIComponent(clientId)}`;
  const status = useApi<WelcomeStatus>(path);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const s = status.data;
  // A client that never went through onboarding has no sequence.
  if (status.notFound || (s && !s.startedAt)) return null;

  const toggle = async () => {
    if (!s) return;
    setBusy(true);
    setError(null);
    try {
      const next = await api<WelcomeStatus>('/onboarding/welcome', {
        method: 'PUT',
        body: { optedOut: !s.optedOut },
        query: { clientId },
      });
      status.setData(next);
      toast(next.optedOut ? 'Welcome emails stopped' : 'Welcome emails on', { tone: 'success' });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not save; try again');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card data-testid="welcome-emails-card">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Mail className="size-4 text-accent" aria-hidden="true" /> Welcome emails
        </CardTitle>
        <CardDescription>
          During your first week, the owner gets four short emails (days 0, 1, 3 and 7) about your agent: its first
          conversations and its usage.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        {status.error && <p className="text-danger">Could not load: {status.error}</p>}
        {s && (
          <>
            <p>
              {s.optedOut ? 'Stopped: no more welcome emails will be sent.' : 'On.'}{' '}
              {s.sent.length ? `Sent so far: ${s.sent.map((m) => `day ${m.day}`).join(', ')}.` : 'None sent yet.'}
            </p>
            <div>
              <Button type="button" variant="outline" onClick={toggle} disabled={busy} aria-pressed={!s.optedOut}>
                {busy && <Loader2 className="animate-spin" aria-hidden="true" />}
                {s.optedOut ? 'Send them again' : 'Stop welcome emails'}
              </Button>
            </div>
          </>
        )}
        {error && (
          <p role="alert" className="text-xs text-rose-600 dark:text-rose-400">
            {error}
          </p>
        )}
      </CardContent>
    </Card>
  );
}
