'use client';
import { Loader2, Rocket } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
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
import { api } from '@/lib/api';
import { DeploymentProgress } from './deployment-progress';
import { type Catalogue, fmtEur } from './types';

/**
 * "Deploy new instance": server type and location with the monthly price, then live progress.
 * The location starts at the client's own (data residency), else the hub's default.
 */
export function DeployDialog({
  clientId,
  clientName,
  clientLocation,
}: {
  clientId: string;
  clientName: string;
  clientLocation?: string | null;
}) {
  const [open, setOpen] = useState(false);
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [location, setLocation] = useState('');
  const [serverType, setServerType] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deploymentId, setDeploymentId] = useState<string | null>(null);

  useEffect(() => {
    if (!open || cat) return;
    api<Catalogue>('/deploy/catalogue')
      .then((c) => {
        setCat(c);
        setLocation(
          clientLocation && c.locations.some((l) => l.name === clientLocation) ? clientLocation : c.defaults.location,
        );
        setServerType(c.defaults.serverType);
      })
      .catch((e) => setLoadError((e as Error).message));
  }, [open, cat, clientLocation]);

  const types = useMemo(
    () => (cat?.serverTypes ?? []).filter((t) => t.monthlyPrice[location] !== undefined),
    [cat, location],
  );
  const chosen = types.find((t) => t.name === serverType);
  const deploy = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ id: string }>(`/clients/${encodeURIComponent(clientId)}/deployments`, {
        body: { location, serverType },
      });
      setDeploymentId(r.id);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) setDeploymentId(null);
      }}
    >
      <DialogTrigger asChild>
        <Button
          size="sm"
          variant="ghost"
          aria-label={`Deploy new instance for ${clientName}`}
          title="Deploy new instance"
        >
          <Rocket />
        </Button>
      </DialogTrigger>
      <DialogContent data-testid="deploy-dialog">
        <DialogHeader>
          <DialogTitle>Deploy new instance</DialogTitle>
          <DialogDescription>
            A dedicated server for {clientName}’s agent, joined to the private network.
          </DialogDescription>
        </DialogHeader>
        {deploymentId ? (
          <DeploymentProgress id={deploymentId} />
        ) : loadError ? (
          <p className="text-sm text-danger" role="alert">
            {loadError}
          </p>
        ) : !cat ? (
          <p className="text-sm text-muted-foreground">Loading locations and server types…</p>
        ) : (
          <div className="flex flex-col gap-3">
            <div className="flex flex-col gap-1.5">
              <Label>Location</Label>
              <SimpleSelect
                aria-label="Location"
                value={location}
                onValueChange={(v) => {
                  setLocation(v);
                  const still = cat.serverTypes.find((t) => t.name === serverType)?.monthlyPrice[v];
                  if (still === undefined)
                    setServerType(cat.serverTypes.find((t) => t.monthlyPrice[v] !== undefined)?.name ?? '');
                }}
                options={cat.locations.map((l) => ({ value: l.name, label: `${l.city} (${l.country}) · ${l.name}` }))}
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label>Server type</Label>
              <SimpleSelect
                aria-label="Server type"
                value={serverType}
                onValueChange={setServerType}
                options={types.map((t) => ({
                  value: t.name,
                  label: `${t.name} · ${t.cores} vCPU, ${t.memoryGb} GB, ${t.diskGb} GB · ${fmtEur(t.monthlyPrice[location])}`,
                }))}
              />
            </div>
            <p className="text-sm" data-testid="deploy-price">
              {chosen ? (
                <>Costs {fmtEur(chosen.monthlyPrice[location])} (incl. VAT), billed by Hetzner.</>
              ) : (
                'Pick a server type.'
              )}
            </p>
            {error && (
              <p className="text-sm text-danger" role="alert">
                {error}
              </p>
            )}
          </div>
        )}
        {!deploymentId && (
          <DialogFooter>
            <Button variant="accent" onClick={deploy} disabled={busy || !chosen}>
              {busy && <Loader2 className="animate-spin" />} Deploy
            </Button>
          </DialogFooter>
        )}
      </DialogContent>
    </Dialog>
  );
}
