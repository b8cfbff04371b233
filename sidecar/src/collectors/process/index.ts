import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Collector, CollectorContext, CollectorFactory } from '../types.js';

/** The I/O of the process collector, passed in so tests can fake a process table. */
export interface ProcessIo {
  pids(): number[];
  cmdline(pid: number): string;
  /** cpu in % of one core, memory = rss bytes */
  usage(pid: number): Promise<{ cpu: number; memory: number }>;
  cores: number;
}

export const procProcessIo: ProcessIo = {
  pids: () =>
    readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number),
  cmdline: (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(),
  // Imported when a gateway process is first found: a sidecar without OpenClaw never loads it.
  usage: async (pid) => (await import('pidusage')).default(pid),
  cores: availableParallelism(),
};

/** Whether a command line is the OpenClaw gateway (`openclaw-gateway`, or `openclaw … gateway`). */
export function isGateway(cmd: string): boolean {
  if (/(^|\/)openclaw-gateway(\s|$)/.test(cmd)) return true;
  return (
    /openclaw(\.mjs)?\s/.test(cmd) &&
    /\sgateway(\s|$)/.test(cmd) &&
    !/\s(status|stop|restart|probe|call)(\s|$)/.test(cmd)
  );
}

/** How often to look for the gateway's pid again when it is not found. */
const RESCAN_MS = 10_000;

/**
 * The OpenClaw gateway process: cpu (% of all cores, like the machine's cpu) and rss, and an
 * `openclaw.restarted` event when its pid changes.
 */
export function createProcessCollector(ctx: Pick<CollectorContext, 'emit'>, io: ProcessIo = procProcessIo): Collector {
  let pid: number | null = null;
  let lastScan = 0;

  function find(now: number): number | null {
    if (pid !== null || now - lastScan < RESCAN_MS) return pid;
    lastScan = now;
    for (const p of io.pids()) {
      if (p === process.pid) continue;
      try {
        if (isGateway(io.cmdline(p))) return p;
      } catch {
        // the process went away while we looked
      }
    }
    return null;
  }

  return {
    name: 'process',
    async sample(now) {
      const before = pid;
      pid = find(now);
      if (pid === null) return { openclaw: null };
      try {
        const u = await io.usage(pid);
        if (before !== null && before !== pid) {
          ctx.emit.event({
            type: 'openclaw.restarted',
            message: `gateway pid ${before} -> ${pid}`,
            data: { oldPid: before, pid },
          });
        }
        return { openclaw: { pid, cpu: Math.max(0, u.cpu / Math.max(1, io.cores)), rss: u.memory } };
      } catch {
        // gone: look for its successor at once
        const old = pid;
        pid = null;
        lastScan = 0;
        const next = find(now);
        if (next === null) return { openclaw: null };
        pid = next;
        ctx.emit.event({
          type: 'openclaw.restarted',
          message: `gateway pid ${old} -> ${next}`,
          data: { oldPid: old, pid: next },
        });
        const u = await io.usage(next);
        return { openclaw: { pid: next, cpu: Math.max(0, u.cpu / Math.max(1, io.cores)), rss: u.memory } };
      }
    },
  };
}

export const processCollector: CollectorFactory = { name: 'process', create: (ctx) => createProcessCollector(ctx) };
