'use client';
import { Loader2 } from 'lucide-react';
import { type ComponentProps, type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Label, Textarea } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { api } from '@/lib/api';
import { HARD_LIMIT_OPTIONS, type HardLimit, type Plan, parseCount, parseMoney } from '@/lib/billing';

const major = (cents: number) => (cents / 100).toFixed(2);

type Draft = {
  name: string;
  currency: string;
  price: string;
  includedMessages: string;
  includedTokens: string;
  overage: string;
  models: string;
  hardLimit: HardLimit;
  fallbackModel: string;
};

const draftOf = (p: Plan): Draft => ({
  name: p.name,
  currency: p.currency,
  price: major(p.priceCents),
  includedMessages: String(p.includedMessages),
  includedTokens: String(p.includedTokens),
  overage: major(p.overagePer1kMessagesCents),
  models: p.models.join('\n'),
  hardLimit: p.hardLimit,
  fallbackModel: p.fallbackModel ?? '',
});

/** The PATCH body, or the first field the browser can already tell is wrong. */
function bodyOf(d: Draft): { body: Record<string, unknown> } | { field: keyof Draft; error: string } {
  const priceCents = parseMoney(d.price);
  if (priceCents === null) return { field: 'price', error: 'Price: an amount such as 49 or 49.50' };
  const overage = parseMoney(d.overage);
  if (overage === null) return { field: 'overage', error: 'Overage: an amount such as 12 or 12.50' };
  const includedMessages = parseCount(d.includedMessages);
  if (includedMessages === null) return { field: 'includedMessages', error: 'Included messages: a whole number' };
  const includedTokens = parseCount(d.includedTokens);
  if (includedTokens === null) return { field: 'includedTokens', error: 'Included tokens: a whole number' };
  const models = d.models
    .split(/[\n,]/)
    .map((m) => m.trim())
    .filter(Boolean);
  const fallbackModel = d.fallbackModel.trim() || null;
  if (d.hardLimit === 'model' && !fallbackModel)
    return { field: 'fallbackModel', error: 'Cheaper model: needed when the hard limit switches models' };
  return {
    body: {
      name: d.name.trim(),
      currency: d.currency.trim().toUpperCase(),
      priceCents,
      includedMessages,
      includedTokens,
      overagePer1kMessagesCents: overage,
      models,
      hardLimit: d.hardLimit,
      fallbackModel,
    },
  };
}

/**
 * Edits one plan (PATCH /plans/:id). Enter submits; what the browser can check is checked before
 * sending, and the hub's own validation message is shown as it answered.
 */
export function PlanForm({ plan, onSaved }: { plan: Plan; onSaved: (p: Plan) => void }) {
  const [d, setD] = useState<Draft>(() => draftOf(plan));
  const [error, setError] = useState<{ field?: keyof Draft; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setD({ ...d, [k]: e.target.value });
  const id = (k: keyof Draft) => `plan-${plan.id}-${k}`;
  const invalid = (k: keyof Draft) => (error?.field === k ? { 'aria-invalid': true as const } : {});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const out = bodyOf(d);
    if ('error' in out) {
      setError({ field: out.field, message: out.error });
      document.getElementById(id(out.field))?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await api<Plan>(`/plans/${encodeURIComponent(plan.id)}`, { method: 'PATCH', body: out.body }));
    } catch (err) {
      setError({ message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const field = (k: keyof Draft, label: string, props: ComponentProps<typeof Input> = {}) => (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id(k)}>{label}</Label>
      <Input id={id(k)} value={d[k]} onChange={set(k)} {...invalid(k)} {...props} />
    </div>
  );

  return (
    <form className="flex flex-col gap-3" onSubmit={submit} noValidate data-testid="plan-form">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        {field('name', 'Name', { required: true, maxLength: 80 })}
        {field('currency', 'Currency (ISO code)', { maxLength: 3, autoCapitalize: 'characters' })}
        {field('price', 'Price a month', { inputMode: 'decimal' })}
        {field('overage', 'Overage per 1,000 messages', { inputMode: 'decimal' })}
        {field('includedMessages', 'Included messages', { inputMode: 'numeric' })}
        {field('includedTokens', 'Included tokens', { inputMode: 'numeric' })}
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={id('models')}>Allowed models (one per line; none listed allows any)</Label>
        <Textarea
          id={id('models')}
          value={d.models}
          onChange={set('models')}
          placeholder="anthropic/claude-haiku-4-5"
          className="font-mono text-xs"
          {...invalid('models')}
        />
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label>At the hard budget</Label>
          <SimpleSelect
            aria-label="At the hard budget"
            value={d.hardLimit}
            onValueChange={(v) => setD({ ...d, hardLimit: v as HardLimit })}
            options={HARD_LIMIT_OPTIONS}
          />
        </div>
        {field('fallbackModel', 'Cheaper model', { placeholder: 'anthropic/claude-haiku-4-5' })}
      </div>
      {error && (
        <p className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
          {error.message}
        </p>
      )}
      <div className="flex justify-end">
        <Button type="submit" variant="accent" disabled={busy}>
          {busy && <Loader2 className="animate-spin" />} Save plan
        </Button>
      </div>
    </form>
  );
}
