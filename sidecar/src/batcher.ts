import { LIMITS } from '@deepsignal/protocol';

/** Body size kept under the protocol limit with room for the envelope. [SPEC 3.4] */
const MAX_BODY_BYTES = LIMITS.maxMessageBytes - 8 * 1024;

/**
 * Collects items of one stream and hands them out in chunks that respect both the item count
 * and the message size limits. The caller decides when to flush (a timer, or shutdown).
 */
export class Batch<T> {
  private items: T[] = [];
  private sizes: number[] = [];
  private bytes = 0;

  constructor(
    private readonly maxItems: number,
    private readonly onFull: () => void,
    private readonly maxBytes = MAX_BODY_BYTES,
  ) {}

  add(item: T): void {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (size > this.maxBytes) return; // one item over the limit cannot be sent; callers truncate first
    this.items.push(item);
    this.sizes.push(size);
    this.bytes += size;
    if (this.items.length >= this.maxItems || this.bytes >= this.maxBytes) this.onFull();
  }

  get length(): number {
    return this.items.length;
  }

  /** Everything held, cut into message-sized chunks. */
  drain(): T[][] {
    const out: T[][] = [];
    let cur: T[] = [];
    let bytes = 0;
    for (let i = 0; i < this.items.length; i++) {
      if (cur.length && (cur.length >= this.maxItems || bytes + this.sizes[i] > this.maxBytes)) {
        out.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(this.items[i]);
      bytes += this.sizes[i];
    }
    if (cur.length) out.push(cur);
    this.items = [];
    this.sizes = [];
    this.bytes = 0;
    return out;
  }
}
