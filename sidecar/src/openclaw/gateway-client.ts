import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { SIDECAR_VERSION } from '../version.js';
import type { GatewayHello, GatewayLike } from './types.js';

/** How long an open socket may take to complete the connect handshake. */
const HANDSHAKE_MS = 60_000;

/** Settings of the gateway client. */
export interface GatewayClientOptions {
  url: string;
  /** Read before every connect attempt, so a changed token is picked up. */
  token: () => string | undefined;
  log: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Default RPC timeout (ms). */
  timeoutMs?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** An RPC error from the gateway, with its code (e.g. AUTH_TOKEN_MISMATCH). */
export class GatewayRpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Client for the OpenClaw gateway's WebSocket, on plain `ws` (the official client needs Node 22).
 * Frames: req `{type:"req",id,method,params}`, res `{type:"res",id,ok,payload|error}`, event
 * `{type:"event",event,payload,seq}`. The server speaks first (`connect.challenge`); we answer with
 * `connect` as an operator backend client with the gateway token. Reconnects on its own.
 */
export class GatewayClient extends EventEmitter implements GatewayLike {
  private ws?: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private up = false;
  private downAnnounced = false;
  hello: GatewayHello | null = null;
  /** Last reason the gateway was unreachable (for state reports). */
  lastError: string | null = null;

  constructor(private readonly opts: GatewayClientOptions) {
    super();
    this.setMaxListeners(50);
  }

  get connected(): boolean {
    return this.up;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.terminate();
    this.ws = undefined;
    this.setDown('stopped');
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.opts.url, { handshakeTimeout: 10_000, maxPayload: 32 * 1024 * 1024 });
    this.ws = ws;
    let handshakeId: string | null = null;
    const sendConnect = () => {
      if (handshakeId) return;
      handshakeId = String(this.nextId++);
      const token = this.opts.token();
      ws.send(
        JSON.stringify({
          type: 'req',
          id: handshakeId,
          method: 'connect',
          params: {
            minProtocol: 1,
            maxProtocol: 99,
            client: { id: 'gateway-client', version: SIDECAR_VERSION, platform: process.platform, mode: 'backend' },
            role: 'operator',
            scopes: ['operator.read', 'operator.write', 'operator.admin'],
            ...(token ? { auth: { token } } : {}),
          },
        }),
      );
    };
    // The server normally challenges first; if it does not within a moment, connect anyway.
    const fallback = setTimeout(() => ws.readyState === WebSocket.OPEN && sendConnect(), 1500);
    // A socket that opened but never completes the handshake (a gateway wedged mid-restart)
    // would hold the client forever without a reconnect: it is dropped and tried again.
    const handshakeDeadline = setTimeout(() => {
      if (this.ws !== ws || this.up) return;
      this.lastError = `no connect answer within ${HANDSHAKE_MS} ms`;
      this.opts.log('warn', `gateway ${this.lastError}; reconnecting`);
      ws.terminate();
    }, HANDSHAKE_MS);
    handshakeDeadline.unref?.();
    ws.on('message', (data) => {
      let f: {
        type?: string;
        id?: string;
        ok?: boolean;
        payload?: unknown;
        error?: { code?: string; message?: string };
        event?: string;
      };
      try {
        f = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (f.type === 'event') {
        if (f.event === 'connect.challenge') sendConnect();
        else if (this.up) this.emit('event', f.event, f.payload);
        return;
      }
      if (f.type !== 'res' || typeof f.id !== 'string') return;
      if (f.id === handshakeId) {
        if (!f.ok) {
          this.lastError = `${f.error?.code ?? 'CONNECT_FAILED'}: ${f.error?.message ?? 'connect refused'}`;
          this.opts.log('warn', `gateway refused the connection: ${this.lastError}`);
          ws.close();
          return;
        }
        const p = (f.payload ?? {}) as Record<string, unknown>;
        const server = (p.server ?? {}) as { version?: unknown };
        const features = (p.features ?? {}) as { methods?: unknown };
        this.hello = {
          protocol: typeof p.protocol === 'number' ? p.protocol : undefined,
          version: typeof server.version === 'string' ? server.version : null,
          methods: Array.isArray(features.methods)
            ? features.methods.filter((m): m is string => typeof m === 'string')
            : [],
          raw: p,
        };
        clearTimeout(handshakeDeadline);
        this.opts.log('info', `gateway connected (OpenClaw ${this.hello.version ?? 'unknown version'})`);
        this.attempt = 0;
        this.up = true;
        this.downAnnounced = false;
        this.lastError = null;
        this.emit('up', this.hello);
        return;
      }
      const pending = this.pending.get(f.id);
      if (!pending) return;
      this.pending.delete(f.id);
      clearTimeout(pending.timer);
      if (f.ok) pending.resolve(f.payload);
      else pending.reject(new GatewayRpcError(f.error?.code ?? 'RPC_ERROR', f.error?.message ?? 'request failed'));
    });
    ws.on('error', (e) => {
      this.lastError = errorMessage(e);
    });
    ws.on('close', () => {
      clearTimeout(fallback);
      clearTimeout(handshakeDeadline);
      if (this.ws === ws) this.ws = undefined;
      this.setDown(this.lastError ?? 'connection closed');
      this.schedule();
    });
  }

  private setDown(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new GatewayRpcError('GATEWAY_DOWN', `gateway connection lost (${reason})`));
      this.pending.delete(id);
    }
    // Announce each fall from up, and the first failure after start, not every retry.
    if (this.up || !this.downAnnounced) {
      if (!this.stopped) this.opts.log('info', `gateway connection lost (${reason}); reconnecting`);
      this.up = false;
      this.downAnnounced = true;
      this.emit('down', reason);
    }
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const min = this.opts.minBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 15_000;
    const delay = Math.round(Math.min(max, min * 2 ** Math.min(this.attempt++, 10)) * (0.5 + Math.random() * 0.5));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, delay);
    this.timer.unref?.();
  }

  request<T = unknown>(method: string, params: unknown = {}, timeoutMs = this.opts.timeoutMs ?? 15_000): Promise<T> {
    const ws = this.ws;
    if (!ws || !this.up || ws.readyState !== WebSocket.OPEN)
      return Promise.reject(new GatewayRpcError('GATEWAY_DOWN', 'gateway is not connected'));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayRpcError('TIMEOUT', `${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      ws.send(JSON.stringify({ type: 'req', id, method, params }));
    });
  }

  waitUp(timeoutMs: number): Promise<GatewayHello> {
    if (this.up && this.hello) return Promise.resolve(this.hello);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('up', on);
        reject(
          new GatewayRpcError(
            'GATEWAY_DOWN',
            `gateway not up within ${timeoutMs} ms (${this.lastError ?? 'no answer'})`,
          ),
        );
      }, timeoutMs);
      const on = (h: GatewayHello) => {
        clearTimeout(t);
        resolve(h);
      };
      this.once('up', on);
    });
  }
}
