'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from './api';

/** Result of {@link useApi}. `notFound` is true when the hub has no such route (yet). */
export interface ApiState<T> {
  data: T | null;
  error: string | null;
  notFound: boolean;
  loading: boolean;
  reload: () => Promise<void>;
  setData: React.Dispatch<React.SetStateAction<T | null>>;
}

/**
 * GETs `path` (null skips) and re-fetches when `key` changes. `map` shapes the raw answer.
 * Keeps the previous data while re-fetching so charts do not blink.
 */
export function useApi<T>(
  path: string | null,
  opts: { query?: Record<string, string | number | undefined>; map?: (raw: unknown) => T; key?: unknown } = {},
): ApiState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [loading, setLoading] = useState(!!path);
  const optsRef = useRef(opts);
  optsRef.current = opts;
  const seq = useRef(0);
  const queryKey = JSON.stringify(opts.query ?? {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey and key stand for opts
  const reload = useCallback(async () => {
    if (!path) return;
    const my = ++seq.current;
    setLoading(true);
    try {
      const raw = await api<unknown>(path, { query: optsRef.current.query });
      if (my !== seq.current) return;
      setData(optsRef.current.map ? optsRef.current.map(raw) : (raw as T));
      setError(null);
      setNotFound(false);
    } catch (e) {
      if (my !== seq.current) return;
      setError((e as Error).message);
      setNotFound(e instanceof ApiError && e.notFound);
    } finally {
      if (my === seq.current) setLoading(false);
    }
  }, [path, queryKey, opts.key]);

  useEffect(() => {
    reload();
  }, [reload]);

  return { data, error, notFound, loading, reload, setData };
}
