'use client';
import { type FormEvent, useState } from 'react';
import { Input, Textarea } from '@/components/ui/input';
import { cn } from '@/lib/utils';
import { call, errorText } from './api';
import { Field, StepFrame, SubmitFooter } from './field';
import type { Personality as P, StepProps } from './types';

const TONES: { id: P['tone']; label: string; sample: (n: string, c: string) => string }[] = [
  { id: 'friendly', label: 'Friendly', sample: (n, c) => `Hi there! I'm ${n} from ${c} 😊 How can I help you today?` },
  {
    id: 'professional',
    label: 'Professional',
    sample: (n, c) => `Good day. This is ${n}, the assistant of ${c}. How may I assist you?`,
  },
  {
    id: 'playful',
    label: 'Playful',
    sample: (n, c) => `Hey hey! ${n} here, ${c}'s favourite helper. What are we solving today?`,
  },
  { id: 'concise', label: 'Concise', sample: (n, c) => `${n} (${c}). What do you need?` },
];
const EMOJIS = ['🤖', '✨', '🥐', '🛍️', '💼', '🩺', '📚', '🏡', '⚡', '🦊'];

/**
 * Screen 6: name, tone, avatar and custom instructions with a live preview. Saved as OpenClaw's
 * identity (agents.entries.main.identity) and persona files (SOUL.md, AGENTS.md, IDENTITY.md).
 */
export function Personality({ state, onSaved, next, back, query }: StepProps) {
  const cur = state.desired.personality;
  const company = state.desired.company?.name || state.clientName || 'your company';
  const [f, setF] = useState<P>(cur ?? { name: '', tone: 'friendly', emoji: '🤖', avatar: '', instructions: '' });
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState(false);
  const tone = TONES.find((t) => t.id === f.tone) ?? TONES[0];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string | null> = {};
    if (!f.name.trim()) errs.name = 'Give your agent a name';
    if (f.avatar && !/^https?:\/\/\S+$/.test(f.avatar)) errs.avatar = 'Use an image URL starting with https://';
    setErrors(errs);
    if (Object.values(errs).some(Boolean)) return;
    setBusy(true);
    try {
      onSaved(await call('PUT', '/personality', { ...f, name: f.name.trim() }, query));
      next();
    } catch (err) {
      setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <StepFrame
        title="Give your agent a personality"
        subtitle="Written to your agent as its identity and persona files (SOUL.md, AGENTS.md, IDENTITY.md)."
        footer={
          <SubmitFooter back={back} busy={busy}>
            Save personality
          </SubmitFooter>
        }
      >
        <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
          <div className="grid gap-4">
            <Field id="agentName" label="Agent name" error={errors.name}>
              {(a) => (
                <Input
                  {...a}
                  value={f.name}
                  maxLength={80}
                  placeholder="e.g. Crumb"
                  onChange={(e) => setF({ ...f, name: e.target.value })}
                  autoFocus
                />
              )}
            </Field>
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm">Tone</legend>
              <div className="flex flex-wrap gap-2">
                {TONES.map((t) => (
                  <label
                    key={t.id}
                    className={cn(
                      'cursor-pointer rounded-full border px-3 py-1.5 text-sm focus-within:ring-2 focus-within:ring-ring/40',
                      f.tone === t.id ? 'border-cyan-400/70 bg-cyan-400/10' : 'border-card-border',
                    )}
                  >
                    <input
                      type="radio"
                      name="tone"
                      className="sr-only"
                      checked={f.tone === t.id}
                      onChange={() => setF({ ...f, tone: t.id })}
                    />
                    {t.label}
                  </label>
                ))}
              </div>
            </fieldset>
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm">Avatar</legend>
              <div className="flex flex-wrap gap-1.5">
                {EMOJIS.map((em) => (
                  <label
                    key={em}
                    className={cn(
                      'grid size-10 cursor-pointer place-items-center rounded-lg border text-xl focus-within:ring-2 focus-within:ring-ring/40',
                      f.emoji === em ? 'border-cyan-400/70 bg-cyan-400/10' : 'border-card-border',
                    )}
                  >
                    <input
                      type="radio"
                      name="emoji"
                      className="sr-only"
                      aria-label={`Avatar ${em}`}
                      checked={f.emoji === em}
                      onChange={() => setF({ ...f, emoji: em })}
                    />
                    {em}
                  </label>
                ))}
              </div>
            </fieldset>
            <Field id="avatarUrl" label="Or an image URL (optional)" error={errors.avatar}>
              {(a) => (
                <Input
                  {...a}
                  type="url"
                  value={f.avatar}
                  placeholder="https://…"
                  onChange={(e) => setF({ ...f, avatar: e.target.value })}
                />
              )}
            </Field>
            <Field
              id="instructions"
              label="Custom instructions (optional)"
              hint="Facts, policies and things to always or never do"
              error={errors.form}
            >
              {(a) => (
                <Textarea
                  {...a}
                  rows={4}
                  value={f.instructions}
                  maxLength={8000}
                  onChange={(e) => setF({ ...f, instructions: e.target.value })}
                />
              )}
            </Field>
          </div>
          <aside
            aria-label="Live preview"
            className="grid content-start gap-3 rounded-2xl border border-card-border bg-slate-100/70 dark:bg-slate-950/40 p-4"
            data-testid="preview"
          >
            <p className="text-xs uppercase tracking-wide text-muted-foreground">Live preview</p>
            <div className="flex items-center gap-3">
              {f.avatar && /^https?:\/\//.test(f.avatar) ? (
                // biome-ignore lint/performance/noImgElement: static export, remote avatar URL
                <img src={f.avatar} alt="" className="size-10 rounded-full object-cover" />
              ) : (
                <span
                  className="grid size-10 place-items-center rounded-full bg-cyan-400/15 text-xl"
                  aria-hidden="true"
                >
                  {f.emoji}
                </span>
              )}
              <span className="font-semibold">{f.name || 'Your agent'}</span>
            </div>
            <p className="rounded-2xl rounded-tl-sm bg-cyan-400/10 px-3 py-2 text-sm">
              {tone.sample(f.name || 'your agent', company)}
            </p>
            {f.instructions.trim() && (
              <p className="text-xs text-muted-foreground">
                Also follows: {f.instructions.trim().slice(0, 140)}
                {f.instructions.length > 140 ? '…' : ''}
              </p>
            )}
          </aside>
        </div>
      </StepFrame>
    </form>
  );
}
