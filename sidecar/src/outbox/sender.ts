import type { Outbox, OutboxEntry } from './outbox.js';

/** How the sender hands a message to the transport; resolves on the broker's PUBACK. */
export type PublishFn = (stream: string, payload: Buffer) => Promise<void>;

/** Options of a sender. */
export interface SenderOptions {
  publish: PublishFn;
  /** Publishes awaiting PUBACK at once (FACTS: a tight loop without a window times clients out). */
  window: number;
  /** Replayed messages per second after a reconnect; live messages go first. [SPEC 4.4] */
  replayRate: number;
  /** Re-send what the hub has not acknowledged after this long (default 60 s). */
  ackTimeoutMs?: number;
  onError?: (e: unknown) => void;
}

/**
 * Moves outbox entries to the transport in two lanes: `live` (appended since the last connect,
 * sent at once) and `replay` (held at connect time, oldest first, rate-limited), both inside
 * one PUBACK window. Entries stay in the outbox until the hub's ack removes them.
 */
export class Sender {
  private connected = false;
  private inflight = 0;
  private boundary = 0;
  private replayCursor = 0;
  private liveCursor = 0;
  private tokens = 0;
  private lastRefill = Date.now();
  private timer?: NodeJS.Timeout;
  private ackTimer?: NodeJS.Timeout;
  private sentAt = new Map<OutboxEntry, number>();
  private pumping = false;
  /** Connection generation: results of publishes from an older connection are ignored. */
  private gen = 0;
  /** Counters for status and tests. */
  readonly counters = { published: 0, replayed: 0, failed: 0, rewinds: 0 };

  constructor(
    private readonly outbox: Outbox,
    private readonly opts: SenderOptions,
  ) {}

  /** Call after the transport connects: everything held is replayed. [SPEC 4.4] */
  onConnect(): void {
    this.abandonInflight();
    this.connected = true;
    this.rewind();
    const every = Math.max(1000, Math.floor((this.opts.ackTimeoutMs ?? 60_000) / 4));
    clearInterval(this.ackTimer);
    this.ackTimer = setInterval(() => this.checkAckTimeout(), every);
    this.ackTimer.unref();
    this.pump();
  }

  /**
   * Call when the transport's connection is gone. Every publish of that connection is abandoned:
   * after a silent cut its PUBACK never comes and its promise may never settle, so waiting for it
   * would leave the entry "in flight" forever and the window full. [SPEC 4.4]
   */
  onDisconnect(): void {
    this.connected = false;
    clearTimeout(this.timer);
    clearInterval(this.ackTimer);
    this.timer = undefined;
    this.abandonInflight();
  }

  /** Forgets the current connection's publishes: they become unsent and the window empties. */
  private abandonInflight(): void {
    this.gen++;
    this.inflight = 0;
    for (const e of this.outbox.entries()) if (e.state === 1) e.state = 0;
  }

  /** Call after appending to the outbox. */
  notify(): void {
    if (this.connected) this.pump();
  }

  private rewind(): void {
    for (const e of this.outbox.entries()) if (e.state !== 1) e.state = 0;
    this.sentAt.clear();
    this.replayCursor = 0;
    this.boundary = this.outbox.endOrd;
    this.liveCursor = this.boundary;
    this.tokens = Math.min(this.opts.replayRate, 10);
    this.lastRefill = Date.now();
  }

  private checkAckTimeout(): void {
    const limit = Date.now() - (this.opts.ackTimeoutMs ?? 60_000);
    for (const [e, t] of this.sentAt) {
      if (e.done) this.sentAt.delete(e);
      else if (t < limit) {
        this.counters.rewinds++;
        this.rewind();
        this.pump();
        return;
      }
    }
  }

  private next(from: number, until: number): OutboxEntry | undefined {
    for (const e of this.outbox.entries(from)) {
      if (e.ord >= until) return undefined;
      if (e.state === 0) return e;
    }
    return undefined;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.connected && this.inflight < this.opts.window) {
        const live = this.next(this.liveCursor, Number.MAX_SAFE_INTEGER);
        if (live) {
          this.liveCursor = live.ord + 1;
          this.send(live, false);
          continue;
        }
        const now = Date.now();
        this.tokens = Math.min(
          this.opts.replayRate,
          this.tokens + ((now - this.lastRefill) / 1000) * this.opts.replayRate,
        );
        this.lastRefill = now;
        const old = this.next(this.replayCursor, this.boundary);
        if (!old) break;
        if (this.tokens < 1) {
          if (!this.timer) {
            const wait = Math.ceil(((1 - this.tokens) / this.opts.replayRate) * 1000);
            this.timer = setTimeout(() => {
              this.timer = undefined;
              this.pump();
            }, wait);
          }
          break;
        }
        this.tokens -= 1;
        this.replayCursor = old.ord + 1;
        this.counters.replayed++;
        this.send(old, true);
      }
    } finally {
      this.pumping = false;
    }
  }

  private send(e: OutboxEntry, _replay: boolean): void {
    let payload: Buffer;
    try {
      payload = Buffer.from(JSON.stringify(this.outbox.read(e)), 'utf8');
    } catch (err) {
      // An unreadable record cannot be sent; leave it for the ack/cap logic and report it.
      this.counters.failed++;
      this.opts.onError?.(err);
      return;
    }
    this.outbox.release(e);
    e.state = 1;
    this.inflight++;
    const gen = this.gen;
    let sent: Promise<void>;
    try {
      sent = this.opts.publish(e.stream, payload);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent
      .then(
        () => {
          if (gen !== this.gen) return; // an abandoned connection: already unsent again
          if (e.state === 1) e.state = 2;
          this.sentAt.set(e, Date.now());
          this.counters.published++;
        },
        () => {
          this.counters.failed++;
          if (gen !== this.gen) return;
          // Not acknowledged by the broker: send again after the next connect.
          if (e.state === 1) e.state = 0;
        },
      )
      .finally(() => {
        if (gen !== this.gen) return;
        this.inflight--;
        this.pump();
      });
  }

  stop(): void {
    this.onDisconnect();
  }
}
