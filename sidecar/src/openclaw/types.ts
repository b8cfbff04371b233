import type { EventEmitter } from 'node:events';

/** What the gateway said about itself when the connect handshake succeeded. */
export interface GatewayHello {
  protocol?: number;
  version: string | null;
  methods: string[];
  raw: Record<string, unknown>;
}

/**
 * The OpenClaw gateway as collectors and commands see it. The real client speaks the gateway's
 * WebSocket protocol; simulations supply their own. Events:
 * - `up` (hello: GatewayHello) after each successful connect handshake
 * - `down` (reason: string) when the connection is lost or cannot be made
 * - `event` (name: string, payload: unknown) for every gateway event frame (`chat`, `agent`, …)
 * - `restart-planned` (emitted by the sidecar itself before it asks for a restart), so the drop
 *   that follows reads as "restarting", not as a failure
 */
export interface GatewayLike extends EventEmitter {
  readonly connected: boolean;
  readonly hello: GatewayHello | null;
  /** One RPC; rejects with the gateway's error message, on timeout, or when not connected. */
  request<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  start(): void;
  stop(): Promise<void>;
  /** Resolves when connected (or rejects after `timeoutMs`). */
  waitUp(timeoutMs: number): Promise<GatewayHello>;
}
