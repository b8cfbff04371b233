'use client';
import { CheckCircle2, KeyRound } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Input } from '@/components/ui/input';
import { cn } from '@/lib/utils';
import { call, errorText } from './api';
import { Field, StepFrame, SubmitFooter } from './field';
import type { StepProps } from './types';

const PROVIDERS = {
  anthropic: {
    name: 'Anthropic',
    where: 'console.anthropic.com → Settings → API keys',
    placeholder: 'sk-ant-api03-…',
  },
  openrouter: {
    name: 'OpenRouter',
    where: 'openrouter.ai → Keys → Create key',
    placeholder: 'sk-or-v1-…',
  },
} as const;

/**
 * Screen 3: the model provider's API key. The hub checks it with a cheap real request (wrong key,
 * no network and no credit each get their own message) and stores it encrypted; it never comes back.
 */
export function Provider({ state, onSaved, next, back, query }: StepProps) {
  const [provider, setProvider] = useState<'anthropic' | 'openrouter'>(state.desired.provider ?? 'anthropic');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stored = state.secrets[provider];
  const p = PROVIDERS[provider];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) {
      if (stored && state.desired.provider === provider) return next();
      return setError('Paste your API key');
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await call('POST', '/provider', { provider, key: key.trim() }, query));
      setKey('');
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
        title="Connect your AI provider"
        subtitle="Your agent thinks with your own model account. We check the key with a tiny real request and store it encrypted."
        footer={
          <SubmitFooter back={back} busy={busy}>
            {busy ? 'Checking the key…' : key ? 'Check key and continue' : 'Continue'}
          </SubmitFooter>
        }
      >
        <fieldset className="grid gap-3 sm:grid-cols-2">
          <legend className="sr-only">Provider</legend>
          {(Object.keys(PROVIDERS) as (keyof typeof PROVIDERS)[]).map((id) => (
            <label
              key={id}
              className={cn(
                'flex cursor-pointer items-center gap-3 rounded-xl border p-4 transition-colors focus-within:ring-2 focus-within:ring-ring/40',
                provider === id
                  ? 'border-cyan-400/60 bg-cyan-400/10'
                  : 'border-card-border bg-card hover:border-cyan-400/30',
              )}
            >
              <input
                type="radio"
                name="provider"
                value={id}
                checked={provider === id}
                onChange={() => {
                  setProvider(id);
                  setError(null);
                }}
                className="accent-cyan-400"
              />
              <KeyRound className="size-5 text-cyan-300" aria-hidden="true" />
              <span className="grid">
                <span className="font-medium">{PROVIDERS[id].name}</span>
                <span className="text-xs text-muted-foreground">
                  {state.secrets[id]
                    ? 'Key stored'
                    : id === 'anthropic'
                      ? 'Claude models, direct'
                      : 'Many models, one key'}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <Field
          id="apiKey"
          label={`${p.name} API key`}
          hint={
            stored ? (
              <span className="inline-flex items-center gap-1 text-emerald-400">
                <CheckCircle2 className="size-3.5" /> A checked key is stored. Paste a new one to replace it.
              </span>
            ) : (
              `Find it at ${p.where}`
            )
          }
          error={error}
        >
          {(a) => (
            <Input
              {...a}
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder={p.placeholder}
              value={key}
              onChange={(e) => setKey(e.target.value)}
              className="font-mono"
            />
          )}
        </Field>
      </StepFrame>
    </form>
  );
}
