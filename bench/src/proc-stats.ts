import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
const HZ = 100;

/** CPU time (seconds) and resident memory (bytes) of one process, read from /proc. */
export interface ProcSample {
  at: number;
  cpuSec: number;
  rssBytes: number;
}

/** Reads one sample; undefined once the process is gone. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name (which may hold spaces)
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    return { at: performance.now(), cpuSec: (utime + stime) / HZ, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
  } catch {
    return undefined;
  }
}

/** Summary of a process over a window: average CPU (% of one core), mean and peak RSS. */
export interface ProcUsage {
  cpuPct: number;
  rssMeanMb: number;
  rssMaxMb: number;
  samples: number;
}

/**
 * Samples a process every `intervalMs` until `stop()` is called; `stop` returns the usage over
 * the whole window (CPU from first to last sample, so start-up cost before `start` is excluded).
 */
export function watchProcess(pid: number, intervalMs = 1000): { stop: () => ProcUsage } {
  const samples: ProcSample[] = [];
  const first = readProc(pid);
  if (first) samples.push(first);
  const timer = setInterval(() => {
    const s = readProc(pid);
    if (s) samples.push(s);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const last = readProc(pid);
      if (last) samples.push(last);
      return summarize(samples);
    },
  };
}

/** Usage over a list of samples (exported for tests). */
export function summarize(samples: ProcSample[]): ProcUsage {
  if (samples.length < 2) return { cpuPct: 0, rssMeanMb: 0, rssMaxMb: 0, samples: samples.length };
  const a = samples[0];
  const b = samples[samples.length - 1];
  const wall = (b.at - a.at) / 1000;
  const rss = samples.map((s) => s.rssBytes / 2 ** 20);
  return {
    cpuPct: wall > 0 ? ((b.cpuSec - a.cpuSec) / wall) * 100 : 0,
    rssMeanMb: rss.reduce((x, y) => x + y, 0) / rss.length,
    rssMaxMb: Math.max(...rss),
    samples: samples.length,
  };
}
