import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './queue.js';

describe('the ingest queue', () => {
  it('holds producers back when full and lets them in, in order, as room is taken', async () => {
    const q = new BoundedQueue<number>(3);
    const waits = [1, 2, 3, 4, 5].map((n) => q.push(n));
    expect(waits.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(q.waiting).toBe(2);
    expect(q.take(2)).toEqual([1, 2]);
    await Promise.all(waits.slice(3));
    expect(q.waiting).toBe(0);
    expect(q.take(10)).toEqual([3, 4, 5]);
  });

  it('releases tens of thousands of waiting producers in order without copying them each time', async () => {
    const q = new BoundedQueue<number>(1000);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 60_000; i++) {
      const w = q.push(i);
      if (w) pending.push(w);
    }
    expect(q.waiting).toBe(59_000);
    const out: number[] = [];
    while (out.length < 60_000) {
      out.push(...q.take(1000));
      // Released producers add their item on the next microtask.
      await Promise.resolve();
      await Promise.resolve();
    }
    await Promise.all(pending);
    expect(out).toEqual(Array.from({ length: 60_000 }, (_, i) => i));
    expect(q.waiting).toBe(0);
    expect(q.depth).toBe(0);
  });
});
