'use client';
import { Loader2, SquareTerminal, TriangleAlert } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { ApiError, api } from '@/lib/api';
import { getSocket } from '@/lib/live';

type Phase =
  | { kind: 'connecting' }
  | { kind: 'open'; sessionId: string }
  | { kind: 'closed'; message: string }
  | { kind: 'error'; message: string };

/**
 * A terminal on the instance: POST /instances/:id/console opens a session, output arrives as
 * `console.output` live events, keystrokes go back as `console.input`, with `console.ack` flow
 * control and `console.resize` on size changes.
 */
export function ConsoleButton({
  instanceId,
  hostname,
  compact,
}: {
  instanceId: string;
  hostname: string;
  /** An icon-only button (on fleet tiles). */
  compact?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      {compact ? (
        <Button
          variant="ghost"
          size="icon"
          className="size-6"
          onClick={() => setOpen(true)}
          aria-label={`Console on ${hostname}`}
          title="Console"
          data-testid="tile-console"
        >
          <SquareTerminal className="size-3.5" />
        </Button>
      ) : (
        <Button variant="outline" size="sm" onClick={() => setOpen(true)} data-testid="action-console">
          <SquareTerminal /> Console
        </Button>
      )}
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="max-w-4xl">
          <DialogHeader>
            <DialogTitle>Console · {hostname}</DialogTitle>
            <DialogDescription>
              A shell on the instance, through the hub. Everything typed here is audited.
            </DialogDescription>
          </DialogHeader>
          {open && <ConsoleSession instanceId={instanceId} />}
        </DialogContent>
      </Dialog>
    </>
  );
}

function ConsoleSession({ instanceId }: { instanceId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'connecting' });

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
      if (disposed || !host.current) return;
      const term = new Terminal({
        fontFamily: "'JetBrains Mono Variable', monospace",
        fontSize: 13,
        cursorBlink: true,
        theme: { background: '#020617', foreground: '#e2e8f0', cursor: '#00d9ff' },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      fit.fit();
      let session: { sessionId: string };
      try {
        session = await api<{ sessionId: string }>(`/instances/${encodeURIComponent(instanceId)}/console`, {
          body: { cols: term.cols, rows: term.rows },
        });
      } catch (e) {
        term.dispose();
        if (disposed) return;
        const msg =
          e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)
            ? 'The console is not available on this hub yet. It needs the hub’s console relay and a sidecar with terminal support.'
            : (e as Error).message;
        setPhase({ kind: 'error', message: msg });
        return;
      }
      if (disposed) return;
      const { sessionId } = session;
      setPhase({ kind: 'open', sessionId });
      const s = getSocket();
      const onOut = (e: { sessionId: string; data: string }) => {
        if (e.sessionId !== sessionId) return;
        term.write(e.data, () => s.emit('console.ack', { sessionId, bytes: e.data.length }));
      };
      const onExit = (e: { sessionId: string; code: number | null; reason?: string }) => {
        if (e.sessionId !== sessionId) return;
        setPhase({
          kind: 'closed',
          message: `Session ended${e.code !== null ? ` (exit ${e.code})` : ''}${e.reason ? `: ${e.reason}` : ''}`,
        });
      };
      s.on('console.output', onOut);
      s.on('console.exit', onExit);
      const input = term.onData((data) => s.emit('console.input', { sessionId, data }));
      const resize = term.onResize(({ cols, rows }) => s.emit('console.resize', { sessionId, cols, rows }));
      const ro = new ResizeObserver(() => fit.fit());
      ro.observe(host.current);
      term.focus();
      cleanup = () => {
        ro.disconnect();
        input.dispose();
        resize.dispose();
        s.off('console.output', onOut);
        s.off('console.exit', onExit);
        api(`/instances/${encodeURIComponent(instanceId)}/console/${encodeURIComponent(sessionId)}`, {
          method: 'DELETE',
        }).catch(() => {});
        term.dispose();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [instanceId]);

  return (
    <div className="flex flex-col gap-2">
      {phase.kind === 'error' ? (
        <div
          className="flex items-start gap-3 rounded-lg border border-warning/30 bg-warning/10 p-4 text-sm"
          role="alert"
          data-testid="console-unavailable"
        >
          <TriangleAlert className="mt-0.5 size-4 shrink-0 text-warning" />
          <p>{phase.message}</p>
        </div>
      ) : (
        <>
          <div ref={host} className="h-[50dvh] overflow-hidden rounded-lg border border-border bg-[#020617] p-2" />
          <p className="flex items-center gap-2 text-xs text-muted-foreground">
            {phase.kind === 'connecting' && <Loader2 className="size-3 animate-spin" />}
            {phase.kind === 'connecting'
              ? 'Opening a session…'
              : phase.kind === 'open'
                ? `Session ${phase.sessionId}`
                : phase.message}
          </p>
        </>
      )}
    </div>
  );
}
