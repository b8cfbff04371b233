'use client';
import type { Terminal } from '@xterm/xterm';
import { Pause, Play, RotateCcw } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { type Asciicast, parseResize } from '@/lib/asciicast';

/** Seconds of the recording played: banked time plus the running stretch, if playing. */
const elapsed = (played: number, startedAt: number | null) =>
  played + (startedAt === null ? 0 : (performance.now() - startedAt) / 1000);

/**
 * Plays an asciicast recording in xterm.js at real speed, with pause/resume and restart. Time
 * runs from a clock that stops while paused, so resuming continues where it stopped.
 */
export function CastPlayer({ cast }: { cast: Asciicast }) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const next = useRef(0);
  const played = useRef(0); // seconds of the recording already played
  const startedAt = useRef<number | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [playing, setPlaying] = useState(false);
  const [ready, setReady] = useState(false);
  const [pos, setPos] = useState(0);
  const total = cast.events.at(-1)?.t ?? 0;

  const now = () => elapsed(played.current, startedAt.current);

  const step = useCallback(() => {
    const t = term.current;
    if (!t) return;
    const at = elapsed(played.current, startedAt.current);
    while (next.current < cast.events.length && cast.events[next.current].t <= at) {
      const e = cast.events[next.current++];
      if (e.kind === 'o') t.write(e.data);
      else {
        const r = parseResize(e.data);
        if (r) t.resize(r.cols, r.rows);
      }
    }
    setPos(Math.min(at, total));
    if (next.current >= cast.events.length) {
      played.current = total;
      startedAt.current = null;
      setPlaying(false);
      return;
    }
    const wait = (cast.events[next.current].t - at) * 1000;
    timer.current = setTimeout(step, Math.max(0, Math.min(wait, 250)));
  }, [cast, total]);

  useEffect(() => {
    let disposed = false;
    (async () => {
      const { Terminal } = await import('@xterm/xterm');
      if (disposed || !host.current) return;
      const t = new Terminal({
        cols: cast.width,
        rows: cast.height,
        convertEol: false,
        disableStdin: true,
        fontSize: 13,
      });
      t.open(host.current);
      term.current = t;
      setReady(true);
    })();
    return () => {
      disposed = true;
      if (timer.current) clearTimeout(timer.current);
      term.current?.dispose();
      term.current = null;
    };
  }, [cast]);

  const play = () => {
    if (next.current >= cast.events.length) restart();
    startedAt.current = performance.now();
    setPlaying(true);
    step();
  };
  const pause = () => {
    if (timer.current) clearTimeout(timer.current);
    played.current = now();
    startedAt.current = null;
    setPlaying(false);
  };
  const restart = () => {
    if (timer.current) clearTimeout(timer.current);
    term.current?.reset();
    next.current = 0;
    played.current = 0;
    startedAt.current = null;
    setPos(0);
    setPlaying(false);
  };

  // Starts on its own once the terminal is there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: run once when ready
  useEffect(() => {
    if (ready) play();
  }, [ready]);

  return (
    <div className="flex flex-col gap-2" data-testid="cast-player" data-playing={playing}>
      <div ref={host} className="overflow-auto rounded-lg border border-border bg-black p-2" />
      <div className="flex items-center gap-2">
        {playing ? (
          <Button size="sm" variant="outline" onClick={pause} data-testid="cast-pause">
            <Pause /> Pause
          </Button>
        ) : (
          <Button size="sm" variant="outline" onClick={play} disabled={!ready} data-testid="cast-play">
            <Play /> Play
          </Button>
        )}
        <Button size="sm" variant="ghost" onClick={restart} disabled={!ready}>
          <RotateCcw /> Restart
        </Button>
        <span className="font-mono text-xs text-muted-foreground">
          {pos.toFixed(1)} s / {total.toFixed(1)} s
        </span>
      </div>
    </div>
  );
}
