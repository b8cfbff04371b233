'use client';
import { useMemo } from 'react';
import { asList } from './api';
import type { Client } from './types';
import { useApi } from './use-api';

/** Clients visible to the caller, and a name lookup by id. */
export function useClients() {
  const st = useApi<Client[]>('/clients', { map: (r) => asList<Client>(r) });
  const names = useMemo(() => new Map((st.data ?? []).map((c) => [c.id, c.name])), [st.data]);
  return { ...st, clients: st.data ?? [], names };
}
