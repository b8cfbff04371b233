'use client';
import { useEffect, useState } from 'react';
import { ApiError, getInstance } from './api';
import { useInstanceRoom, useLiveEvent } from './live';
import type { Instance } from './types';

/** One instance from GET /instances/:id, kept current by the live stream; joins its room. */
export function useInstance(id: string | null) {
  const [instance, setInstance] = useState<Instance | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  useInstanceRoom(id);

  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    getInstance(id)
      .then((i) => !cancelled && setInstance(i))
      .catch((e) => {
        if (cancelled) return;
        setError((e as Error).message);
        setNotFound(e instanceof ApiError && e.notFound);
      });
    return () => {
      cancelled = true;
    };
  }, [id]);

  useLiveEvent('metrics', (e) => {
    if (e.instanceId === id)
      setInstance((p) => p && { ...p, metrics: { ...(p.metrics ?? {}), ...e.values }, lastSeen: e.t });
  });
  useLiveEvent('instance.status', (e) => {
    if (e.instanceId === id) setInstance((p) => p && { ...p, status: e.status, lastSeen: e.lastSeen ?? p.lastSeen });
  });
  useLiveEvent('instance.openclaw', (e) => {
    // A whole snapshot each time (see fleet-store): replace, never merge.
    if (e.instanceId === id) setInstance((p) => p && { ...p, openclaw: e.openclaw });
  });

  return { instance, error, notFound };
}
