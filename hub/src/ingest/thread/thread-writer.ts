import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { BrokerLink } from '../../broker/types.js';
import { publishAcks } from '../acks.js';
import type { IngestDeps } from '../deps.js';
import { applyCommittedMetrics } from '../metrics.js';
import type { BoundedQueue } from '../queue.js';
import type { BatchToThread, FromThread, ThreadSettings } from './messages.js';

/** A validated `metrics` message waiting for the writer thread: its bytes as they came. */
export interface RawMetrics {
  instanceId: string;
  payload: Buffer;
}

const MAX_BATCH = 1000;
/**
 * Batches handed to the thread before it has answered. One, as in the broker's thread: the next
 * batch is everything that arrived while this one committed. A second one waiting in the thread
 * would be taken too early (small) and wait a whole commit there, which doubles the ack latency of
 * senders that wait for acks (an outbox window) for no more throughput.
 */
const MAX_IN_FLIGHT = 1;
/** Batches whose acks may still be in flight while the next ones commit. */
const MAX_ACKS_IN_FLIGHT = 4;

const BOOT = new URL('./boot.mjs', import.meta.url);
const ENTRY = new URL(`./metrics-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * Consumer of the metrics queue on PostgreSQL: hands batches to a worker thread that commits them
 * on its own connection, then (on this thread, where the broker is) publishes the acks and updates
 * the fleet snapshot. [SPEC 4.2] Exactly-once is the same as in-thread: the thread runs the same
 * `commitBatch`, acks only what it committed, and a batch it never answered for (the thread died)
 * is handed to a new thread again, where the cursors turn whatever was committed into duplicates.
 */
export class MetricsThreadWriter {
  private worker: Worker | null = null;
  private stopped = false;
  private nextId = 1;
  private readonly inFlight = new Map<number, RawMetrics[]>();
  private readonly ackSends = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  /** Wakes the loop when the thread answers. */
  private answered: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  dbHealthy = true;

  constructor(
    private readonly queue: BoundedQueue<RawMetrics>,
    private readonly settings: ThreadSettings,
    private readonly deps: Pick<IngestDeps, 'stats' | 'fleet' | 'rollups'>,
    private readonly broker: () => BrokerLink | null,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.loop) return;
    this.spawn();
    this.loop = this.run();
  }

  private get idle(): boolean {
    return this.queue.depth === 0 && this.inFlight.size === 0 && this.ackSends.size === 0;
  }

  /** Resolves once the queue is empty, every batch answered and its acks sent (tests, shutdown). */
  flushed(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  async stop(): Promise<void> {
    await Promise.race([this.flushed(), new Promise((r) => setTimeout(r, 5000))]);
    this.stopped = true;
    this.queue.wake();
    this.wakeLoop();
    await this.loop;
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    const exited = new Promise((r) => w.once('exit', r));
    w.postMessage({ type: 'stop' });
    // A thread stuck retrying an absent database is given a moment, then ended.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    await w.terminate();
  }

  private spawn(): void {
    const w = new Worker(BOOT, {
      workerData: { entry: ENTRY.href, settings: this.settings },
      name: 'ingest-metrics',
    });
    this.worker = w;
    w.on('message', (m: FromThread) => this.onMessage(m));
    w.on('error', (err) => this.log.error({ err: err.message }, 'metrics writer thread failed'));
    w.on('exit', (code) => {
      if (this.worker !== w || this.stopped) return;
      // Nothing it did not answer for was acked: hand those batches to a new thread.
      this.log.error({ code, batches: this.inFlight.size }, 'metrics writer thread exited; starting another');
      setTimeout(() => {
        if (this.stopped) return;
        this.spawn();
        for (const [id, items] of this.inFlight) this.post(id, items);
      }, 1000);
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      // Bound the acks in flight (a slow external broker): wait for the oldest batch's.
      if (this.ackSends.size > MAX_ACKS_IN_FLIGHT) await this.ackSends.values().next().value;
      if (this.queue.depth === 0 || this.inFlight.size >= MAX_IN_FLIGHT) {
        if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
        const answer = new Promise<void>((r) => {
          this.answered = r;
        });
        await (this.queue.depth === 0 ? Promise.race([this.queue.waitForItems(), answer]) : answer);
        continue;
      }
      const batch = this.queue.take(MAX_BATCH);
      this.deps.stats.queueDepth.set({}, this.queue.depth);
      const id = this.nextId++;
      this.inFlight.set(id, batch);
      this.post(id, batch);
    }
  }

  private wakeLoop(): void {
    const w = this.answered;
    this.answered = null;
    w?.();
  }

  /** One buffer for the whole batch, transferred to the thread without a copy. */
  private post(id: number, items: RawMetrics[]): void {
    const lengths = new Uint32Array(items.length);
    for (let i = 0; i < items.length; i++) lengths[i] = items[i].payload.length;
    const bytes = new Uint8Array(Buffer.concat(items.map((m) => m.payload)));
    const msg: BatchToThread = { type: 'batch', id, instanceIds: items.map((m) => m.instanceId), lengths, bytes };
    this.worker?.postMessage(msg, [bytes.buffer, lengths.buffer]);
  }

  private onMessage(m: FromThread): void {
    const { stats } = this.deps;
    if (m.type === 'failed') {
      stats.commitFailures.inc();
      if (m.retrying) {
        this.dbHealthy = false;
        this.log.error({ err: m.error, batch: m.batch }, 'ingest commit failed; retrying, nothing acked');
      }
      return;
    }
    if (m.type !== 'done' || !this.inFlight.delete(m.id)) return;
    this.dbHealthy = true;
    for (const r of m.refused) {
      stats.rejects.inc({ reason: 'db_rejected' });
      this.log.warn(
        { instanceId: r.instanceId, stream: 'metrics', seq: r.seq, err: r.error },
        'message refused by the database',
      );
    }
    for (const p of m.parts) {
      stats.commit(p.seconds);
      stats.committed.inc({ stream: 'metrics' }, p.messages);
      if (p.duplicates) stats.duplicates.inc({}, p.duplicates);
      if (p.gaps) stats.gaps.inc({}, p.gaps);
      this.sendAcks(p.acks);
      try {
        applyCommittedMetrics(this.deps, { values: p.values, latest: new Map(p.latest), oldest: new Map(p.oldest) });
      } catch (err) {
        this.log.error({ err }, 'post-commit hook failed');
      }
    }
    this.wakeLoop();
  }

  private sendAcks(acks: Parameters<typeof publishAcks>[1]): void {
    const sending = publishAcks(this.broker(), acks, this.deps.stats, this.log).catch((err) =>
      this.log.warn({ err: (err as Error).message }, 'ack publish failed; the sidecars will resend'),
    );
    this.ackSends.add(sending);
    void sending.finally(() => {
      this.ackSends.delete(sending);
      if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
    });
  }
}
