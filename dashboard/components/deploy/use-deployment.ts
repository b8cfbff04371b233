'use client';
import { useCallback, useEffect, useState } from 'react';
import { api } from '@/lib/api';
import { useLiveEvent } from '@/lib/live';
import type { Deployment } from './types';

/**
 * A deployment kept current: fetched once (by id, or the client's newest), then updated from the
 * live `deployment` events, with a slow poll in case an event is missed.
 */
export function useDeployment(o: { id?: string | null; clientId?: string | null }) {
  const [dep, setDep] = useState<Deployment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const load = useCallback(async () => {
    try {
      if (o.id) setDep(await api<Deployment>(`/deployments/${encodeURIComponent(o.id)}`));
      else if (o.clientId) {
        const list = await api<Deployment[]>(`/clients/${encodeURIComponent(o.clientId)}/deployments`);
        setDep(list[0] ?? null);
      }
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoaded(true);
    }
  }, [o.id, o.clientId]);
  useEffect(() => {
    void load();
  }, [load]);
  const finished = dep && ['live', 'failed', 'canceled'].includes(dep.status);
  useEffect(() => {
    if (finished) return;
    const t = setInterval(() => void load(), 5000);
    return () => clearInterval(t);
  }, [finished, load]);
  useLiveEvent('deployment', (e) => {
    const d = e as unknown as Deployment;
    if (o.id ? d.id === o.id : d.clientId === o.clientId) setDep((cur) => (!cur || cur.id === d.id || !o.id ? d : cur));
  });
  return { dep, error, loaded, reload: load };
}
