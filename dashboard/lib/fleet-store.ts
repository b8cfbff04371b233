'use client';
/**
 * The operator's view of the fleet: instances from GET /instances kept current by the live
 * stream. Events are applied in per-frame batches and only changed instances get new objects,
 * so memoised tiles of unchanged instances do not re-render.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { listInstances } from './api';
import { type LivePayload, useLiveBatch, useLiveState } from './live';
import type { Instance } from './types';

type Listener = () => void;

/** Above this many instances, live changes are shown at most every LARGE_FLEET_COMMIT_MS. */
const LARGE_FLEET = 200;
const LARGE_FLEET_COMMIT_MS = 500;

/** Instances by id plus a stable array snapshot for React. */
export class FleetStore {
  private byId = new Map<string, Instance>();
  private snapshot: Instance[] = [];
  private listeners = new Set<Listener>();
  /** Ids seen in events but not in the last list: the caller refetches. */
  unknown = new Set<string>();

  subscribe = (l: Listener) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = () => this.snapshot;

  private commitTimer: ReturnType<typeof setTimeout> | null = null;
  private lastCommit = 0;

  /**
   * A new snapshot for React. Small fleets get every frame's changes at once; a large one at most
   * twice a second (its instances report once a second each, so a frame-by-frame re-render of a
   * thousand would spend the main thread on changes no one can follow).
   */
  private commit(now = false) {
    const wait = this.byId.size > LARGE_FLEET ? LARGE_FLEET_COMMIT_MS - (Date.now() - this.lastCommit) : 0;
    if (now || wait <= 0) {
      if (this.commitTimer) clearTimeout(this.commitTimer);
      this.commitTimer = null;
      this.lastCommit = Date.now();
      this.snapshot = [...this.byId.values()];
      for (const l of this.listeners) l();
      return;
    }
    this.commitTimer ??= setTimeout(() => this.commit(true), wait);
  }

  load(list: Instance[]) {
    this.byId = new Map(list.map((i) => [i.id, i]));
    this.unknown.clear();
    this.commit(true);
  }

  private update(id: string, fn: (prev: Instance) => Instance) {
    const prev = this.byId.get(id);
    if (!prev) {
      this.unknown.add(id);
      return false;
    }
    this.byId.set(id, fn(prev));
    return true;
  }

  applyMetrics(batch: LivePayload<'metrics'>[]) {
    let changed = false;
    for (const e of batch)
      changed =
        this.update(e.instanceId, (p) => ({
          ...p,
          metrics: { ...(p.metrics ?? {}), ...e.values },
          lastSeen: e.t,
        })) || changed;
    if (changed) this.commit();
  }

  applyStatus(batch: LivePayload<'instance.status'>[]) {
    let changed = false;
    for (const e of batch)
      changed =
        this.update(e.instanceId, (p) => ({ ...p, status: e.status, lastSeen: e.lastSeen ?? p.lastSeen })) || changed;
    if (changed) this.commit();
  }

  applyOpenclaw(batch: LivePayload<'instance.openclaw'>[]) {
    let changed = false;
    for (const e of batch)
      changed =
        // The sidecar sends the whole state each time: replace it, so a cleared error does not linger.
        this.update(e.instanceId, (p) => ({ ...p, openclaw: e.openclaw })) || changed;
    if (changed) this.commit();
  }
}

/** Live fleet: `instances` (stable per frame), loading and error state, and `reload`. */
export function useFleet() {
  const storeRef = useRef<FleetStore | null>(null);
  if (!storeRef.current) storeRef.current = new FleetStore();
  const store = storeRef.current;
  const instances = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);

  const reload = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      store.load(await listInstances());
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      inFlight.current = false;
      setLoading(false);
    }
  }, [store]);

  useEffect(() => {
    reload();
  }, [reload]);

  // New instances appear in events before the list knows them: refetch, at most every 3 s.
  const lastUnknownFetch = useRef(0);
  const maybeRefetch = () => {
    if (store.unknown.size && Date.now() - lastUnknownFetch.current > 3000) {
      lastUnknownFetch.current = Date.now();
      reload();
    }
  };
  useLiveBatch('metrics', (b) => {
    store.applyMetrics(b);
    maybeRefetch();
  });
  useLiveBatch('instance.status', (b) => {
    store.applyStatus(b);
    maybeRefetch();
  });
  useLiveBatch('instance.openclaw', (b) => store.applyOpenclaw(b));

  // Catch up on whatever was missed while disconnected.
  const live = useLiveState();
  const wasConnected = useRef(false);
  useEffect(() => {
    if (live.status === 'connected') {
      if (wasConnected.current) reload();
      wasConnected.current = true;
    }
  }, [live.status, reload]);

  return { instances, loading, error, reload };
}
