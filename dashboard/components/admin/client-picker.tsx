'use client';
import { SimpleSelect } from '@/components/ui/select';
import type { Client } from '@/lib/types';

/** Picks one client by name (operators' pages that act on one client at a time). */
export function ClientPicker({
  clients,
  value,
  onChange,
}: {
  clients: Client[];
  value: string | null;
  onChange: (id: string) => void;
}) {
  if (!clients.length) return <p className="text-sm text-muted-foreground">No clients yet.</p>;
  return (
    <SimpleSelect
      aria-label="Client"
      className="min-w-56"
      value={value ?? ''}
      placeholder="Choose a client"
      onValueChange={onChange}
      options={clients.map((c) => ({ value: c.id, label: c.name }))}
    />
  );
}
