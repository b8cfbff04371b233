'use client';
import confetti from 'canvas-confetti';
import { BarChart3, CircleDashed, LifeBuoy, MessageSquare, PartyPopper } from 'lucide-react';
import { useEffect } from 'react';
import { Button } from '@/components/ui/button';
import { useProductName } from '@/lib/brand';
import { missingForLive } from './readiness';
import { TestModeBadge } from './test-mode';
import type { OnboardingState } from './types';

/**
 * Screen 8: once the agent really is live, confetti, next steps and the way to the client
 * dashboard; until then, exactly what is still missing.
 */
export function Success({ state }: { state: OnboardingState }) {
  const product = useProductName();
  const missing = missingForLive(state, product);
  const isLive = missing.length === 0;
  useEffect(() => {
    if (!isLive || window.matchMedia?.('(prefers-reduced-motion: reduce)').matches) return;
    const end = Date.now() + 1200;
    const colors = ['#00d9ff', '#10b981', '#f59e0b', '#ffffff'];
    const frame = () => {
      confetti({ particleCount: 4, angle: 60, spread: 60, origin: { x: 0 }, colors, disableForReducedMotion: true });
      confetti({ particleCount: 4, angle: 120, spread: 60, origin: { x: 1 }, colors, disableForReducedMotion: true });
      if (Date.now() < end) requestAnimationFrame(frame);
    };
    frame();
  }, [isLive]);
  const ch = state.desired.channels ?? {};
  const live = [
    ch.telegram?.enabled && `Telegram (@${ch.telegram.username})`,
    ch.slack?.enabled && `Slack (${ch.slack.team})`,
    ch.whatsapp?.enabled && 'WhatsApp (after QR pairing)',
  ]
    .filter(Boolean)
    .join(', ');
  const steps = [
    {
      icon: MessageSquare,
      text: live ? `Your agent answers on ${live}.` : 'Connect a channel from your dashboard when you are ready.',
    },
    { icon: BarChart3, text: 'Watch conversations, response times and cost on your dashboard.' },
    { icon: LifeBuoy, text: 'Need a change? Use “Get help” on the dashboard; we answer fast.' },
  ];
  const name = state.desired.personality?.name ?? 'Your agent';
  if (!isLive)
    return (
      <section aria-labelledby="step-title" className="grid place-items-center gap-6 py-6 text-center">
        <CircleDashed className="size-14 text-amber-600 dark:text-amber-400" aria-hidden="true" />
        <h1 id="step-title" tabIndex={-1} className="text-3xl font-bold outline-none sm:text-4xl">
          {name} is set up, but not live yet
        </h1>
        {state.desired.testMode && <TestModeBadge />}
        <div className="grid max-w-md gap-2 text-left">
          <p className="text-sm text-muted-foreground">Your answers are saved. What is still missing:</p>
          <ul className="grid gap-2" data-testid="missing">
            {missing.map((m) => (
              <li
                key={m.id}
                data-missing={m.id}
                className="flex gap-3 rounded-xl border border-amber-500/40 bg-amber-400/5 p-3 text-sm"
              >
                <CircleDashed className="size-5 shrink-0 text-amber-600 dark:text-amber-400" aria-hidden="true" />
                {m.text}
              </li>
            ))}
          </ul>
        </div>
        <Button asChild size="lg" variant="outline">
          <a href="/client/">Open your dashboard</a>
        </Button>
      </section>
    );
  return (
    <section aria-labelledby="step-title" className="grid place-items-center gap-6 py-6 text-center">
      <PartyPopper className="size-14 text-amber-600 dark:text-amber-400" aria-hidden="true" />
      <h1 id="step-title" tabIndex={-1} className="text-3xl font-bold outline-none sm:text-4xl">
        {name} is live!
      </h1>
      <ul className="grid max-w-md gap-3 text-left">
        {steps.map((s) => (
          <li key={s.text} className="flex gap-3 rounded-xl border border-card-border bg-card p-3 text-sm">
            <s.icon className="size-5 shrink-0 text-cyan-700 dark:text-cyan-300" aria-hidden="true" /> {s.text}
          </li>
        ))}
      </ul>
      <Button asChild size="lg" className="bg-cyan-400 text-slate-950 hover:bg-cyan-300">
        <a href="/client/">Open your dashboard</a>
      </Button>
    </section>
  );
}
