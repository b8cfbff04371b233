'use client';
import { Check, Loader2 } from 'lucide-react';
import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { HelpChat } from '@/components/onboarding-help/help-chat';
import { Logo } from '@/components/shell/logo';
import { isOperator, useAuth } from '@/lib/auth';
import { useProductName } from '@/lib/brand';
import { cn } from '@/lib/utils';
import { call, errorText } from './api';
import { Channels } from './channels';
import { Company } from './company';
import { ModelPicker } from './model';
import { Personality } from './personality';
import { Provider } from './provider';
import { missingForLive } from './readiness';
import { Success } from './success';
import { TestDrive } from './test-drive';
import { TestModeBadge } from './test-mode';
import { type OnboardingState, SCREENS, type ScreenId } from './types';
import { Welcome } from './welcome';

/** The first screen not done yet (the place to resume). */
const resumeAt = (s: OnboardingState): number => {
  const i = SCREENS.findIndex(
    (x) => x.id !== 'welcome' && !s.completed.includes(x.id) && !(x.id === 'test' && s.completed.includes('success')),
  );
  return i < 0 ? SCREENS.length - 1 : i;
};

/**
 * The eight onboarding screens. Progress lives on the hub (saved after every step), so a person
 * can leave and come back to where they were, or go back and change an answer.
 */
export function OnboardingFlow() {
  const { user, ready } = useAuth();
  const params = useSearchParams();
  const product = useProductName();
  const query = useMemo<Record<string, string>>(() => {
    const c = params.get('clientId');
    const q: Record<string, string> = {};
    if (c) q.clientId = c;
    return q;
  }, [params]);
  const [state, setState] = useState<OnboardingState | null>(null);
  const [at, setAt] = useState(0);
  const [loadErr, setLoadErr] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  // Resume only on arrival: after a sign-up on screen 2 the company screen itself moves on.
  const atRef = useRef(0);
  atRef.current = at;

  useEffect(() => {
    if (!ready || !user || state) return;
    if (isOperator(user) && !query.clientId) return setLoadErr('Open this page from Clients (it needs ?clientId=).');
    setLoading(true);
    call('GET', '', undefined, query)
      .then((s) => {
        setState(s);
        if (atRef.current === 0) setAt(resumeAt(s));
      })
      .catch((e) => setLoadErr(errorText(e)))
      .finally(() => setLoading(false));
  }, [ready, user, state, query]);

  const pills = useRef<HTMLOListElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: move focus to the new screen's title
  useEffect(() => {
    document.getElementById('step-title')?.focus();
    // On a narrow screen the row of steps scrolls: keep the current one in view.
    pills.current?.querySelector('[aria-current="step"]')?.scrollIntoView({ block: 'nearest', inline: 'center' });
  }, [at]);

  const id: ScreenId = SCREENS[at].id;
  useEffect(() => {
    // Finishing marks the client active: only once the agent really is live, not in test mode.
    if (
      id === 'success' &&
      state &&
      !state.completed.includes('success') &&
      missingForLive(state, product).length === 0
    )
      void call('POST', '/steps/success/done', undefined, query)
        .then(setState)
        .catch(() => {});
  }, [id, state, query, product]);

  // While the last screen waits for the agent, refresh what is still missing.
  const waiting = id === 'success' && !!state && missingForLive(state, product).length > 0;
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(
      () =>
        void call('GET', '', undefined, query)
          .then(setState)
          .catch(() => {}),
      5000,
    );
    return () => clearInterval(t);
  }, [waiting, query]);

  const next = useCallback(() => setAt((i) => Math.min(SCREENS.length - 1, i + 1)), []);
  const back = useCallback(() => setAt((i) => Math.max(0, i - 1)), []);
  const onSaved = useCallback((s: OnboardingState) => setState(s), []);
  const reachable = (i: number) => !!state && (i <= resumeAt(state) || state.completed.includes(SCREENS[i].id));

  let body: React.ReactNode;
  if (!ready || loading)
    body = <Loader2 className="mx-auto size-6 animate-spin text-muted-foreground" aria-label="Loading" />;
  else if (loadErr)
    body = (
      <p role="alert" className="text-rose-600 dark:text-rose-400">
        {loadErr}
      </p>
    );
  else if (id === 'welcome')
    body = <Welcome signedIn={!!state} onStart={() => setAt(state ? Math.max(1, resumeAt(state)) : 1)} />;
  else if (id === 'company' || !state)
    body = <Company state={state} onSaved={onSaved} next={next} back={back} query={query} />;
  else {
    const props = { state, onSaved, next, back, query };
    body =
      id === 'provider' ? (
        <Provider {...props} />
      ) : id === 'model' ? (
        <ModelPicker {...props} />
      ) : id === 'channels' ? (
        <Channels {...props} />
      ) : id === 'personality' ? (
        <Personality {...props} />
      ) : id === 'test' ? (
        <TestDrive {...props} />
      ) : (
        <Success state={state} />
      );
  }

  return (
    <div className="min-h-dvh bg-gradient-to-br from-background via-background-2 to-background text-foreground">
      <div className="mx-auto grid max-w-5xl grid-cols-[minmax(0,1fr)] gap-6 px-4 py-6 sm:px-6">
        <header className="flex items-center justify-between gap-4">
          <Logo />
          <span className="flex min-w-0 items-center gap-2">
            {state?.desired.testMode && <TestModeBadge />}
            {state && <span className="truncate text-xs text-muted-foreground">{state.clientName}</span>}
          </span>
        </header>
        <nav aria-label="Onboarding steps" className="grid gap-1">
          <p className="text-xs text-muted-foreground sm:hidden" data-testid="step-of">
            Step {at + 1} of {SCREENS.length}: <span className="font-medium text-foreground">{SCREENS[at].title}</span>
          </p>
          <ol ref={pills} className="flex gap-1 overflow-x-auto pb-1 sm:gap-2">
            {SCREENS.map((s, i) => {
              const done = !!state?.completed.includes(s.id);
              const can = i === 0 || reachable(i);
              return (
                <li key={s.id} className="shrink-0">
                  <button
                    type="button"
                    onClick={() => can && setAt(i)}
                    disabled={!can}
                    aria-current={i === at ? 'step' : undefined}
                    className={cn(
                      'flex items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring/50',
                      i === at
                        ? 'border-cyan-400/70 bg-cyan-400/15 text-cyan-900 dark:text-cyan-100'
                        : 'border-card-border bg-card text-muted-foreground',
                      !can && 'opacity-50',
                    )}
                  >
                    <span
                      className={cn(
                        'grid size-4 place-items-center rounded-full text-[10px]',
                        done ? 'bg-emerald-500 text-white' : 'bg-muted',
                      )}
                    >
                      {done ? <Check className="size-3" aria-hidden="true" /> : i + 1}
                    </span>
                    <span className="whitespace-nowrap">{s.title}</span>
                    {done && <span className="sr-only">(done)</span>}
                  </button>
                </li>
              );
            })}
          </ol>
        </nav>
        <main className="rounded-3xl border border-card-border bg-card/60 p-5 shadow-2xl backdrop-blur-xl sm:p-8">
          {body}
        </main>
        {state && <HelpChat query={query} />}
      </div>
    </div>
  );
}
