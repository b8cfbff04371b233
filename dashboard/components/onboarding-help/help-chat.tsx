'use client';
import type { OnboardingHelpMessageView } from '@protocol/api';
import { Bot, LifeBuoy, Loader2, Send, X } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ApiError, api } from '@/lib/api';
import { useLiveEvent, useLiveState } from '@/lib/live';
import { cn } from '@/lib/utils';

type Msg = OnboardingHelpMessageView;

/** Merges messages by id (a live frame and a reload may bring the same one), oldest first. */
function merge(prev: Msg[], more: Msg[]): Msg[] {
  const byId = new Map(prev.map((m) => [m.id, m]));
  for (const m of more) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * The onboarding portal's help chat, in the page's flow under the current screen (never over
 * it, so it hides no button of the screens): the client asks, the onboarding agent answers from the
 * client's own setup (channels' real status, key checks, help articles). Answers arrive on the
 * live stream; while the stream is down and a question waits, the thread is polled instead.
 */
export function HelpChat({ query }: { query: Record<string, string> }) {
  const [open, setOpen] = useState(false);
  const [messages, setMessages] = useState<Msg[]>([]);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const end = useRef<HTMLLIElement>(null);
  const live = useLiveState();
  const waiting = messages.some((m) => m.author === 'client' && m.status === 'pending');

  const load = useCallback(
    () =>
      api<{ messages: Msg[] }>('/onboarding/help', { query })
        .then((r) => setMessages((p) => merge(p, r.messages)))
        .catch((e) => setError(e instanceof ApiError ? e.message : 'Could not load the help chat')),
    [query],
  );
  useEffect(() => {
    if (open) void load();
  }, [open, load]);
  useLiveEvent('onboarding.help', (e) => setMessages((p) => merge(p, [e.message])), open);
  useEffect(() => {
    if (!open || !waiting || live.status === 'connected') return;
    const t = setInterval(() => void load(), 2000);
    return () => clearInterval(t);
  }, [open, waiting, live.status, load]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll to the newest message as it arrives
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [messages.length, open]);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    const q = text.trim();
    if (!q || sending) return;
    setSending(true);
    setError(null);
    try {
      const m = await api<Msg>('/onboarding/help', { method: 'POST', body: { text: q }, query });
      setMessages((p) => merge(p, [m]));
      setText('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not send your question; try again');
    } finally {
      setSending(false);
      input.current?.focus();
    }
  };

  if (!open)
    return (
      <div className="flex justify-end">
        <Button
          type="button"
          variant="outline"
          className="rounded-full"
          onClick={() => setOpen(true)}
          aria-expanded={false}
          aria-controls="onboarding-help"
        >
          <LifeBuoy aria-hidden="true" /> Ask for help
        </Button>
      </div>
    );

  return (
    <section
      id="onboarding-help"
      aria-label="Setup help"
      onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      className="ml-auto flex max-h-[min(32rem,80dvh)] w-full max-w-xl flex-col rounded-2xl border border-card-border bg-card text-card-foreground shadow-xl"
    >
      <header className="flex items-center justify-between gap-2 border-b border-card-border px-4 py-3">
        <h2 className="flex items-center gap-2 text-sm font-semibold">
          <Bot className="size-4 text-cyan-600 dark:text-cyan-300" aria-hidden="true" /> Setup help
        </h2>
        <Button type="button" variant="ghost" size="icon" onClick={() => setOpen(false)} aria-label="Close help">
          <X aria-hidden="true" />
        </Button>
      </header>
      <ol
        role="log"
        aria-live="polite"
        aria-label="Help conversation"
        className="grid flex-1 gap-2 overflow-y-auto px-4 py-3 text-sm"
      >
        {messages.length === 0 && (
          <li className="text-muted-foreground">
            Ask anything about your setup, like “why is WhatsApp not connected?” The answer comes from your own agent’s
            status.
          </li>
        )}
        {messages.map((m) => (
          <li
            key={m.id}
            data-author={m.author}
            className={cn(
              'max-w-[90%] whitespace-pre-line rounded-xl px-3 py-2',
              m.author === 'client'
                ? 'justify-self-end bg-cyan-500/15 text-foreground'
                : 'justify-self-start border border-card-border bg-muted/60',
            )}
          >
            <span className="sr-only">{m.author === 'client' ? 'You: ' : 'Helper: '}</span>
            {m.text}
          </li>
        ))}
        {waiting && (
          <li className="flex items-center gap-2 text-xs text-muted-foreground" data-testid="help-waiting">
            <Loader2 className="size-3 animate-spin" aria-hidden="true" /> Looking at your setup…
          </li>
        )}
        <li ref={end} aria-hidden="true" />
      </ol>
      <form onSubmit={send} className="grid gap-1 border-t border-card-border p-3">
        <div className="flex gap-2">
          <label htmlFor="help-question" className="sr-only">
            Your question
          </label>
          <Input
            id="help-question"
            ref={input}
            value={text}
            maxLength={2000}
            onChange={(e) => setText(e.target.value)}
            placeholder="Ask about your setup…"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'help-error' : undefined}
          />
          <Button type="submit" size="icon" disabled={sending || !text.trim()} aria-label="Send question">
            {sending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Send aria-hidden="true" />}
          </Button>
        </div>
        {error && (
          <p id="help-error" role="alert" className="text-xs text-rose-600 dark:text-rose-400">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
