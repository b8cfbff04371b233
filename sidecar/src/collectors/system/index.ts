import { readFileSync, statfsSync } from 'node:fs';
import type { MetricSample } from '@deepsignal/protocol';
import type { Collector, CollectorFactory } from '../types.js';
import {
  type CpuTimes,
  cpuPercent,
  parseLoadavg,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
  parseUptime,
} from './proc.js';

/** The I/O the system collector does, passed in so tests can read fixtures. */
export interface SystemIo {
  readFile(path: string): string;
  statfs(path: string): { blocks: number; bfree: number; bavail: number; bsize: number };
}

export const procIo: SystemIo = {
  readFile: (p) => readFileSync(p, 'utf8'),
  statfs: (p) => {
    const s = statfsSync(p);
    return { blocks: Number(s.blocks), bfree: Number(s.bfree), bavail: Number(s.bavail), bsize: Number(s.bsize) };
  },
};

/** Disks change slowly: refresh them this often, not every second. */
const DISK_EVERY_MS = 30_000;

/**
 * Machine sample from /proc each second: cpu %, load, memory, swap, network rates, uptime, and
 * disks per mount every 30 s (statfs). Without /proc (not Linux) it falls back to
 * systeminformation, which is far more expensive per call.
 */
export function createSystemCollector(io: SystemIo = procIo): Collector {
  let prevCpu: CpuTimes | null = null;
  let prevNet: { rx: number; tx: number; t: number } | null = null;
  let disks: MetricSample['disks'];
  let disksAt = 0;
  let useProc = true;
  try {
    io.readFile('/proc/stat');
  } catch {
    useProc = false;
  }

  function readDisks(now: number): MetricSample['disks'] {
    if (disks && now - disksAt < DISK_EVERY_MS) return disks;
    const out: NonNullable<MetricSample['disks']> = [];
    for (const mount of parseMounts(io.readFile('/proc/mounts')).slice(0, 32)) {
      try {
        const s = io.statfs(mount);
        const total = s.blocks * s.bsize;
        out.push({ mount, used: Math.max(0, total - s.bfree * s.bsize), total });
      } catch {
        // unreadable mount (permissions): leave it out rather than guess
      }
    }
    disks = out;
    disksAt = now;
    return out;
  }

  async function fallback(): Promise<Partial<MetricSample>> {
    // Loaded only where /proc is missing: systeminformation costs ~10 MB of RSS once imported.
    const { default: si } = await import('systeminformation');
    const [load, mem, fs, net, time] = await Promise.all([
      si.currentLoad(),
      si.mem(),
      si.fsSize(),
      si.networkStats('*'),
      si.time(),
    ]);
    return {
      cpu: Math.min(100, Math.max(0, load.currentLoad)),
      memUsed: mem.total - mem.available,
      memTotal: mem.total,
      swapUsed: mem.swapused,
      swapTotal: mem.swaptotal,
      disks: fs.slice(0, 32).map((d) => ({ mount: d.mount, used: d.used, total: d.size })),
      netRx: net.reduce((a, n) => a + Math.max(0, n.rx_sec ?? 0), 0),
      netTx: net.reduce((a, n) => a + Math.max(0, n.tx_sec ?? 0), 0),
      uptime: time.uptime,
    };
  }

  return {
    name: 'system',
    async sample(now) {
      if (!useProc) return fallback();
      const out: Partial<MetricSample> = {};
      const errors: string[] = [];
      const part = (what: string, fn: () => void) => {
        try {
          fn();
        } catch (e) {
          errors.push(`${what}: ${(e as Error).message}`);
        }
      };
      part('cpu', () => {
        const cur = parseProcStat(io.readFile('/proc/stat'));
        if (cur && prevCpu) out.cpu = cpuPercent(prevCpu, cur);
        prevCpu = cur;
      });
      part('load', () => Object.assign(out, parseLoadavg(io.readFile('/proc/loadavg'))));
      part('memory', () => Object.assign(out, parseMeminfo(io.readFile('/proc/meminfo'))));
      part('network', () => {
        const n = parseNetDev(io.readFile('/proc/net/dev'));
        if (n && prevNet && now > prevNet.t) {
          const dt = (now - prevNet.t) / 1000;
          out.netRx = Math.max(0, (n.rx - prevNet.rx) / dt);
          out.netTx = Math.max(0, (n.tx - prevNet.tx) / dt);
        }
        if (n) prevNet = { ...n, t: now };
      });
      part('uptime', () => {
        const u = parseUptime(io.readFile('/proc/uptime'));
        if (u !== null) out.uptime = u;
      });
      part('disks', () => {
        out.disks = readDisks(now);
      });
      for (const k of Object.keys(out) as (keyof MetricSample)[]) if (out[k] === undefined) delete out[k];
      // A partial failure still sends what was read; the error goes out as an event.
      if (errors.length) throw Object.assign(new Error(errors.join('; ')), { partial: out });
      return out;
    },
  };
}

export const systemCollector: CollectorFactory = { name: 'system', create: () => createSystemCollector() };
