/** Parsers for the few /proc files read every second (cheaper than systeminformation). */

export interface CpuTimes {
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return null;
  // guest time is already counted in user/nice; leave it out of the total
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** Percent of all cores busy between two readings. */
export function cpuPercent(a: CpuTimes, b: CpuTimes): number | undefined {
  const dt = b.total - a.total;
  if (dt <= 0) return undefined;
  return Math.min(100, Math.max(0, ((b.busy - a.busy) / dt) * 100));
}

export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } | null {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every(Number.isFinite)) return null;
  return { load1: a, load5: b, load15: c };
}

export function parseMeminfo(
  text: string,
): { memUsed: number; memTotal: number; swapUsed: number; swapTotal: number } | null {
  const kv = new Map<string, number>();
  for (const l of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(l);
    if (m) kv.set(m[1], Number(m[2]) * 1024);
  }
  const total = kv.get('MemTotal');
  const avail = kv.get('MemAvailable') ?? (kv.get('MemFree') ?? 0) + (kv.get('Cached') ?? 0) + (kv.get('Buffers') ?? 0);
  if (total === undefined) return null;
  const swapTotal = kv.get('SwapTotal') ?? 0;
  return {
    memUsed: Math.max(0, total - avail),
    memTotal: total,
    swapUsed: Math.max(0, swapTotal - (kv.get('SwapFree') ?? 0)),
    swapTotal,
  };
}

/** Total bytes received and sent over every interface except loopback. */
export function parseNetDev(text: string): { rx: number; tx: number } | null {
  let rx = 0;
  let tx = 0;
  let seen = false;
  for (const l of text.split('\n').slice(2)) {
    const i = l.indexOf(':');
    if (i < 0) continue;
    const name = l.slice(0, i).trim();
    if (name === 'lo') continue;
    const f = l
      .slice(i + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 9) continue;
    rx += f[0];
    tx += f[8];
    seen = true;
  }
  return seen ? { rx, tx } : { rx: 0, tx: 0 };
}

export function parseUptime(text: string): number | null {
  const n = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(n) ? n : null;
}

const REAL_FS = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'zfs',
  'vfat',
  'exfat',
  'f2fs',
  'reiserfs',
  'jfs',
  'ntfs',
  'overlay',
  'fuseblk',
]);

/** Mount points of real filesystems from /proc/mounts (the first mount of each device). */
export function parseMounts(text: string): string[] {
  const out: string[] = [];
  const devices = new Set<string>();
  for (const l of text.split('\n')) {
    const [dev, mount, type] = l.split(' ');
    if (!mount || !REAL_FS.has(type)) continue;
    if (devices.has(dev) && dev !== 'overlay') continue;
    devices.add(dev);
    // /proc/mounts escapes spaces as \040
    out.push(mount.replace(/\\040/g, ' '));
  }
  return out;
}
