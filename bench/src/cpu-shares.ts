import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
const HZ = 100;

/** CPU seconds of a process and its command name, from /proc/<pid>/stat; undefined once gone. */
function cpuOf(pid: number): { comm: string; cpuSec: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, cpuSec: (Number(rest[11]) + Number(rest[12])) / HZ };
  } catch {
    return undefined;
  }
}

/** CPU seconds of every process whose command name is `comm` (PostgreSQL's backends, mosquitto). */
function cpuOfCommand(comm: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const c = cpuOf(pid);
    if (c?.comm === comm) out.set(pid, c.cpuSec);
  }
  return out;
}

/** Who to watch: named processes (by pid) and named groups of processes (by command name). */
export interface ShareTargets {
  pids: Record<string, number[]>;
  commands?: Record<string, string>;
}

/**
 * Watches where the machine's CPU goes over a window: each named process or group's share, in %
 * of one core (so on 2 cores the shares of a saturated machine add up to about 200), plus what
 * the whole machine spent (/proc/stat), so that what nobody named (other jobs) shows as the rest.
 */
export function watchCpuShares(t: ShareTargets): { stop: () => Record<string, number> } {
  const started = performance.now();
  const machine0 = machineBusySec();
  const pid0 = new Map<number, number>();
  for (const pids of Object.values(t.pids)) for (const p of pids) pid0.set(p, cpuOf(p)?.cpuSec ?? 0);
  const cmd0 = new Map(Object.entries(t.commands ?? {}).map(([name, comm]) => [name, cpuOfCommand(comm)]));
  return {
    stop() {
      const wall = (performance.now() - started) / 1000;
      const pct = (sec: number) => Math.round((sec / wall) * 1000) / 10;
      const out: Record<string, number> = {};
      for (const [name, pids] of Object.entries(t.pids)) {
        out[name] = pct(pids.reduce((a, p) => a + Math.max(0, (cpuOf(p)?.cpuSec ?? 0) - (pid0.get(p) ?? 0)), 0));
      }
      for (const [name, comm] of Object.entries(t.commands ?? {})) {
        const before = cmd0.get(name) ?? new Map();
        let sec = 0;
        for (const [p, now] of cpuOfCommand(comm)) sec += Math.max(0, now - (before.get(p) ?? 0));
        out[name] = pct(sec);
      }
      out.machine = pct(machineBusySec() - machine0);
      return out;
    },
  };
}

/** Non-idle CPU seconds of the whole machine, all cores, from /proc/stat. */
function machineBusySec(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy
  const busy = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3] - cpu[4];
  return busy / HZ;
}
