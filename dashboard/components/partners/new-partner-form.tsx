'use client';
import { Loader2, Plus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import type { Partner } from '@/lib/partners';
import { FormError } from './form-error';

/** POST /partners: a reseller's name is all it takes; brand and domains are the partner's to set. */
export function NewPartnerForm({ onCreated }: { onCreated: (p: Partner) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const p = await api<Partner>('/partners', { body: { name: name.trim() } });
      toast('Partner created', { tone: 'success', description: p.name });
      setName('');
      onCreated(p);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={create} className="flex flex-col gap-2" aria-label="New partner" data-testid="new-partner-form">
      <Label htmlFor="partner-name">Partner name</Label>
      <div className="flex flex-wrap gap-2">
        <Input
          id="partner-name"
          className="max-w-xs"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          placeholder="Acme Digital"
        />
        <Button type="submit" variant="accent" disabled={busy || !name.trim()}>
          {busy ? <Loader2 className="animate-spin" /> : <Plus />} Create partner
        </Button>
      </div>
      <FormError error={error} />
    </form>
  );
}
