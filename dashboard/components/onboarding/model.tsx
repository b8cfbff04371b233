'use client';
import { MODEL_PRICES, monthlyEstimate, PRICES_REVIEWED } from '@protocol/models/prices';
import { Gauge, Star } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Input } from '@/components/ui/input';
import { cn } from '@/lib/utils';
import { call, errorText } from './api';
import { Field, StepFrame, SubmitFooter } from './field';
import type { StepProps } from './types';

const usd = (n: number) => (n < 10 ? `$${n.toFixed(2)}` : `$${Math.round(n).toLocaleString('en-US')}`);
const dots = (n: number, Icon: typeof Star, label: string) => (
  <span className="inline-flex gap-0.5" role="img" aria-label={`${label} ${n} of 3`}>
    {[1, 2, 3].map((i) => (
      <Icon
        key={i}
        className={cn('size-3.5', i <= n ? 'text-cyan-700 dark:text-cyan-300' : 'text-muted-foreground/30')}
        aria-hidden="true"
      />
    ))}
  </span>
);

/**
 * Screen 4: a visual picker over the repository's price table (per-million-token prices, speed,
 * quality) for the chosen provider, with the monthly cost estimate for the stated volume.
 */
export function ModelPicker({ state, onSaved, next, back, query }: StepProps) {
  const provider = state.desired.provider ?? 'anthropic';
  const models = MODEL_PRICES.filter((m) => m.provider === provider);
  const [model, setModel] = useState(
    state.desired.model && models.some((m) => m.id === state.desired.model)
      ? state.desired.model
      : (models[1] ?? models[0]).id,
  );
  const [perDay, setPerDay] = useState(String(state.desired.messagesPerDay ?? 100));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const n = Number(perDay);
  const valid = Number.isInteger(n) && n >= 1 && n <= 1_000_000;
  const estimate = valid ? monthlyEstimate(model, n) : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return setError('Enter a whole number of messages per day (1 or more)');
    setBusy(true);
    setError(null);
    try {
      onSaved(await call('PUT', '/model', { model, messagesPerDay: n }, query));
      next();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <StepFrame
        title="Pick a model"
        subtitle={`Prices per million tokens (input / output) as listed by the providers, reviewed ${PRICES_REVIEWED}.`}
        footer={
          <SubmitFooter back={back} busy={busy}>
            Use this model
          </SubmitFooter>
        }
      >
        <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          <legend className="sr-only">Model</legend>
          {models.map((m) => (
            <label
              key={m.id}
              className={cn(
                'grid cursor-pointer gap-2 rounded-xl border p-4 transition-all focus-within:ring-2 focus-within:ring-ring/40',
                model === m.id
                  ? 'border-cyan-400/70 bg-cyan-400/10 shadow-[0_0_24px_rgba(0,217,255,0.15)]'
                  : 'border-card-border bg-card hover:border-cyan-400/30',
              )}
            >
              <span className="flex items-center justify-between gap-2">
                <span className="font-semibold">{m.label}</span>
                <input
                  type="radio"
                  name="model"
                  value={m.id}
                  checked={model === m.id}
                  onChange={() => setModel(m.id)}
                  className="accent-cyan-400"
                />
              </span>
              <span className="text-xs text-muted-foreground">
                {m.vendor} · {m.blurb}
              </span>
              <span className="font-mono text-sm">
                ${m.inputPerMTok} / ${m.outputPerMTok}
              </span>
              <span className="flex items-center justify-between text-xs text-muted-foreground">
                <span className="inline-flex items-center gap-1">Speed {dots(m.speed, Gauge, 'speed')}</span>
                <span className="inline-flex items-center gap-1">Quality {dots(m.quality, Star, 'quality')}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="grid items-end gap-4 sm:grid-cols-2">
          <Field id="perDay" label="Agent replies per day (estimate)" error={error}>
            {(a) => <Input {...a} inputMode="numeric" value={perDay} onChange={(e) => setPerDay(e.target.value)} />}
          </Field>
          <output
            htmlFor="perDay"
            aria-live="polite"
            data-testid="estimate"
            className="rounded-xl border border-card-border bg-card p-3 text-sm"
          >
            <span className="block text-xs text-muted-foreground">Estimated model cost per month</span>
            <span className="text-xl font-bold text-cyan-700 dark:text-cyan-300">
              {estimate === null ? '—' : usd(estimate)}
            </span>
            <span className="block text-xs text-muted-foreground">~2,500 tokens in and 350 out per reply, 30 days</span>
          </output>
        </div>
      </StepFrame>
    </form>
  );
}
