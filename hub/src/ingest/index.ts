import {
  ACKED_STREAMS,
  type AckedStream,
  apiMetricsOf,
  type ConsoleOut,
  type MetricSample,
  parseMessage,
  type TransferFrame,
} from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { AcceptResult, BrokerLink } from '../broker/types.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { RateLimitedLog } from '../util/rate-log.js';
import { cmdResultWriter } from './cmd-result.js';
import { conversationsWriter } from './conversations.js';
import type { IngestDeps } from './deps.js';
import { eventsWriter } from './events.js';
import { logsWriter } from './logs.js';
import { metricsWriter } from './metrics.js';
import { applyHello, applyStatus } from './presence.js';
import { BoundedQueue } from './queue.js';
import type { ThreadSettings } from './thread/messages.js';
import { MetricsThreadWriter, type RawMetrics } from './thread/thread-writer.js';
import type { Sequenced } from './types.js';
import { IngestWriter } from './writer.js';

const acked = new Set<string>(ACKED_STREAMS);

type Parsed = Extract<ReturnType<typeof parseMessage>, { ok: true }>['value'];

/** Sends the newest sample of a metrics message to browsers as it arrives (see Fleet.liveMetrics). */
function liveFrame(fleet: Fleet, instanceId: string, samples: readonly MetricSample[]): void {
  let newest: MetricSample | undefined;
  for (const s of samples) if (!newest || s.t > newest.t) newest = s;
  if (newest) fleet.liveMetrics(instanceId, apiMetricsOf(newest), new Date(newest.t));
}

/** Options of the ingest pipeline. */
export interface IngestOptions {
  db: Db;
  deps: IngestDeps;
  broker: () => BrokerLink | null;
  log: Logger;
  /** Messages the queue holds before producers wait (backpressure). */
  capacity?: number;
  /** Called when an instance says it is (back) online: re-deliver queued commands. [SPEC 8] */
  onOnline?: (instanceId: string) => void;
  /** Console and transfer frames (validated), relayed by the remote-operations services. [SPEC 7] */
  onChannel?: (m: ChannelMessage) => void;
  /**
   * PostgreSQL only: metrics are committed by a worker thread with its own connection (see
   * MetricsThreadWriter). Without it (PGlite, which lives in this thread's memory) every stream
   * is committed here.
   */
  metricsThread?: ThreadSettings;
}

/** A validated sidecar -> hub frame on a console or transfer channel. */
export type ChannelMessage =
  | { kind: 'console/out'; instanceId: string; channelId: string; message: ConsoleOut }
  | { kind: 'transfer/out'; instanceId: string; channelId: string; message: TransferFrame };

/**
 * Entry point for every sidecar message: validate, route, queue. [SPEC 3.5, 8]
 * Refused messages are dropped with a reason, counted, and logged at a limited rate; they never
 * reach the queue, so they cannot slow valid traffic. Acked streams go through the bounded queue
 * to the batch writer; status and hello update presence directly.
 */
export class Ingest {
  readonly queue: BoundedQueue<Sequenced>;
  readonly writer: IngestWriter;
  /** Metrics on their way to the writer thread, when there is one. */
  readonly metricsQueue: BoundedQueue<RawMetrics> | null = null;
  readonly metricsWriter: MetricsThreadWriter | null = null;
  private readonly rlog: RateLimitedLog;

  constructor(private readonly o: IngestOptions) {
    this.queue = new BoundedQueue(o.capacity ?? 20_000);
    this.rlog = new RateLimitedLog(o.log);
    const d = o.deps;
    this.writer = new IngestWriter(
      o.db,
      this.queue,
      {
        metrics: metricsWriter(d),
        logs: logsWriter(d),
        conversations: conversationsWriter(d),
        events: eventsWriter(d),
        'cmd-result': cmdResultWriter(d),
      },
      o.broker,
      d.stats,
      o.log,
    );
    if (o.metricsThread) {
      this.metricsQueue = new BoundedQueue(o.capacity ?? 20_000);
      this.metricsWriter = new MetricsThreadWriter(this.metricsQueue, o.metricsThread, d, o.broker, o.log);
    }
  }

  start(): void {
    this.writer.start();
    this.metricsWriter?.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.writer.stop(), this.metricsWriter?.stop()]);
  }

  /** Messages waiting for a writer. */
  get depth(): number {
    return this.queue.depth + (this.metricsQueue?.depth ?? 0);
  }

  /** False while a writer is retrying because the database is away. */
  get dbHealthy(): boolean {
    return this.writer.dbHealthy && (this.metricsWriter?.dbHealthy ?? true);
  }

  /** Resolves once everything queued is committed and acked (tests, shutdown). */
  async flushed(): Promise<void> {
    await Promise.all([this.writer.flushed(), this.metricsWriter?.flushed()]);
  }

  /** Counts and (rate-limited) logs a refused message. */
  reject(reason: string, detail: string, topic: string, from?: string): AcceptResult {
    this.o.deps.stats.rejects.inc({ reason });
    this.rlog.warn(`reject:${reason}`, { reason, detail, topic: topic.slice(0, 200), from }, 'message refused');
    return { ok: false, reason };
  }

  /** Handles one message. `fromInstance` is the authenticated sender when the broker knows it. */
  accept(topic: string, payload: Buffer, fromInstance?: string): AcceptResult {
    const started = performance.now();
    const r = parseMessage(topic, payload, 'sidecar->hub');
    const out = r.ok
      ? this.route(r.value, topic, payload, fromInstance)
      : this.reject(r.error.reason, r.error.detail, topic, fromInstance);
    this.o.deps.stats.mqttHandling.observe(
      { kind: r.ok ? r.value.kind : 'invalid' },
      (performance.now() - started) / 1000,
    );
    return out;
  }

  /** Routes a parsed message: presence, channels, or the queue of an acked stream. */
  private route(p: Parsed, topic: string, payload: Buffer, fromInstance?: string): AcceptResult {
    const instanceId = p.topic.instanceId;
    if (fromInstance !== undefined && fromInstance !== instanceId) {
      return this.reject('spoofed', `sent by ${fromInstance}`, topic, fromInstance);
    }
    const { fleet, stats } = this.o.deps;
    if (!fleet.get(instanceId)) return this.reject('unknown_instance', instanceId, topic, fromInstance);
    stats.ingested.inc({ kind: p.kind });
    fleet.touch(instanceId);
    const fail = (err: unknown) =>
      this.o.log.error({ err: (err as Error).message, instanceId, kind: p.kind }, 'presence update failed');
    switch (p.kind) {
      case 'status':
        applyStatus(this.o.db, fleet, instanceId, p.message)
          .then(() => p.message.state === 'online' && this.o.onOnline?.(instanceId))
          .catch(fail);
        return { ok: true };
      case 'hello':
        applyHello(this.o.db, fleet, instanceId, p.message)
          .then(() => this.o.onOnline?.(instanceId))
          .catch(fail);
        return { ok: true };
      case 'console/out':
      case 'transfer/out':
        // Channels are relayed by the console/transfer features, not stored.
        if ('channelId' in p.topic)
          this.o.onChannel?.({
            kind: p.kind,
            instanceId,
            channelId: p.topic.channelId,
            message: p.message,
          } as ChannelMessage);
        return { ok: true };
      default: {
        if (!acked.has(p.kind)) return this.reject('unknown_kind', p.kind, topic, fromInstance);
        if (p.kind === 'metrics') liveFrame(fleet, instanceId, p.message.samples);
        if (p.kind === 'metrics' && this.metricsQueue) {
          const wait = this.metricsQueue.push({ instanceId, payload });
          stats.queueDepth.set({}, this.depth);
          return wait ? { ok: true, wait } : { ok: true };
        }
        const m = p.message as { bootId: string; seq: number; base?: number };
        const item = {
          stream: p.kind as AckedStream,
          instanceId,
          bootId: m.bootId,
          seq: m.seq,
          base: m.base,
          message: p.message,
        } as Sequenced;
        const wait = this.queue.push(item);
        stats.queueDepth.set({}, this.depth);
        return wait ? { ok: true, wait } : { ok: true };
      }
    }
  }
}
