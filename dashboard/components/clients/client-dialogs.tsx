'use client';
import { Loader2, Plus, SlidersHorizontal, UserPlus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from '@/components/ui/dialog';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';

/** POST /clients. */
export function NewClientDialog({ onCreated }: { onCreated: () => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [industry, setIndustry] = useState('');
  const [plan, setPlan] = useState('starter');
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    try {
      await api('/clients', { body: { name: name.trim(), industry: industry.trim(), plan } });
      toast('Client created', { tone: 'success', description: name });
      setOpen(false);
      setName('');
      setIndustry('');
      onCreated();
    } catch (e) {
      toast('Could not create the client', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="accent">
          <Plus /> New client
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New client</DialogTitle>
        </DialogHeader>
        <div className="flex flex-col gap-3">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="client-name">Company name</Label>
            <Input id="client-name" value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="client-industry">Industry</Label>
            <Input id="client-industry" value={industry} onChange={(e) => setIndustry(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label>Plan</Label>
            <SimpleSelect
              aria-label="Plan"
              value={plan}
              onValueChange={setPlan}
              options={['starter', 'growth', 'enterprise'].map((p) => ({ value: p, label: p }))}
            />
          </div>
        </div>
        <DialogFooter>
          <Button variant="accent" onClick={create} disabled={busy || !name.trim()}>
            {busy && <Loader2 className="animate-spin" />} Create
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/** POST /clients/:id/users. */
export function AddUserDialog({ clientId, clientName }: { clientId: string; clientName: string }) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('client_owner');
  const [busy, setBusy] = useState(false);
  const add = async () => {
    setBusy(true);
    try {
      await api(`/clients/${encodeURIComponent(clientId)}/users`, { body: { email: email.trim(), password, role } });
      toast('User added', { tone: 'success', description: `${email} can now sign in` });
      setOpen(false);
      setEmail('');
      setPassword('');
    } catch (e) {
      toast('Could not add the user', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="ghost" aria-label={`Add a user to ${clientName}`}>
          <UserPlus />
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Add a user to {clientName}</DialogTitle>
        </DialogHeader>
        <div className="flex flex-col gap-3">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="user-email">Email</Label>
            <Input id="user-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="user-password">Password</Label>
            <Input
              id="user-password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label>Role</Label>
            <SimpleSelect
              aria-label="Role"
              value={role}
              onValueChange={setRole}
              options={[
                { value: 'client_owner', label: 'Owner (can pause and change model)' },
                { value: 'client_viewer', label: 'Viewer (read only)' },
              ]}
            />
          </div>
        </div>
        <DialogFooter>
          <Button variant="accent" onClick={add} disabled={busy || !email.trim() || password.length < 8}>
            {busy && <Loader2 className="animate-spin" />} Add user
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

const CLIENT_STATUSES = ['onboarding', 'active', 'paused', 'churned'] as const;

/**
 * PATCH /clients/:id: plan and status. The hub records the change and prorates the next invoice;
 * its refusal (an unknown plan, for one) is shown as it answered.
 */
export function ClientPlanDialog({
  client,
  plans,
  onChanged,
}: {
  client: { id: string; name: string; plan?: string | null; status?: string | null };
  plans: { id: string; name: string }[];
  onChanged: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [plan, setPlan] = useState(client.plan ?? 'starter');
  const [status, setStatus] = useState(client.status ?? 'onboarding');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(`/clients/${encodeURIComponent(client.id)}`, { method: 'PATCH', body: { plan, status } });
      toast('Client updated', { tone: 'success', description: `${client.name}: ${plan}, ${status}` });
      setOpen(false);
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) {
          setPlan(client.plan ?? 'starter');
          setStatus(client.status ?? 'onboarding');
          setError(null);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="ghost" aria-label={`Change ${client.name}'s plan or status`}>
          <SlidersHorizontal />
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Plan and status of {client.name}</DialogTitle>
        </DialogHeader>
        <form className="flex flex-col gap-3" onSubmit={save} data-testid="client-plan-form">
          <div className="flex flex-col gap-1.5">
            <Label>Plan</Label>
            <SimpleSelect
              aria-label="Plan"
              value={plan}
              onValueChange={setPlan}
              options={plans.map((p) => ({ value: p.id, label: p.name }))}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label>Status</Label>
            <SimpleSelect
              aria-label="Status"
              value={status}
              onValueChange={setStatus}
              options={CLIENT_STATUSES.map((s) => ({ value: s, label: s }))}
            />
            <p className="text-[11px] text-muted-foreground">
              Active and paused clients are billed; onboarding and churned ones are not.
            </p>
          </div>
          {error && (
            <p className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
              {error}
            </p>
          )}
          <DialogFooter>
            <Button type="submit" variant="accent" disabled={busy}>
              {busy && <Loader2 className="animate-spin" />} Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
