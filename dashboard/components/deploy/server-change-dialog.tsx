'use client';
import { Loader2 } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { api } from '@/lib/api';
import { type Catalogue, fmtEur } from './types';

/** The price difference of a change, per month, signed ("+€3.58/month", "−€4.51/month"). */
function fmtDiff(from: number | null | undefined, to: number | undefined): string {
  if (from == null || to === undefined) return '';
  const d = Math.round((to - from) * 100) / 100;
  if (d === 0) return 'the same price';
  return `${d > 0 ? '+' : '−'}${fmtEur(Math.abs(d))}`;
}

/**
 * Resize (another server type in the same location, Hetzner's change_type: the server is off for
 * a few minutes) or move (the same type in another location: snapshot, new server, old one
 * deleted), each with the new monthly price and the difference.
 */
export function ServerChangeDialog({
  mode,
  open,
  onOpenChange,
  instanceId,
  current,
  onStarted,
}: {
  mode: 'resize' | 'move';
  open: boolean;
  onOpenChange: (o: boolean) => void;
  instanceId: string;
  current: { serverType: string; location: string; monthlyPrice: number | null };
  onStarted: (label: string) => void;
}) {
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open || cat) return;
    api<Catalogue>('/deploy/catalogue')
      .then(setCat)
      .catch((e) => setLoadError((e as Error).message));
  }, [open, cat]);

  const currentType = cat?.serverTypes.find((t) => t.name === current.serverType);
  const options = useMemo(() => {
    if (!cat) return [];
    if (mode === 'resize')
      // change_type keeps the architecture (an x86 disk does not boot on ARM).
      return cat.serverTypes
        .filter(
          (t) =>
            t.name !== current.serverType &&
            t.monthlyPrice[current.location] !== undefined &&
            (!currentType || t.architecture === currentType.architecture),
        )
        .map((t) => {
          const price = t.monthlyPrice[current.location];
          return {
            value: t.name,
            label: `${t.name} · ${t.cores} vCPU, ${t.memoryGb} GB, ${t.diskGb} GB · ${fmtEur(price)}`,
            price,
          };
        });
    return cat.locations
      .filter((l) => l.name !== current.location && currentType?.monthlyPrice[l.name] !== undefined)
      .map((l) => {
        const price = currentType?.monthlyPrice[l.name] as number;
        return { value: l.name, label: `${l.city} (${l.country}) · ${l.name} · ${fmtEur(price)}`, price };
      });
  }, [cat, mode, current, currentType]);
  useEffect(() => {
    if (open && options.length && !options.some((o) => o.value === choice)) setChoice(options[0].value);
  }, [open, options, choice]);
  const chosen = options.find((o) => o.value === choice);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = mode === 'resize' ? { serverType: choice } : { location: choice };
      await api(`/instances/${encodeURIComponent(instanceId)}/server/${mode}`, { body });
      onStarted(mode === 'resize' ? `Resizing to ${choice}` : `Moving to ${choice}`);
      onOpenChange(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent data-testid={`server-${mode}-dialog`}>
        <DialogHeader>
          <DialogTitle>{mode === 'resize' ? 'Resize the server' : 'Move the server'}</DialogTitle>
          <DialogDescription>
            {mode === 'resize'
              ? 'The server is switched off, changed to the new type and started again: the agent is away for a few minutes.'
              : 'A snapshot of the server starts a new one in the other location, the agent reconnects there and the old server is deleted: the agent is away while the new server boots.'}
          </DialogDescription>
        </DialogHeader>
        {loadError ? (
          <p className="text-sm text-danger" role="alert">
            {loadError}
          </p>
        ) : !cat ? (
          <p className="text-sm text-muted-foreground">Loading locations and server types…</p>
        ) : !options.length ? (
          <p className="text-sm text-muted-foreground">
            {mode === 'resize' ? 'No other server type is offered here.' : 'This server type is offered nowhere else.'}
          </p>
        ) : (
          <div className="flex flex-col gap-3">
            <div className="flex flex-col gap-1.5">
              <Label>{mode === 'resize' ? 'New server type' : 'New location'}</Label>
              <SimpleSelect
                aria-label={mode === 'resize' ? 'New server type' : 'New location'}
                value={choice}
                onValueChange={setChoice}
                options={options.map(({ value, label }) => ({ value, label }))}
              />
            </div>
            <p className="text-sm" data-testid="server-change-price">
              {chosen && (
                <>
                  Costs {fmtEur(chosen.price)} (incl. VAT), {fmtDiff(current.monthlyPrice, chosen.price)} against{' '}
                  {fmtEur(current.monthlyPrice)} today.
                </>
              )}
            </p>
            {error && (
              <p className="text-sm text-danger" role="alert">
                {error}
              </p>
            )}
          </div>
        )}
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button variant="accent" onClick={start} disabled={busy || !chosen}>
            {busy && <Loader2 className="animate-spin" />} {mode === 'resize' ? 'Resize' : 'Move'}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
