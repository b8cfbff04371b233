import path from 'node:path';
import type { Collector, CollectorContext, CollectorFactory } from '../types.js';
import { LogFollower } from './follow.js';
import { parseLogLine } from './parse.js';

/** Follows the gateway's JSON-lines log, parses level and subsystem, redacts secrets. [SPEC 5.4] */
export function createLogsCollector(ctx: CollectorContext, opts: { pollMs?: number } = {}): Collector {
  const follower = new LogFollower(ctx.config.openclawLogDir, path.join(ctx.config.stateDir, 'log-cursor.json'));
  let timer: NodeJS.Timeout | undefined;
  const poll = () => {
    const lines = follower.poll();
    if (!lines.length) return;
    const now = ctx.now();
    const parsed = [];
    for (const l of lines) {
      const p = parseLogLine(l, now);
      if (p) parsed.push(p);
    }
    // The cursor moves on disk only once these lines are durably in the outbox: a crash before
    // that re-reads them instead of skipping them. [SPEC 4.4]
    const at = follower.position();
    ctx.emit.logLines(parsed, () => follower.save(at));
  };
  return {
    name: 'logs',
    start() {
      poll();
      timer = setInterval(() => {
        try {
          poll();
        } catch (e) {
          ctx.log('warn', `logs: ${(e as Error).message}`);
        }
      }, opts.pollMs ?? 1000);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
      try {
        poll();
      } catch {}
      follower.close();
    },
  };
}

export const logsCollector: CollectorFactory = { name: 'logs', create: (ctx) => createLogsCollector(ctx) };
