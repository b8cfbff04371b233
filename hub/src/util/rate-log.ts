import type { Logger } from 'pino';

/**
 * Logs at most `perWindow` lines per key per window; the rest are summarised once when the window
 * rolls over, so a flood of bad input cannot flood the log.
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly log: Logger,
    private readonly perWindow = 5,
    private readonly windowMs = 10_000,
  ) {}

  warn(key: string, obj: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || now - w.start > this.windowMs) {
      if (w && w.count > this.perWindow) {
        this.log.warn({ key, suppressed: w.count - this.perWindow }, 'similar messages suppressed');
      }
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (++w.count <= this.perWindow) this.log.warn(obj, msg);
  }
}
