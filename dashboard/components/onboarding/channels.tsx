'use client';
import { ArrowRight, CheckCircle2, Hash, Loader2, Mail, MessageCircle, Send, XCircle } from 'lucide-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { call, errorText } from './api';
import { BackButton, Field, StepFrame } from './field';
import type { StepProps } from './types';
import { type PairStatus, WhatsAppPair } from './whatsapp-pair';

function Card({
  icon,
  title,
  status,
  children,
}: {
  icon: ReactNode;
  title: string;
  status: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-label={title} className="grid gap-3 rounded-xl border border-card-border bg-card p-4">
      <header className="flex items-center justify-between gap-2">
        <h2 className="flex items-center gap-2 font-semibold">
          {icon} {title}
        </h2>
        {status}
      </header>
      {children}
    </section>
  );
}

const Connected = ({ children }: { children: ReactNode }) => (
  <span
    className="inline-flex items-center gap-1 text-xs font-medium text-emerald-600 dark:text-emerald-400"
    data-testid="connected"
  >
    <CheckCircle2 className="size-3.5" aria-hidden="true" /> {children}
  </span>
);
const NotConnected = ({ children }: { children: ReactNode }) => (
  <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
    <XCircle className="size-3.5" aria-hidden="true" /> {children}
  </span>
);

/**
 * A channel whose token the hub accepted: shown connected unless the agent itself reports the
 * channel down, then with the agent's reason.
 */
const AgentView = ({
  channel,
  children,
}: {
  channel: { connected: boolean; error: string | null } | undefined;
  children: ReactNode;
}) =>
  channel && !channel.connected ? (
    <NotConnected>
      <span data-testid="agent-channel-error">Agent reports: {channel.error ?? 'not connected'}</span>
    </NotConnected>
  ) : (
    children
  );

/**
 * Screen 5: channels. Telegram and Slack tokens are checked by the hub against the Bot API
 * (getMe) and Slack (auth.test, apps.connections.open); WhatsApp pairs by QR on the instance;
 * OpenClaw has no email channel, only a Gmail hook.
 */
export function Channels({ state, onSaved, next, back, query }: StepProps) {
  const ch = state.desired.channels ?? {};
  const [tg, setTg] = useState('');
  const [sl, setSl] = useState({ botToken: '', appToken: '' });
  const [err, setErr] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [doneErr, setDoneErr] = useState<string | null>(null);
  const [live, setPair] = useState<PairStatus | null>(null);
  // Before a pairing on this page, the last one the hub knows of (it survives a reload).
  const pair = live && live.phase !== 'idle' ? live : null;
  const lastPair = state.whatsappPairing;
  const reported = state.reportedChannels ?? {};
  // The agent's own word wins over the last pairing command: a session can be linked elsewhere or lost.
  const waPaired = pair
    ? pair.phase === 'connected'
    : (reported.whatsapp?.connected ?? lastPair?.status === 'succeeded');
  const waReason =
    pair?.phase === 'failed'
      ? 'Not paired'
      : pair
        ? null
        : reported.whatsapp?.error
          ? `Agent reports: ${reported.whatsapp.error}`
          : lastPair && ['failed', 'timed_out', 'rejected'].includes(lastPair.status)
            ? `Last pairing failed: ${lastPair.message ?? lastPair.status}`
            : null;

  const run = async (which: string, f: () => Promise<unknown>) => {
    setBusy(which);
    setErr((e) => ({ ...e, [which]: null }));
    try {
      await f();
    } catch (e) {
      setErr((x) => ({ ...x, [which]: errorText(e) }));
    } finally {
      setBusy(null);
    }
  };
  const telegram = (e: FormEvent) => {
    e.preventDefault();
    if (!tg.trim()) return setErr((x) => ({ ...x, telegram: 'Paste the token @BotFather gave you' }));
    void run('telegram', async () => {
      onSaved(await call('POST', '/channels/telegram', { botToken: tg.trim() }, query));
      setTg('');
    });
  };
  const slack = (e: FormEvent) => {
    e.preventDefault();
    if (!sl.botToken.trim() || !sl.appToken.trim()) return setErr((x) => ({ ...x, slack: 'Paste both tokens' }));
    void run('slack', async () => {
      onSaved(await call('POST', '/channels/slack', sl, query));
      setSl({ botToken: '', appToken: '' });
    });
  };
  const finish = async () => {
    setDoneErr(null);
    try {
      onSaved(await call('POST', '/steps/channels/done', undefined, query));
      next();
    } catch (e) {
      setDoneErr(errorText(e));
    }
  };

  return (
    <StepFrame
      title="Where should your agent talk?"
      subtitle="Connect one or more channels now, or later from your dashboard."
      footer={
        <>
          <BackButton onClick={back} />
          {doneErr && (
            <p role="alert" className="text-sm text-rose-600 dark:text-rose-400">
              {doneErr}
            </p>
          )}
          <Button type="button" onClick={finish} className="gap-1">
            Continue <ArrowRight className="size-4" />
          </Button>
        </>
      }
    >
      <div className="grid gap-4 lg:grid-cols-2">
        <Card
          icon={<Send className="size-4 text-sky-400" aria-hidden="true" />}
          title="Telegram"
          status={
            ch.telegram?.enabled ? (
              <AgentView channel={reported.telegram}>
                <Connected>@{ch.telegram.username}</Connected>
              </AgentView>
            ) : (
              <NotConnected>Not connected</NotConnected>
            )
          }
        >
          <form onSubmit={telegram} noValidate className="grid gap-2">
            <Field
              id="tgToken"
              label="Bot token"
              hint="Create a bot with @BotFather (/newbot) and paste its token"
              error={err.telegram}
            >
              {(a) => (
                <Input
                  {...a}
                  type="password"
                  autoComplete="off"
                  placeholder="123456789:AA…"
                  value={tg}
                  onChange={(e) => setTg(e.target.value)}
                  className="font-mono"
                />
              )}
            </Field>
            <Button type="submit" variant="outline" disabled={busy === 'telegram'} className="justify-self-start">
              {busy === 'telegram' && <Loader2 className="size-4 animate-spin" />}{' '}
              {ch.telegram ? 'Replace token' : 'Connect Telegram'}
            </Button>
          </form>
        </Card>
        <Card
          icon={<Hash className="size-4 text-fuchsia-400" aria-hidden="true" />}
          title="Slack"
          status={
            ch.slack?.enabled ? (
              <AgentView channel={reported.slack}>
                <Connected>{ch.slack.team}</Connected>
              </AgentView>
            ) : (
              <NotConnected>Not connected</NotConnected>
            )
          }
        >
          <form onSubmit={slack} noValidate className="grid gap-2">
            <Field id="slackBot" label="Bot token (xoxb-…)" hint="OAuth & Permissions → Bot User OAuth Token">
              {(a) => (
                <Input
                  {...a}
                  type="password"
                  autoComplete="off"
                  value={sl.botToken}
                  onChange={(e) => setSl({ ...sl, botToken: e.target.value })}
                  className="font-mono"
                />
              )}
            </Field>
            <Field
              id="slackApp"
              label="App-level token (xapp-…)"
              hint="Basic Information → App-Level Tokens (connections:write), Socket Mode on"
              error={err.slack}
            >
              {(a) => (
                <Input
                  {...a}
                  type="password"
                  autoComplete="off"
                  value={sl.appToken}
                  onChange={(e) => setSl({ ...sl, appToken: e.target.value })}
                  className="font-mono"
                />
              )}
            </Field>
            <Button type="submit" variant="outline" disabled={busy === 'slack'} className="justify-self-start">
              {busy === 'slack' && <Loader2 className="size-4 animate-spin" />}{' '}
              {ch.slack ? 'Replace tokens' : 'Connect Slack'}
            </Button>
          </form>
        </Card>
        <Card
          icon={<MessageCircle className="size-4 text-emerald-600 dark:text-emerald-400" aria-hidden="true" />}
          title="WhatsApp"
          status={
            !ch.whatsapp?.enabled ? (
              <NotConnected>Off</NotConnected>
            ) : waPaired ? (
              <Connected>Paired</Connected>
            ) : (
              <NotConnected>{waReason ?? 'On, not paired yet'}</NotConnected>
            )
          }
        >
          <p className="text-sm text-muted-foreground">
            WhatsApp has no token: your agent&apos;s server shows a QR code here, and you scan it with the phone that
            owns the number (WhatsApp → Settings → Linked devices → Link a device).
          </p>
          {ch.whatsapp?.enabled && <WhatsAppPair state={state} query={query} onStatus={setPair} />}
          <Button
            type="button"
            variant="ghost"
            className="justify-self-start"
            disabled={busy === 'whatsapp'}
            onClick={() =>
              void run('whatsapp', async () =>
                onSaved(await call('PUT', '/channels/whatsapp', { enabled: !ch.whatsapp?.enabled }, query)),
              )
            }
          >
            {ch.whatsapp?.enabled ? 'Turn WhatsApp off' : 'Enable WhatsApp'}
          </Button>
          {err.whatsapp && (
            <p role="alert" className="text-xs text-rose-600 dark:text-rose-400">
              {err.whatsapp}
            </p>
          )}
        </Card>
        <Card
          icon={<Mail className="size-4 text-amber-600 dark:text-amber-400" aria-hidden="true" />}
          title="Email"
          status={<NotConnected>Not available</NotConnected>}
        >
          <p className="text-sm text-muted-foreground">
            OpenClaw has no email channel, so your agent cannot answer emails as a conversation. It can react to new
            Gmail messages through OpenClaw&apos;s Gmail hook (Gmail Pub/Sub push), for example to summarise or triage
            them; ask us to set it up after launch.
          </p>
        </Card>
      </div>
    </StepFrame>
  );
}
