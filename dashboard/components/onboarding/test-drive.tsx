'use client';
import { ArrowRight, Loader2, SendHorizontal } from 'lucide-react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { DeploymentProgress } from '@/components/deploy/deployment-progress';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { api } from '@/lib/api';
import { useInstanceRoom, useLiveEvent } from '@/lib/live';
import { call, errorText } from './api';
import { BackButton, StepFrame } from './field';
import type { StepProps } from './types';

interface Turn {
  role: 'user' | 'agent';
  text: string;
  commandId?: string;
  state?: 'streaming' | 'done' | 'failed';
}
type CommandFrame = {
  id: string;
  status: string;
  progress?: { message?: string } | null;
  result?: unknown;
  error?: { message: string } | null;
};

const DRIFT: Record<string, string> = {
  in_sync: 'Your settings are live on the agent.',
  applying: 'Applying your settings to the agent…',
  pending: 'Your settings will be applied in a moment.',
  failed: 'Applying your settings failed',
  offline: 'Your agent’s server is not connected yet; settings are applied as soon as it connects.',
  model_differs: 'The agent reports a different model than chosen.',
};

/**
 * Screen 7: a live chat with the agent. The message goes hub → sidecar → OpenClaw (chat.send);
 * the reply streams back as the command's `running` progress on the live stream.
 */
export function TestDrive({ state, onSaved, next, back, query }: StepProps) {
  const inst = state.instances.find((i) => i.status === 'online') ?? state.instances[0];
  useInstanceRoom(inst?.id);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [msg, setMsg] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Frames can arrive before the POST returns the command id: keep them until it does.
  const early = useRef(new Map<string, CommandFrame[]>());
  const log = useRef<HTMLDivElement>(null);

  const apply = (f: CommandFrame) =>
    setTurns((ts) =>
      ts.map((t) => {
        if (t.commandId !== f.id || t.state !== 'streaming') return t;
        if (f.status === 'running' && f.progress?.message) return { ...t, text: t.text + f.progress.message };
        if (f.status === 'succeeded')
          return { ...t, text: (f.result as { text?: string })?.text ?? t.text, state: 'done' };
        if (['failed', 'timed_out', 'rejected', 'canceled'].includes(f.status))
          return { ...t, text: f.error?.message ?? `The agent did not answer (${f.status})`, state: 'failed' };
        return t;
      }),
    );
  useLiveEvent('command', (e) => {
    if (e.type !== 'chat.send') return;
    if (turns.some((t) => t.commandId === e.id)) apply(e);
    else early.current.set(e.id, [...(early.current.get(e.id) ?? []), e]);
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the conversation grows
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [turns]);
  // Refresh the drift line while settings are being applied.
  useEffect(() => {
    if (!inst || inst.drift === 'in_sync') return;
    const t = setInterval(
      () =>
        void call('GET', '', undefined, query)
          .then(onSaved)
          .catch(() => {}),
      2000,
    );
    return () => clearInterval(t);
  }, [inst, query, onSaved]);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const text = msg.trim();
    if (!text) return setError('Type a message first');
    setError(null);
    setBusy(true);
    try {
      const r = await api<{ commandId: string }>('/onboarding/test-drive', {
        method: 'POST',
        body: { message: text },
        query,
      });
      setMsg('');
      setTurns((ts) => [
        ...ts,
        { role: 'user', text },
        { role: 'agent', text: '', commandId: r.commandId, state: 'streaming' },
      ]);
      const pending = early.current.get(r.commandId) ?? [];
      early.current.delete(r.commandId);
      queueMicrotask(() => pending.forEach(apply));
      // A safety net if the live stream drops: the final state from the API.
      const poll = setInterval(async () => {
        const c = await api<CommandFrame & { status: string }>(`/commands/${r.commandId}`).catch(() => null);
        if (c && ['succeeded', 'failed', 'timed_out', 'rejected', 'canceled'].includes(c.status)) {
          clearInterval(poll);
          apply(c);
        }
      }, 3000);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const streaming = turns.some((t) => t.state === 'streaming');
  const finish = async () => {
    onSaved(await call('POST', '/steps/test/done', undefined, query));
    next();
  };

  return (
    <StepFrame
      title={`Say hello to ${state.desired.personality?.name ?? 'your agent'}`}
      subtitle={
        inst
          ? DRIFT[inst.drift] +
            (inst.drift === 'failed' && inst.applied?.error ? `: ${inst.applied.error.message}` : '')
          : 'Your agent’s server has not been set up yet; our team is provisioning it.'
      }
      footer={
        <>
          <BackButton onClick={back} />
          <Button type="button" onClick={() => void finish()} className="gap-1">
            {turns.some((t) => t.state === 'done') ? 'Go live' : 'Skip for now'} <ArrowRight className="size-4" />
          </Button>
        </>
      }
    >
      {inst?.status !== 'online' && <DeploymentProgress clientId={state.clientId} />}
      <div className="grid gap-3 rounded-2xl border border-card-border bg-slate-100/70 dark:bg-slate-950/40 p-3">
        <div
          ref={log}
          role="log"
          aria-live="polite"
          aria-label="Conversation"
          className="grid max-h-80 min-h-40 content-start gap-2 overflow-y-auto p-1"
        >
          {turns.length === 0 && (
            <p className="text-sm text-muted-foreground">Ask something your customers would ask.</p>
          )}
          {turns.map((t, i) => (
            <p
              // biome-ignore lint/suspicious/noArrayIndexKey: turns only grow
              key={i}
              data-role={t.role}
              data-state={t.state}
              className={
                t.role === 'user'
                  ? 'max-w-[85%] justify-self-end rounded-2xl rounded-br-sm bg-primary px-3 py-2 text-sm text-primary-foreground'
                  : `max-w-[85%] rounded-2xl rounded-bl-sm px-3 py-2 text-sm ${t.state === 'failed' ? 'bg-rose-500/15 text-rose-600 dark:text-rose-300' : 'bg-cyan-400/10'}`
              }
            >
              {t.text ||
                (t.state === 'streaming' ? (
                  <Loader2 className="size-4 animate-spin" aria-label="The agent is typing" />
                ) : (
                  ''
                ))}
            </p>
          ))}
        </div>
        <form onSubmit={send} className="flex gap-2" noValidate>
          <label htmlFor="chatMessage" className="sr-only">
            Message
          </label>
          <Input
            id="chatMessage"
            value={msg}
            onChange={(e) => setMsg(e.target.value)}
            placeholder="Type a message…"
            aria-invalid={!!error}
            aria-describedby={error ? 'chat-error' : undefined}
            disabled={!inst}
          />
          <Button type="submit" disabled={busy || streaming || !inst} aria-label="Send">
            {busy || streaming ? <Loader2 className="size-4 animate-spin" /> : <SendHorizontal className="size-4" />}
          </Button>
        </form>
        {error && (
          <p id="chat-error" role="alert" className="text-xs text-rose-600 dark:text-rose-400">
            {error}
          </p>
        )}
      </div>
    </StepFrame>
  );
}
