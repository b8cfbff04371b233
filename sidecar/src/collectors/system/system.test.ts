import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSystemCollector, type SystemIo } from './index.js';

const fx = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const read = (f: string) => readFileSync(path.join(fx, f), 'utf8');

function io(step: { n: number }, fail = new Set<string>()): SystemIo {
  const files: Record<string, () => string> = {
    '/proc/stat': () => read(step.n === 1 ? 'stat-1.txt' : 'stat-2.txt'),
    '/proc/loadavg': () => read('loadavg.txt'),
    '/proc/meminfo': () => read('meminfo.txt'),
    '/proc/net/dev': () => read(step.n === 1 ? 'net-dev-1.txt' : 'net-dev-2.txt'),
    '/proc/uptime': () => read('uptime.txt'),
    '/proc/mounts': () => read('mounts.txt'),
  };
  return {
    readFile: (p) => {
      if (fail.has(p)) throw new Error(`EACCES ${p}`);
      const f = files[p];
      if (!f) throw new Error(`ENOENT ${p}`);
      return f();
    },
    statfs: (p) => {
      if (p === '/boot/efi') throw new Error('EACCES');
      return { blocks: 1000, bfree: 250, bavail: 200, bsize: 4096 };
    },
  };
}

describe('system collector', () => {
  it('reads cpu, load, memory, swap, network rates, uptime and disks from /proc', async () => {
    const step = { n: 1 };
    const c = createSystemCollector(io(step));
    const first = await c.sample!(1_000_000);
    expect(first.cpu).toBeUndefined(); // needs two readings
    expect(first).toMatchObject({
      load1: 0.52,
      load5: 0.4,
      load15: 0.33,
      memTotal: 4000000 * 1024,
      memUsed: 3000000 * 1024,
    });
    expect(first.swapUsed).toBe(500000 * 1024);
    step.n = 2;
    const s = await c.sample!(1_002_000);
    // busy 1500->1900 (+400) of total 10000->11000 (+1000)
    expect(s.cpu).toBeCloseTo(40, 5);
    expect(s.netRx).toBe(1000); // 2000 bytes over 2 s, loopback ignored
    expect(s.netTx).toBe(500);
    expect(s.uptime).toBeCloseTo(12345.67);
    expect(s.disks).toEqual([
      { mount: '/', used: 750 * 4096, total: 1000 * 4096 },
      { mount: '/mnt/my data', used: 750 * 4096, total: 1000 * 4096 },
    ]);
  });

  it('a failing part is reported and the rest of the sample still goes out', async () => {
    const c = createSystemCollector(io({ n: 1 }, new Set(['/proc/meminfo'])));
    const e = await Promise.resolve(c.sample!(1)).catch((x) => x);
    expect(e.message).toMatch(/memory: EACCES/);
    expect(e.partial).toMatchObject({ load1: 0.52, uptime: 12345.67 });
    expect(e.partial.memTotal).toBeUndefined();
  });
});
