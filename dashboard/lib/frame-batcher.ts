/**
 * Collects items and hands them over once per animation frame, so a burst of socket events
 * (1,000 instances reporting every second) costs one React update per frame, not one per event.
 */
export function createFrameBatcher<T>(flush: (items: T[]) => void) {
  let queue: T[] = [];
  let scheduled = false;
  const raf: (cb: () => void) => unknown =
    typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (cb) => setTimeout(cb, 16);
  const run = () => {
    scheduled = false;
    const items = queue;
    queue = [];
    if (items.length) flush(items);
  };
  return {
    push(item: T) {
      queue.push(item);
      if (!scheduled) {
        scheduled = true;
        // Background tabs do not run animation frames; a timer keeps the queue from growing.
        if (typeof document !== 'undefined' && document.hidden) setTimeout(run, 250);
        else raf(run);
      }
    },
    get pending() {
      return queue.length;
    },
  };
}
