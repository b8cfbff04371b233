'use client';
import { Loader2, TriangleAlert } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { ApiError, fetchText } from '@/lib/api';
import { type Asciicast, parseAsciicast } from '@/lib/asciicast';
import { CastPlayer } from './cast-player';

/** Fetches a console recording and plays it; a clear message when the hub has none. */
export function ReplayDialog({ path, onClose }: { path: string | null; onClose: () => void }) {
  const [cast, setCast] = useState<Asciicast | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setCast(null);
    setError(null);
    if (!path) return;
    let live = true;
    fetchText(path)
      .then((text) => {
        if (!live) return;
        const c = parseAsciicast(text);
        if (!c.events.length) setError('The recording is empty.');
        else setCast(c);
      })
      .catch((e) => {
        if (!live) return;
        setError(
          e instanceof ApiError && e.notFound
            ? 'Recordings of console sessions are not available on this hub (or this one was not kept).'
            : (e as Error).message,
        );
      });
    return () => {
      live = false;
    };
  }, [path]);
  return (
    <Dialog open={!!path} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-w-4xl">
        <DialogHeader>
          <DialogTitle>Console session replay</DialogTitle>
          <DialogDescription>Played at the speed it was typed.</DialogDescription>
        </DialogHeader>
        {error ? (
          <p className="flex items-center gap-2 text-sm text-warning" data-testid="replay-unavailable">
            <TriangleAlert className="size-4" /> {error}
          </p>
        ) : cast ? (
          <CastPlayer cast={cast} />
        ) : (
          <Loader2 className="size-5 animate-spin text-muted-foreground" />
        )}
      </DialogContent>
    </Dialog>
  );
}
