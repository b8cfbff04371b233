import { randomBytes } from 'node:crypto';
import { type AckMessage, encodeMessage, type MetricSample, topicFor } from '@deepsignal/protocol';
import mqtt from 'mqtt';

/** Credentials of one provisioned instance. */
export interface InstanceCreds {
  id: string;
  secret: string;
}

/**
 * A protocol-level load generator for one instance: its own MQTT connection and credentials,
 * publishing `metrics` messages with a real envelope (bootId, seq) and timing each one until the
 * hub's end-to-end ack covers it. [SPEC 4.2] It is not the sidecar (no outbox, no collectors):
 * the ingest benchmark uses it to push the hub harder than real-time sidecars can, and measures
 * what the hub commits. The fleet benchmark uses the real sidecar code instead.
 */
export class LiteSidecar {
  readonly bootId = `b${randomBytes(6).toString('hex')}`;
  private seq = 0;
  private readonly sentAt = new Map<number, number>();
  private client?: mqtt.MqttClient;
  /** Highest seq the hub acknowledged. */
  acked = -1;
  /** Samples covered by acks. */
  ackedSamples = 0;
  private readonly samplesOf = new Map<number, number>();
  /** Publish-to-ack latencies in ms (one per message). */
  readonly latencies: number[] = [];
  private ackWaiters: (() => void)[] = [];

  constructor(
    readonly creds: InstanceCreds,
    private readonly url: string,
  ) {}

  /** Connects as the instance (client id `ds-<id>`, clean session false) and subscribes to its acks. [SPEC 4.5] */
  async connect(): Promise<void> {
    const c = mqtt.connect(this.url, {
      clientId: `ds-${this.creds.id}`,
      username: this.creds.id,
      password: this.creds.secret,
      protocolVersion: 4,
      clean: false,
      keepalive: 30,
      reconnectPeriod: 1000,
      connectTimeout: 30_000,
    });
    this.client = c;
    c.on('error', () => {});
    await new Promise<void>((res, rej) => {
      c.once('connect', () => res());
      c.once('error', rej);
    });
    c.on('message', (_t, payload) => this.onAck(payload));
    await c.subscribeAsync(topicFor(this.creds.id, 'ack'), { qos: 1 });
  }

  private onAck(payload: Buffer): void {
    let m: AckMessage;
    try {
      m = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const now = performance.now();
    for (const a of m.acks ?? []) {
      if (a.bootId !== this.bootId || a.stream !== 'metrics' || a.seq <= this.acked) continue;
      for (let s = this.acked + 1; s <= a.seq; s++) {
        const at = this.sentAt.get(s);
        if (at !== undefined) {
          this.latencies.push(now - at);
          this.sentAt.delete(s);
        }
        this.ackedSamples += this.samplesOf.get(s) ?? 0;
        this.samplesOf.delete(s);
      }
      this.acked = a.seq;
    }
    for (const w of this.ackWaiters.splice(0)) w();
  }

  /** Whether the MQTT connection is up right now. */
  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Messages published and not yet acknowledged. */
  get outstanding(): number {
    return this.seq - 1 - this.acked;
  }

  /** Publishes one metrics message of these samples (QoS 1); resolves on PUBACK. */
  async publishMetrics(samples: MetricSample[]): Promise<number> {
    const seq = this.seq++;
    const msg = {
      v: 1,
      id: `${this.bootId}-${seq}`,
      instanceId: this.creds.id,
      bootId: this.bootId,
      seq,
      ts: Date.now(),
      samples,
    };
    this.sentAt.set(seq, performance.now());
    this.samplesOf.set(seq, samples.length);
    await this.client!.publishAsync(topicFor(this.creds.id, 'metrics'), encodeMessage(msg), { qos: 1 });
    return seq;
  }

  /** Resolves when every published message is acknowledged, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.outstanding > 0 && Date.now() < until) {
      await new Promise<void>((res) => {
        this.ackWaiters.push(res);
        setTimeout(res, 200);
      });
    }
    return this.outstanding <= 0;
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true).catch(() => {});
  }
}

/** Percentile (0-100) of a list of numbers; NaN for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
