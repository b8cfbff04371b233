import type { Logger } from 'pino';
import type { BrokerLink } from '../broker/types.js';
import type { Db } from '../db/index.js';
import type { HubStats } from '../stats.js';
import { publishAcks } from './acks.js';
import { commitBatch } from './commit.js';
import type { BoundedQueue } from './queue.js';
import { commitWithRetry } from './retry.js';
import type { Sequenced, StreamWriters } from './types.js';

const MAX_BATCH = 1000;
/** Batches whose acks may still be in flight while the next one commits. */
const MAX_ACKS_IN_FLIGHT = 4;

/**
 * The single consumer of the ingest queue: takes batches, commits each in one transaction and
 * only then publishes the acks. [SPEC 4.2] While the database is unavailable it retries the same
 * batch with backoff and acks nothing; the queue fills and backpressure stops the sidecars' reads.
 * A batch that fails on its data is split until the offending message is isolated and dropped
 * (counted as `db_rejected`, never acked), so one bad message cannot stall everyone.
 */
export class IngestWriter {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private idle = true;
  /** Resolves waiters of `flushed()`. */
  private idleWaiters: (() => void)[] = [];
  dbHealthy = true;
  /** Cursor keys whose `ingest_cursors` row exists (see `commitBatch`). */
  private readonly knownCursors = new Set<string>();
  /** Ack publishes of committed batches still in flight. */
  private readonly ackSends = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly queue: BoundedQueue<Sequenced>,
    private readonly writers: StreamWriters,
    private readonly broker: () => BrokerLink | null,
    private readonly stats: HubStats,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves once the queue is empty and no batch is in flight (tests, shutdown). */
  flushed(): Promise<void> {
    if (this.idle && this.queue.depth === 0) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  async stop(): Promise<void> {
    await Promise.race([this.flushed(), new Promise((r) => setTimeout(r, 5000))]);
    this.stopped = true;
    this.queue.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.queue.depth === 0) {
        await Promise.all(this.ackSends); // idle means acked, for flushed() and stop()
        if (this.queue.depth > 0) continue;
        this.idle = true;
        for (const w of this.idleWaiters.splice(0)) w();
        await this.queue.waitForItems();
        continue;
      }
      this.idle = false;
      const batch = this.queue.take(MAX_BATCH);
      this.stats.queueDepth.set({}, this.queue.depth);
      await this.commitWithRetry(batch);
      // Bound the acks in flight (a slow external broker): wait for the oldest batch's.
      if (this.ackSends.size > MAX_ACKS_IN_FLIGHT) await this.ackSends.values().next().value;
    }
  }

  private commitWithRetry(batch: Sequenced[]): Promise<void> {
    return commitWithRetry(batch, (b) => this.commit(b), {
      failed: (e, n, retrying) => {
        this.stats.commitFailures.inc();
        if (!retrying) return;
        this.dbHealthy = false;
        this.log.error({ err: (e as Error).message, batch: n }, 'ingest commit failed; retrying, nothing acked');
      },
      refused: (m, e) => {
        this.stats.rejects.inc({ reason: 'db_rejected' });
        this.log.warn(
          { instanceId: m.instanceId, stream: m.stream, seq: m.seq, err: (e as Error).message },
          'message refused by the database',
        );
      },
      succeeded: () => {
        this.dbHealthy = true;
      },
      stopped: () => this.stopped,
    });
  }

  private async commit(batch: Sequenced[]): Promise<void> {
    const started = performance.now();
    const out = await this.db.tx((q) => commitBatch(q, batch, this.writers, this.knownCursors));
    this.stats.commit((performance.now() - started) / 1000);
    const perStream = new Map<string, number>();
    for (const m of batch) perStream.set(m.stream, (perStream.get(m.stream) ?? 0) + 1);
    for (const [stream, n] of perStream) this.stats.committed.inc({ stream }, n);
    if (out.duplicates) this.stats.duplicates.inc({}, out.duplicates);
    if (out.gaps) this.stats.gaps.inc({}, out.gaps);
    // The next batch commits while these acks are on their way (publishing them takes a turn
    // of the busy event loop, tens of ms); acks are cumulative, so their order does not matter.
    const sending = publishAcks(this.broker(), out.acks, this.stats, this.log).catch((err) =>
      this.log.warn({ err: (err as Error).message }, 'ack publish failed; the sidecars will resend'),
    );
    this.ackSends.add(sending);
    void sending.finally(() => this.ackSends.delete(sending));
    for (const f of out.after) {
      try {
        f();
      } catch (err) {
        this.log.error({ err }, 'post-commit hook failed');
      }
    }
  }
}
