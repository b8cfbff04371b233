'use client';
import { CheckCircle2, FlaskConical, KeyRound } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ApiError } from '@/lib/api';
import { useProductName } from '@/lib/brand';
import { cn } from '@/lib/utils';
import { call, errorText } from './api';
import { Field, StepFrame, SubmitFooter } from './field';
import { TestModeBadge } from './test-mode';
import type { StepProps } from './types';

const PROVIDERS = {
  anthropic: {
    name: 'Anthropic',
    where: 'console.anthropic.com → Settings → API keys',
    placeholder: 'sk-ant-api03-…',
    host: 'api.anthropic.com',
    billing: 'console.anthropic.com → Settings → Billing',
  },
  openrouter: {
    name: 'OpenRouter',
    where: 'openrouter.ai → Keys → Create key',
    placeholder: 'sk-or-v1-…',
    host: 'openrouter.ai',
    billing: 'openrouter.ai → Credits',
  },
} as const;

/** What to check after a failed key check, by the hub's reason code. */
function whatToCheck(code: string, p: (typeof PROVIDERS)[keyof typeof PROVIDERS], product: string): string[] {
  if (code.endsWith('_NO_NETWORK'))
    return [
      `This ${product} server could not reach ${p.host}: check its internet access, proxy and firewall.`,
      'Offline or only trying the product? Continue in test mode below.',
    ];
  if (code.endsWith('_BAD_KEY'))
    return [
      'Copy the whole key again (no spaces, nothing cut off).',
      `Check that it is a ${p.name} key and that it was not revoked (${p.where}).`,
    ];
  if (code.endsWith('_NO_CREDIT')) return [`Add credit or a payment method: ${p.billing}.`];
  if (code.endsWith('_PROVIDER_ERROR'))
    return [`${p.name} answered with an error: try again in a minute, or check its status page.`];
  return [];
}

/**
 * Screen 3: the model provider's API key. The hub checks it with a cheap real request (wrong key,
 * no network and no credit each get their own message) and stores it encrypted; it never comes back.
 */
export function Provider({ state, onSaved, next, back, query }: StepProps) {
  const [provider, setProvider] = useState<'anthropic' | 'openrouter'>(state.desired.provider ?? 'anthropic');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checks, setChecks] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const testMode = !!state.desired.testMode;
  const stored = state.secrets[provider];
  const p = PROVIDERS[provider];
  const product = useProductName();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) {
      if ((stored || testMode) && state.desired.provider === provider) return next();
      setChecks([]);
      return setError('Paste your API key, or continue in test mode');
    }
    setBusy(true);
    setError(null);
    setChecks([]);
    try {
      onSaved(await call('POST', '/provider', { provider, key: key.trim() }, query));
      setKey('');
      next();
    } catch (err) {
      setError(errorText(err));
      setChecks(err instanceof ApiError ? whatToCheck(err.code, p, product) : []);
    } finally {
      setBusy(false);
    }
  };

  const chooseTestMode = async () => {
    setBusy(true);
    setError(null);
    setChecks([]);
    try {
      onSaved(await call('POST', '/provider', { provider, testMode: true }, query));
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
              <KeyRound className="size-5 text-cyan-700 dark:text-cyan-300" aria-hidden="true" />
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
              <span className="inline-flex items-center gap-1 text-emerald-600 dark:text-emerald-400">
                <CheckCircle2 className="size-3.5" /> A checked key is stored. Paste a new one to replace it.
              </span>
            ) : (
              `Find it at ${p.where}`
            )
          }
          error={error ? (checks.length ? `${error}.` : error) : null}
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
        {checks.length > 0 && (
          <div className="rounded-xl border border-rose-500/30 bg-rose-500/5 p-3 text-sm" data-testid="what-to-check">
            <p className="font-medium">What to check</p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-muted-foreground">
              {checks.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </div>
        )}
        <div className="flex flex-col gap-3 rounded-xl border border-dashed border-amber-500/50 p-4 sm:flex-row sm:items-center sm:justify-between">
          <div className="grid gap-1 text-sm">
            <span className="flex flex-wrap items-center gap-2 font-medium">
              No key at hand? {testMode && <TestModeBadge />}
            </span>
            <span className="text-muted-foreground">
              Test mode lets you walk through every screen without a key. Nothing is checked or stored, and your agent
              is <strong>not live</strong> until you come back and add a real key.
            </span>
          </div>
          <Button type="button" variant="outline" className="shrink-0 gap-1.5" disabled={busy} onClick={chooseTestMode}>
            <FlaskConical className="size-4" aria-hidden="true" />
            {testMode ? 'Stay in test mode' : 'Continue in test mode'}
          </Button>
        </div>
      </StepFrame>
    </form>
  );
}
