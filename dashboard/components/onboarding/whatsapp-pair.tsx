'use client';
import { Loader2, QrCode, RefreshCw } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { api } from '@/lib/api';
import { useInstanceRoom, useLiveEvent } from '@/lib/live';
import { errorText } from './api';
import type { OnboardingState } from './types';

type Phase = 'idle' | 'starting' | 'waiting' | 'connected' | 'failed';
type Frame = {
  id: string;
  status: string;
  progress?: { message?: string; image?: string } | null;
  result?: unknown;
  error?: { code?: string; message: string } | null;
};
const ENDED = ['failed', 'timed_out', 'rejected', 'canceled'];

/** What the person should read for a failed pairing, from the command's end state. */
function reasonOf(f: Frame): string {
  if (f.status === 'timed_out') return 'The pairing timed out before the QR code was scanned. Start it again.';
  if (f.status === 'rejected')
    return `Your agent’s server refused the pairing: ${f.error?.message ?? f.error?.code ?? 'no reason given'}`;
  if (f.status === 'canceled') return 'The pairing was canceled.';
  return f.error?.message ?? 'The pairing failed without a reason.';
}

export interface PairStatus {
  phase: Phase;
  reason: string | null;
}

/**
 * WhatsApp pairing on the onboarding channels screen: the hub asks the client's instance to run
 * OpenClaw's QR login (command `channel.login`); every QR code OpenClaw shows arrives as the
 * command's progress on the live stream and replaces the one on screen, until the phone has
 * scanned it or the reason it cannot be is known (server offline, WhatsApp unreachable, timed out).
 */
export function WhatsAppPair({
  state,
  query,
  onStatus,
}: {
  state: OnboardingState;
  query: Record<string, string>;
  onStatus?: (s: PairStatus) => void;
}) {
  const inst = state.instances.find((i) => i.status === 'online' || i.status === 'paused') ?? state.instances[0];
  const [commandId, setCommandId] = useState<string | null>(null);
  const [instanceId, setInstanceId] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>('idle');
  const [qr, setQr] = useState<string | null>(null);
  const [qrCount, setQrCount] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  // Frames can arrive before the POST returns the command id: keep them until it does.
  const early = useRef(new Map<string, Frame[]>());
  const current = useRef<string | null>(null);
  const shown = useRef<string | null>(null);
  useInstanceRoom(instanceId ?? inst?.id);

  const report = useRef(onStatus);
  report.current = onStatus;
  useEffect(() => report.current?.({ phase, reason }), [phase, reason]);

  const apply = (f: Frame) => {
    if (f.id !== current.current) return;
    if (f.status === 'succeeded') {
      setPhase('connected');
      setQr(null);
      setMessage((f.result as { message?: string } | null)?.message ?? 'WhatsApp is linked.');
      setReason(null);
    } else if (ENDED.includes(f.status)) {
      setPhase('failed');
      setQr(null);
      setReason(reasonOf(f));
    } else if (f.progress?.image) {
      const image = f.progress.image;
      setPhase('waiting');
      if (shown.current !== image) {
        shown.current = image;
        setQr(image);
        setQrCount((n) => n + 1);
      }
      if (f.progress.message) setMessage(f.progress.message);
    }
  };
  useLiveEvent('command', (e) => {
    if (e.type !== 'channel.login') return;
    if (current.current === e.id) apply(e);
    else early.current.set(e.id, [...(early.current.get(e.id) ?? []), e]);
  });
  // A safety net if the live stream drops: the command's latest state from the API.
  // biome-ignore lint/correctness/useExhaustiveDependencies: apply reads refs and state setters only
  useEffect(() => {
    if (!commandId || phase === 'connected' || phase === 'failed') return;
    const t = setInterval(async () => {
      const c = await api<Frame>(`/commands/${commandId}`).catch(() => null);
      if (c) apply({ ...c, id: commandId });
    }, 3000);
    return () => clearInterval(t);
  }, [commandId, phase]);

  const start = async (force = false) => {
    setPhase('starting');
    setQr(null);
    setMessage(null);
    setReason(null);
    current.current = null;
    shown.current = null;
    try {
      const r = await api<{ commandId: string; instanceId: string }>('/onboarding/channels/whatsapp/pair', {
        method: 'POST',
        body: { force },
        query,
      });
      current.current = r.commandId;
      setCommandId(r.commandId);
      setInstanceId(r.instanceId);
      setMessage('Asking your agent’s server for a QR code…');
      const pending = early.current.get(r.commandId) ?? [];
      early.current.delete(r.commandId);
      for (const f of pending) apply(f);
    } catch (e) {
      setPhase('failed');
      setReason(errorText(e));
    }
  };

  const busy = phase === 'starting' || phase === 'waiting';
  return (
    <div className="grid gap-2" data-testid="whatsapp-pair" data-phase={phase}>
      <div className="flex flex-wrap gap-2">
        <Button
          type="button"
          variant={phase === 'connected' ? 'outline' : 'default'}
          className="gap-1 justify-self-start"
          disabled={busy}
          onClick={() => void start(phase === 'connected')}
        >
          {busy ? (
            <Loader2 className="size-4 animate-spin" aria-hidden="true" />
          ) : phase === 'failed' ? (
            <RefreshCw className="size-4" aria-hidden="true" />
          ) : (
            <QrCode className="size-4" aria-hidden="true" />
          )}
          {phase === 'connected' ? 'Pair another phone' : phase === 'failed' ? 'Try pairing again' : 'Pair WhatsApp'}
        </Button>
      </div>
      {qr && (
        <figure className="grid justify-items-start gap-1">
          {/* biome-ignore lint/performance/noImgElement: a data URL from OpenClaw, nothing to optimise */}
          <img
            src={qr}
            alt="WhatsApp pairing QR code: on the phone, open WhatsApp, Settings, Linked devices, Link a device, and scan it"
            width={220}
            height={220}
            className="rounded-lg bg-white p-2 [image-rendering:pixelated]"
            data-testid="whatsapp-qr"
            data-qr-count={qrCount}
          />
          <figcaption className="text-xs text-muted-foreground">
            The code changes every few seconds; scan the one shown.
          </figcaption>
        </figure>
      )}
      <div aria-live="polite" aria-atomic="true" className="text-sm" data-testid="whatsapp-pair-status">
        {phase === 'starting' && <p className="text-muted-foreground">{message ?? 'Starting…'}</p>}
        {phase === 'waiting' && message && <p className="text-muted-foreground">{message}</p>}
        {phase === 'connected' && <p className="text-emerald-600 dark:text-emerald-400">Connected. {message}</p>}
      </div>
      {phase === 'failed' && reason && (
        <p role="alert" className="text-sm text-rose-600 dark:text-rose-400" data-testid="whatsapp-pair-reason">
          {reason}
        </p>
      )}
    </div>
  );
}
