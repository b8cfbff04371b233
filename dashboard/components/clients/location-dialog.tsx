'use client';
import { Loader2, MapPin } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import { type ClientLocation, type LocationChoices, placeLabel } from '@/lib/location';

/**
 * The operator sets where a client's servers run (PUT /clients/:id/location). New deployments go
 * there and new backups to that region's store; a running server stays until it is moved.
 */
export function LocationDialog({
  clientId,
  clientName,
  current,
  onSaved,
}: {
  clientId: string;
  clientName: string;
  current: ClientLocation | null | undefined;
  onSaved: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [choices, setChoices] = useState<LocationChoices | null>(null);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setError(null);
    api<LocationChoices>('/locations')
      .then((c) => {
        setChoices(c);
        setValue(current?.name ?? c.default);
      })
      .catch((e) => setError((e as Error).message));
  }, [open, current?.name]);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const l = await api<ClientLocation>(`/clients/${encodeURIComponent(clientId)}/location`, {
        method: 'PUT',
        body: { location: value },
      });
      toast('Location saved', { tone: 'success', description: `${clientName}: ${placeLabel(l)}` });
      setOpen(false);
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="ghost" aria-label={`Change location of ${clientName}`}>
          <MapPin />
        </Button>
      </DialogTrigger>
      <DialogContent data-testid="location-dialog">
        <DialogHeader>
          <DialogTitle>Where {clientName}’s servers run</DialogTitle>
          <DialogDescription>
            New servers are deployed here and new backups go to this region’s storage. A server that is already running
            stays where it is until you move it from its instance page.
          </DialogDescription>
        </DialogHeader>
        {!choices && !error && <p className="text-sm text-muted-foreground">Loading locations…</p>}
        {choices && choices.locations.length === 0 && (
          <p className="text-sm text-muted-foreground">
            This hub does not deploy servers, so there is nothing to choose.
          </p>
        )}
        {choices && choices.locations.length > 0 && (
          <div className="flex flex-col gap-1.5">
            <Label>Location</Label>
            <SimpleSelect
              aria-label="Location"
              value={value}
              onValueChange={setValue}
              options={choices.locations.map((l) => ({ value: l.name, label: placeLabel(l) }))}
            />
          </div>
        )}
        {error && (
          <p role="alert" className="text-sm text-danger">
            {error}
          </p>
        )}
        <DialogFooter>
          <Button variant="accent" onClick={save} disabled={busy || !value || !choices?.locations.length}>
            {busy && <Loader2 className="animate-spin" />} Save
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
