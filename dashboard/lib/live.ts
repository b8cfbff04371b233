'use client';
/**
 * The hub's live stream (Socket.IO, contract in protocol/src/live.ts): one shared socket per tab,
 * hooks to listen to events (optionally batched per animation frame) and to join instance rooms.
 */
import type { LiveClientEvents, LiveServerEvents } from '@protocol/live';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import { getToken } from './api';
import { createFrameBatcher } from './frame-batcher';
import { isReleased } from './released';

export type LiveSocket = Socket<LiveServerEvents, LiveClientEvents>;
/** Payload of a live server event. */
export type LivePayload<K extends keyof LiveServerEvents> = Parameters<LiveServerEvents[K]>[0];
/** Connection state shown in the header. */
export type LiveState = { status: 'connecting' | 'connected' | 'disconnected'; error: string | null };

let socket: LiveSocket | null = null;
let state: LiveState = { status: 'connecting', error: null };
const stateListeners = new Set<() => void>();
const setState = (s: LiveState) => {
  state = s;
  for (const l of stateListeners) l();
};
/** Instance rooms wanted by mounted components, with a count so two users of one room share it. */
const rooms = new Map<string, number>();

export function getSocket(): LiveSocket {
  if (socket) return socket;
  const s: LiveSocket = io(process.env.NEXT_PUBLIC_HUB_URL || undefined, {
    path: '/socket.io',
    auth: (cb) => cb({ token: getToken() }),
    withCredentials: true,
    transports: ['websocket', 'polling'],
    reconnectionDelayMax: 5000,
  });
  s.on('connect', () => {
    setState({ status: 'connected', error: null });
    // Rooms do not survive a reconnect: join them again.
    for (const id of rooms.keys()) s.emit('subscribe', { instanceId: id });
  });
  s.on('disconnect', () => setState({ status: 'disconnected', error: null }));
  s.on('connect_error', (e) => setState({ status: 'disconnected', error: e.message }));
  socket = s;
  return s;
}

/** Closes the shared socket (on logout), so the next user connects with their own token. */
export function closeSocket() {
  socket?.disconnect();
  socket = null;
  rooms.clear();
  setState({ status: 'connecting', error: null });
}

export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (l) => {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    () => state,
    () => state,
  );
}

/** Calls `handler` for every `event`; the latest handler is used without resubscribing. */
export function useLiveEvent<K extends keyof LiveServerEvents>(
  event: K,
  handler: (e: LivePayload<K>) => void,
  enabled = true,
) {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!enabled) return;
    const s = getSocket();
    const fn = (e: LivePayload<K>) => {
      if (!isReleased((e as { instanceId?: unknown } | null)?.instanceId)) ref.current(e);
    };
    // biome-ignore lint/suspicious/noExplicitAny: socket.io's typed overloads do not accept a generic key
    s.on(event, fn as any);
    return () => {
      // biome-ignore lint/suspicious/noExplicitAny: as above
      s.off(event, fn as any);
    };
  }, [event, enabled]);
}

/** Like {@link useLiveEvent}, but delivers everything that arrived during a frame in one call. */
export function useLiveBatch<K extends keyof LiveServerEvents>(
  event: K,
  onBatch: (items: LivePayload<K>[]) => void,
  enabled = true,
) {
  const ref = useRef(onBatch);
  ref.current = onBatch;
  const batcher = useRef<ReturnType<typeof createFrameBatcher<LivePayload<K>>> | null>(null);
  if (!batcher.current) batcher.current = createFrameBatcher<LivePayload<K>>((items) => ref.current(items));
  useLiveEvent(event, (e) => batcher.current?.push(e), enabled);
}

/**
 * Joins `instance:<id>` (logs, conversations, events, commands, console) while mounted.
 * Returns nothing; an error from the hub's ack is logged as a warning.
 */
export function useInstanceRoom(instanceId: string | null | undefined) {
  useEffect(() => {
    if (!instanceId) return;
    const s = getSocket();
    const n = rooms.get(instanceId) ?? 0;
    rooms.set(instanceId, n + 1);
    if (n === 0 && s.connected) s.emit('subscribe', { instanceId });
    return () => {
      const left = (rooms.get(instanceId) ?? 1) - 1;
      if (left > 0) rooms.set(instanceId, left);
      else {
        rooms.delete(instanceId);
        if (s.connected) s.emit('unsubscribe', { instanceId });
      }
    };
  }, [instanceId]);
}
