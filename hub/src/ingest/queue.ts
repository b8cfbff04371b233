/**
 * A bounded FIFO with backpressure: `push` returns a promise only when the queue is full, and the
 * producer (an MQTT connection) waits on it, which stops reading from that socket. [SPEC 4.2]
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private readonly roomWaiters: (() => void)[] = [];
  private itemWaiter: (() => void) | null = null;
  /** Waiters released but not yet added: they already own a slot. */
  private reserved = 0;

  constructor(readonly capacity: number) {}

  get depth(): number {
    return this.items.length - this.head;
  }

  push(item: T): Promise<void> | undefined {
    if (this.depth + this.reserved < this.capacity && this.roomWaiters.length === 0) {
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
    while (this.roomWaiters.length && this.depth + this.reserved < this.capacity) {
      this.reserved++;
      this.roomWaiters.shift()?.();
    }
    return out;
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
