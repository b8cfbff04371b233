/**
 * A bounded FIFO with backpressure: `push` returns a promise only when the queue is full, and the
 * producer (an MQTT connection) waits on it, which stops reading from that socket. [SPEC 4.2]
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  /**
   * Producers waiting for room, oldest from `waitersHead` on. Under a fleet's backpressure there can
   * be tens of thousands (every connection's unread messages): released by moving the head, since
   * `shift()` on an array that long copies it each time.
   */
  private roomWaiters: (() => void)[] = [];
  private waitersHead = 0;
  private itemWaiter: (() => void) | null = null;
  /** Waiters released but not yet added: they already own a slot. */
  private reserved = 0;

  constructor(readonly capacity: number) {}

  get depth(): number {
    return this.items.length - this.head;
  }

  push(item: T): Promise<void> | undefined {
    if (this.depth + this.reserved < this.capacity && this.waiting === 0) {
      this.add(item);
      return undefined;
    }
    return new Promise<void>((res) => this.roomWaiters.push(res)).then(() => {
      this.reserved--;
      this.add(item);
    });
  }

  private add(item: T): void {
    this.items.push(item);
    const w = this.itemWaiter;
    this.itemWaiter = null;
    w?.();
  }

  /** Up to `max` items, oldest first. */
  take(max: number): T[] {
    const out = this.items.slice(this.head, this.head + max);
    this.head += out.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    while (this.waiting > 0 && this.depth + this.reserved < this.capacity) {
      this.reserved++;
      const w = this.roomWaiters[this.waitersHead];
      this.waitersHead++;
      w();
    }
    if (this.waitersHead > 4096 && this.waitersHead * 2 > this.roomWaiters.length) {
      this.roomWaiters = this.roomWaiters.slice(this.waitersHead);
      this.waitersHead = 0;
    }
    return out;
  }

  /** Producers waiting for room. */
  get waiting(): number {
    return this.roomWaiters.length - this.waitersHead;
  }

  /** Resolves when at least one item is queued (or `wake` is called). */
  waitForItems(): Promise<void> {
    if (this.depth > 0) return Promise.resolve();
    return new Promise((res) => {
      this.itemWaiter = res;
    });
  }

  wake(): void {
    const w = this.itemWaiter;
    this.itemWaiter = null;
    w?.();
  }
}
