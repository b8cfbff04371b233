import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statfsSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateHubKeyPair, signCommand } from '@deepsignal/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandDispatcher, type ResultBody } from '../src/commands/dispatcher.js';
import { CommandJournal } from '../src/commands/journal.js';
import { HANDLERS } from '../src/commands/registry.js';
import type { CommandContext } from '../src/commands/types.js';
import { Outbox, type OutboxNotice } from '../src/outbox/outbox.js';
import { Stamper } from '../src/outbox/stamper.js';

/**
 * A full disk under the sidecar's state: a real 3 MiB tmpfs (needs root, as on the test
 * machines and in CI containers with CAP_SYS_ADMIN). Without it the suite says so and skips.
 */
let mnt = '';
let mounted = false;
beforeAll(() => {
  mnt = mkdtempSync(path.join(tmpdir(), 'ds-tinyfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', mnt], { stdio: 'pipe' });
    mounted = true;
  } catch (e) {
    console.warn(`ENOSPC tests skipped: cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]})`);
  }
});
// Each test starts on an empty disk, whatever the previous one left.
afterEach(() => {
  if (mounted) for (const f of readdirSync(mnt)) rmSync(path.join(mnt, f), { recursive: true, force: true });
});
afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

const freeBytes = () => {
  const s = statfsSync(mnt);
  return s.bavail * s.bsize;
};
/** Fills what is left of the disk with a file; returns its path. */
function fillDisk(file: string): string {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 0x7a);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return file;
}
const line = (i: number) => ({ t: Date.now(), level: 'info', source: 'gateway', msg: `line ${i} ${'x'.repeat(1500)}` });

describe('a full disk under the outbox', () => {
  it('keeps conversations, drops logs with exact counts, reports them when it can, and frees space on ack', (ctx) => {
    if (!mounted) return ctx.skip();
    const dir = path.join(mnt, 'outbox-a');
    const notices: OutboxNotice[] = [];
    const o = new Outbox({ dir, maxBytes: 64 << 20, segmentBytes: 64 << 10, onNotice: (n) => notices.push(n) });
    const s = new Stamper('inst-1', 'boot-a');
    for (let i = 0; i < 5; i++) o.append('conversations', s.stamp('conversations', { messages: [{ i }] }));
    let stored = 0;
    let refused = 0;
    // 2,500 log messages of ~1.6 KiB: far more than 3 MiB holds, with the hub link cut (no acks).
    for (let i = 0; i < 2500; i++) {
      const e = o.append('logs', s.stamp('logs', { lines: [line(i)] }));
      if (e) stored++;
      else refused++;
    }
    const held = [...o.entries()];
    const heldLogs = held.filter((e) => e.stream === 'logs').length;
    const reported = notices
      .filter((n): n is Extract<OutboxNotice, { type: 'dropped' }> => n.type === 'dropped')
      .reduce((t, n) => t + n.records, 0);
    console.log(
      `3 MiB disk, 2,500 log messages: ${heldLogs} held, ${refused} refused at append, ${o.counters.diskFullDrops} dropped in all, ${reported} reported so far, free ${freeBytes()} bytes`,
    );
    expect(o.counters.diskFullDrops).toBeGreaterThan(0);
    // Only as much as the disk needs goes: the held logs fill most of it.
    expect(heldLogs).toBeGreaterThan(1200);
    // Nothing vanishes unaccounted: every log message is either held or counted as dropped.
    expect(heldLogs + o.counters.diskFullDrops).toBe(2500);
    // Conversations come after logs in the drop order: all five are still there.
    expect(held.filter((e) => e.stream === 'conversations')).toHaveLength(5);
    expect(stored).toBeGreaterThan(0);

    // Acks arrive: everything held is committed, the active segment included, and space returns.
    o.ack('boot-a', 'logs', 1_000_000);
    o.ack('boot-a', 'conversations', 1_000_000);
    o.flushAcks();
    expect(o.size()).toBe(0);
    expect(freeBytes()).toBeGreaterThan(2.5 * 1024 * 1024);

    // The next message stores, and with it the count of every drop not yet reported.
    expect(o.append('events', s.stamp('events', { events: [] }))).not.toBeNull();
    const total = notices
      .filter((n): n is Extract<OutboxNotice, { type: 'dropped' }> => n.type === 'dropped' && n.reason === 'disk_full')
      .reduce((t, n) => t + n.records, 0);
    expect(total).toBe(o.counters.diskFullDrops);
    o.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the ack marks dirty when the ack file cannot be written, and writes them once there is room', (ctx) => {
    if (!mounted) return ctx.skip();
    const dir = path.join(mnt, 'outbox-b');
    const o = new Outbox({ dir, maxBytes: 1 << 20 });
    const s = new Stamper('inst-1', 'boot-b');
    for (let i = 0; i < 3; i++) o.append('metrics', s.stamp('metrics', { samples: [] }));
    o.ack('boot-b', 'metrics', 1);
    const filler = fillDisk(path.join(mnt, 'filler-b'));
    expect(() => o.flushAcks()).toThrow(/ENOSPC/);
    unlinkSync(filler);
    o.flushAcks();
    o.close();
    const again = new Outbox({ dir, maxBytes: 1 << 20 });
    expect([...again.entries()].map((e) => e.seq)).toEqual([2]);
    again.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a command it cannot journal as rejected with the reason, stored by freeing droppable data', (ctx) => {
    if (!mounted) return ctx.skip();
    const dir = path.join(mnt, 'state-c');
    mkdirSync(dir);
    const o = new Outbox({ dir: path.join(dir, 'outbox'), maxBytes: 64 << 20, segmentBytes: 64 << 10 });
    const s = new Stamper('inst-1', 'boot-c');
    const journal = new CommandJournal(path.join(dir, 'journal'));
    // Metrics until the disk is full (the outbox starts dropping its oldest), then the rest filled.
    for (let i = 0; o.counters.diskFullDrops === 0; i++)
      o.append('metrics', s.stamp('metrics', { samples: [{ i, pad: 'y'.repeat(2000) }] }));
    const filler = fillDisk(path.join(mnt, 'filler-c'));
    const keys = generateHubKeyPair();
    const reports: ResultBody[] = [];
    const d = new CommandDispatcher({
      instanceId: 'inst-1',
      publicKeys: () => [keys.publicKey],
      journal,
      handlers: HANDLERS,
      report: (b) => {
        reports.push(b);
        o.append('cmd-result', s.stamp('cmd-result', { ...b }));
      },
      context: () => ({}) as CommandContext,
      now: Date.now,
      log: () => {},
    });
    const cmd = signCommand(
      {
        v: 1,
        id: 'cmd-full-disk',
        instanceId: 'inst-1',
        type: 'ping',
        params: {},
        issuedAt: Date.now(),
        expiresAt: Date.now() + 60_000,
        issuer: 'user:admin@example.com',
      },
      keys.privateKeyPem,
    );
    d.handle(Buffer.from(JSON.stringify(cmd)));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ commandId: 'cmd-full-disk', state: 'rejected' });
    expect(reports[0].error?.message).toMatch(/cannot journal the command: .*ENOSPC/);
    // The rejection is held in the outbox (metrics made room for it), so it reaches the hub.
    const results = [...o.entries()].filter((e) => e.stream === 'cmd-result');
    expect(results).toHaveLength(1);
    expect(o.read(results[0])).toMatchObject({ commandId: 'cmd-full-disk', state: 'rejected' });
    o.close();
    unlinkSync(filler);
    expect(readdirSync(dir)).toContain('outbox');
  });
});
