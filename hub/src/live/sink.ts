import type { LiveServerEvents } from '@deepsignal/protocol';

/** Room names of the live stream (see protocol live.ts). */
export const rooms = {
  fleet: 'fleet',
  client: (clientId: string) => `client:${clientId}`,
  instance: (instanceId: string) => `instance:${instanceId}`,
};

export type LiveEvent = keyof LiveServerEvents;
export type LivePayload<E extends LiveEvent> = Parameters<LiveServerEvents[E]>[0];

/**
 * Where the hub sends live events. `droppable` frames (metrics) may be left out for a client that
 * has fallen behind; everything else is delivered in order. The Socket.IO server implements it; tests may collect.
 */
export interface LiveSink {
  emit<E extends LiveEvent>(to: string[], event: E, payload: LivePayload<E>, droppable?: boolean): void;
}

/** A sink that drops everything (before the Socket.IO server is attached). */
export const nullSink: LiveSink = { emit() {} };
