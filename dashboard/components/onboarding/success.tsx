'use client';
import confetti from 'canvas-confetti';
import { BarChart3, LifeBuoy, MessageSquare, PartyPopper } from 'lucide-react';
import { useEffect } from 'react';
import { Button } from '@/components/ui/button';
import type { OnboardingState } from './types';

/** Screen 8: confetti, next steps and the way to the client dashboard. */
export function Success({ state }: { state: OnboardingState }) {
  useEffect(() => {
    if (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches) return;
    const end = Date.now() + 1200;
    const colors = ['#00d9ff', '#10b981', '#f59e0b', '#ffffff'];
    const frame = () => {
      confetti({ particleCount: 4, angle: 60, spread: 60, origin: { x: 0 }, colors, disableForReducedMotion: true });
      confetti({ particleCount: 4, angle: 120, spread: 60, origin: { x: 1 }, colors, disableForReducedMotion: true });
      if (Date.now() < end) requestAnimationFrame(frame);
    };
    frame();
  }, []);
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
  return (
    <section aria-labelledby="step-title" className="grid place-items-center gap-6 py-6 text-center">
      <PartyPopper className="size-14 text-amber-400" aria-hidden="true" />
      <h1 id="step-title" tabIndex={-1} className="text-3xl font-bold outline-none sm:text-4xl">
        {state.desired.personality?.name ?? 'Your agent'} is live!
      </h1>
      <ul className="grid max-w-md gap-3 text-left">
        {steps.map((s) => (
          <li key={s.text} className="flex gap-3 rounded-xl border border-card-border bg-card p-3 text-sm">
            <s.icon className="size-5 shrink-0 text-cyan-300" aria-hidden="true" /> {s.text}
          </li>
        ))}
      </ul>
      <Button asChild size="lg" className="bg-cyan-400 text-slate-950 hover:bg-cyan-300">
        <a href="/client/">Open your dashboard</a>
      </Button>
    </section>
  );
}
