'use client';
import { Link2, Loader2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import type { Partner } from '@/lib/partners';
import type { Client } from '@/lib/types';
import { FormError } from './form-error';

/** Radix selects take no empty value: this one stands for "no partner, one of our own clients". */
const OWN = 'own';

/**
 * PUT /clients/:id/partner: a client moves to a partner (its people then see the partner's brand
 * and the partner's people see it), or back to the operator's own clients.
 */
export function AssignClientForm({
  clients,
  partners,
  onAssigned,
}: {
  clients: Client[];
  partners: Partner[];
  onAssigned: () => void;
}) {
  const [clientId, setClientId] = useState('');
  const [partnerId, setPartnerId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const partnerName = new Map(partners.map((p) => [p.id, p.name]));
  const assign = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(`/clients/${encodeURIComponent(clientId)}/partner`, {
        method: 'PUT',
        body: { partnerId: partnerId === OWN ? null : partnerId },
      });
      const client = clients.find((c) => c.id === clientId)?.name ?? clientId;
      toast('Client assigned', {
        tone: 'success',
        description: `${client} → ${partnerId === OWN ? 'own client' : partnerName.get(partnerId)}`,
      });
      onAssigned();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={assign}
      className="flex flex-col gap-3"
      aria-label="Assign a client"
      data-testid="assign-client-form"
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label>Client</Label>
          <SimpleSelect
            aria-label="Client"
            placeholder="Choose a client"
            value={clientId}
            onValueChange={setClientId}
            options={clients.map((c) => ({
              value: c.id,
              label: `${c.name} (${c.partnerId ? (partnerName.get(c.partnerId) ?? c.partnerId) : 'own client'})`,
            }))}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label>Partner</Label>
          <SimpleSelect
            aria-label="Partner"
            placeholder="Choose a partner"
            value={partnerId}
            onValueChange={setPartnerId}
            options={[
              ...partners.map((p) => ({ value: p.id, label: p.name })),
              { value: OWN, label: 'None (own client)' },
            ]}
          />
        </div>
      </div>
      <FormError error={error} />
      <div>
        <Button type="submit" variant="accent" disabled={busy || !clientId || !partnerId}>
          {busy ? <Loader2 className="animate-spin" /> : <Link2 />} Assign client
        </Button>
      </div>
    </form>
  );
}
