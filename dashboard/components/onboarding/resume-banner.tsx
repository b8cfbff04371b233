'use client';
import { ArrowRight, ListChecks } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { api } from '@/lib/api';
import { TestModeBadge } from './test-mode';
import { type OnboardingState, SCREENS } from './types';

/**
 * On a client dashboard whose onboarding is not finished: how far it got and the way back into
 * it. Shows nothing when onboarding is done or the viewer may not see it.
 */
export function OnboardingResumeBanner({ clientId }: { clientId: string | null }) {
  const [s, setS] = useState<OnboardingState | null>(null);
  useEffect(() => {
    let on = true;
    api<OnboardingState>('/onboarding', { query: clientId ? { clientId } : undefined })
      .then((r) => on && setS(r))
      .catch(() => {});
    return () => {
      on = false;
    };
  }, [clientId]);
  // A client set up by hand (active, paused…) has nothing to resume.
  if (!s || s.completedAt || s.clientStatus !== 'onboarding') return null;
  const done = SCREENS.filter((x) => s.completed.includes(x.id)).length;
  const href = `/onboarding/${clientId ? `?clientId=${encodeURIComponent(clientId)}` : ''}`;
  return (
    <Card
      className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:justify-between"
      data-testid="onboarding-banner"
    >
      <div className="flex items-start gap-3">
        <ListChecks className="mt-0.5 size-5 shrink-0 text-accent" aria-hidden="true" />
        <div className="grid gap-1 text-sm">
          <p className="flex flex-wrap items-center gap-2 font-medium">
            Setup is not finished ({done} of {SCREENS.length} steps)
            {s.desired.testMode && <TestModeBadge />}
          </p>
          <p className="text-muted-foreground">
            {s.desired.testMode
              ? 'Set up in test mode: the agent does not answer customers until a real provider key is added.'
              : 'Finish the remaining steps so your agent can go live.'}
          </p>
        </div>
      </div>
      <Button asChild size="sm" className="shrink-0 gap-1">
        <a href={href}>
          Continue setup <ArrowRight className="size-4" />
        </a>
      </Button>
    </Card>
  );
}
