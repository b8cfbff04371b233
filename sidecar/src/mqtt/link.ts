import { readFileSync } from 'node:fs';
import { sidecarSubscriptions, topicFor } from '@deepsignal/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** Settings of the MQTT link. */
export interface LinkOptions {
  url: string;
  instanceId: string;
  secret: string;
  caFile?: string;
  /** Retained status payload published by the broker when the link dies. [SPEC 4.5] */
  will: Buffer;
  /** Called after each connect and subscribe, before anything else is published. */
  onConnect: () => void;
  onDisconnect: () => void;
  onMessage: (topic: string, payload: Buffer) => void;
  log: Logger;
  /** Backoff bounds (default 1 s to 60 s). [SPEC 4.5] */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Backoff cap until the first login succeeds: a pre-booted pool server waits, refused, until a
   * deploy gives its instance credentials, and then should log in within seconds, not a minute.
   */
  firstConnectMaxBackoffMs?: number;
  /**
   * MQTT keepalive in seconds (default 30). [SPEC 4.5] A silent cut (no FIN, no RST) is noticed
   * when no PINGRESP comes back: after about 1.5 × keepalive.
   */
  keepaliveSec?: number;
}

/**
 * One MQTT connection for the instance: client id `ds-<id>`, username = id, password = secret,
 * clean session false, keepalive 30 s, a retained last will, reconnect with exponential backoff
 * and jitter, TLS with a CA file for mqtts:// and wss://. [SPEC 4.5]
 */
export class MqttLink {
  private client?: MqttClient;
  /** Rejecters of the current connection's publishes still awaiting PUBACK. */
  private pending?: Set<(e: Error) => void>;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  connected = false;
  /** Counters for status and tests. */
  readonly counters = { connects: 0, disconnects: 0, received: 0 };

  constructor(private readonly opts: LinkOptions) {}

  start(): void {
    this.connect();
  }

  /**
   * One MQTT client per connection attempt. A client that lost its connection is discarded with
   * everything it still had in flight: those publishes are failed here so the outbox sends them
   * again (a silent cut never answers them), instead of mqtt.js's own store re-sending them out
   * of our order and window. The broker session (clean=false) is what carries over. [SPEC 4.4]
   */
  private connect(): void {
    const o = this.opts;
    const options: IClientOptions = {
      clientId: `ds-${o.instanceId}`,
      username: o.instanceId,
      password: o.secret,
      clean: false,
      keepalive: o.keepaliveSec ?? 30,
      // Pings on a fixed schedule: only a PINGRESP (or another packet from the broker) proves
      // the connection is alive, so a stream of publishes into a dead link cannot hide it.
      reschedulePings: false,
      protocolVersion: 4,
      reconnectPeriod: 0, // reconnects are ours, with backoff and jitter
      connectTimeout: 15_000,
      // mqtt-packet otherwise keeps 65,536 two-byte Buffers for packet ids (~6 MB of heap for
      // the daemon's life; BENCHMARKS.md, sidecar.rss_mb); writing the two bytes per packet is free.
      writeCache: false,
      will: { topic: topicFor(o.instanceId, 'status'), payload: o.will, qos: 1, retain: true },
    };
    if (o.caFile) options.ca = readFileSync(o.caFile);
    const client = mqtt.connect(o.url, options);
    this.client = client;
    const pending = new Set<(e: Error) => void>();
    this.pending = pending;
    let up = false;
    client.on('connect', () => {
      this.attempt = 0;
      // Nagle + delayed ACK would hold each small packet ~40 ms (BENCHMARKS.md, command.p50_ms).
      noDelay(client);
      client.subscribe(sidecarSubscriptions(o.instanceId), { qos: 1 }, (err) => {
        if (client !== this.client) return;
        if (err) {
          o.log('warn', `mqtt subscribe failed: ${errorMessage(err)}`);
          client.end(true);
          return;
        }
        up = true;
        this.connected = true;
        this.counters.connects++;
        o.log('info', `connected to ${o.url}`);
        o.onConnect();
      });
    });
    client.on('message', (topic, payload) => {
      if (client !== this.client) return;
      this.counters.received++;
      o.onMessage(topic, payload);
    });
    client.on('error', (err) => o.log('warn', `mqtt: ${errorMessage(err)}`));
    client.once('close', () => {
      if (client !== this.client) return;
      this.client = undefined;
      this.pending = undefined;
      client.removeAllListeners('message');
      try {
        client.end(true);
      } catch {}
      if (up) {
        this.connected = false;
        this.counters.disconnects++;
        o.onDisconnect();
      }
      const lost = new Error('connection lost before PUBACK');
      for (const reject of pending) reject(lost);
      pending.clear();
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    const min = this.opts.minBackoffMs ?? 1000;
    const max =
      this.counters.connects === 0 && this.opts.firstConnectMaxBackoffMs
        ? this.opts.firstConnectMaxBackoffMs
        : (this.opts.maxBackoffMs ?? 60_000);
    const exp = Math.min(max, min * 2 ** Math.min(this.attempt++, 16));
    const delay = Math.round(exp * (0.5 + Math.random() * 0.5)); // jitter: 50-100 % of the step
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.connect();
    }, delay);
    this.timer.unref?.();
  }

  /** QoS 1 publish; resolves on PUBACK, rejects when the link is down. */
  publish(topic: string, payload: Buffer, retain = false): Promise<void> {
    const client = this.client;
    const pending = this.pending;
    if (!client || !pending || !this.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      pending.add(reject);
      client.publish(topic, payload, { qos: 1, retain }, (err) => {
        pending.delete(reject);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Publishes `finalStatus` (retained) if connected, then closes. */
  async stop(finalStatus?: Buffer): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    if (!client) return;
    if (finalStatus && this.connected) {
      await Promise.race([
        this.publish(topicFor(this.opts.instanceId, 'status'), finalStatus, true).catch(() => {}),
        sleep(2000),
      ]);
    }
    this.connected = false;
    await Promise.race([new Promise<void>((resolve) => client.end(false, {}, () => resolve())), sleep(3000)]);
    client.end(true);
  }

  /** Drops the TCP connection without a clean disconnect (tests; the will fires). */
  kill(): void {
    (this.client as unknown as { stream?: { destroy(): void } })?.stream?.destroy();
  }
}

/** Sets TCP_NODELAY on the client's socket (plain TCP or TLS; WebSocket streams are left alone). */
function noDelay(client: MqttClient): void {
  const stream = (client as unknown as { stream?: { setNoDelay?: (on: boolean) => unknown } }).stream;
  if (typeof stream?.setNoDelay === 'function') stream.setNoDelay(true);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref?.());
}
