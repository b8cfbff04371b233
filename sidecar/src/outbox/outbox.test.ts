import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, type OutboxNotice } from './outbox.js';
import { Stamper } from './stamper.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'ds-outbox-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const held = (o: Outbox) => [...o.entries()].map((e) => `${e.stream}:${e.seq}`);

describe('outbox', () => {
  it('keeps messages until an ack covers them, across reopen, with original boot and seq', () => {
    const dir = tmp();
    const s = new Stamper('inst-1', 'boot-a');
    let o = new Outbox({ dir, maxBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) o.append('metrics', s.stamp('metrics', { n: i }));
    o.append('events', s.stamp('events', { n: 0 }));
    expect(o.ack('boot-a', 'metrics', 2)).toBe(3);
    o.close();
    o = new Outbox({ dir, maxBytes: 1 << 20 });
    expect(held(o)).toEqual(['metrics:3', 'metrics:4', 'events:0']);
    const first = [...o.entries()][0];
    const msg = o.read(first);
    expect(msg).toMatchObject({ bootId: 'boot-a', seq: 3, base: 3, n: 3, instanceId: 'inst-1' });
    o.ack('boot-a', 'metrics', 4);
    o.ack('boot-a', 'events', 0);
    o.close();
    o = new Outbox({ dir, maxBytes: 1 << 20 });
    expect(o.size()).toBe(0);
    // fully acked segments are deleted; only the new active one remains
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-'))).toHaveLength(1);
    o.close();
  });

  it('starts every (boot, stream) at seq 0, keeps seq 0 until acked, and an ack of 0 covers it', () => {
    const dir = tmp();
    const s = new Stamper('inst-1', 'boot-a');
    let o = new Outbox({ dir, maxBytes: 1 << 20 });
    o.append('metrics', s.stamp('metrics', {}));
    o.append('metrics', s.stamp('metrics', {}));
    o.append('logs', s.stamp('logs', {}));
    expect(held(o)).toEqual(['metrics:0', 'metrics:1', 'logs:0']);
    expect(o.read([...o.entries()][0]).base).toBe(0);
    o.close();
    // recovery: nothing acked yet, so seq 0 is still held
    o = new Outbox({ dir, maxBytes: 1 << 20 });
    expect(held(o)).toEqual(['metrics:0', 'metrics:1', 'logs:0']);
    expect(o.ack('boot-a', 'metrics', 0)).toBe(1);
    o.close();
    o = new Outbox({ dir, maxBytes: 1 << 20 });
    expect(held(o)).toEqual(['metrics:1', 'logs:0']);
    o.close();
  });

  it('rolls segments and deletes each once fully acknowledged', () => {
    const dir = tmp();
    const s = new Stamper('inst-1', 'boot-a');
    const o = new Outbox({ dir, maxBytes: 1 << 20, segmentBytes: 2048 });
    for (let i = 0; i < 40; i++) o.append('metrics', s.stamp('metrics', { pad: 'y'.repeat(200) }));
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-')).length).toBeGreaterThan(3);
    o.ack('boot-a', 'metrics', 39);
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-'))).toHaveLength(1);
    o.close();
  });

  it('at the cap drops the oldest metrics first and keeps conversations and command results', () => {
    const dir = tmp();
    const notices: OutboxNotice[] = [];
    const s = new Stamper('inst-1', 'boot-a');
    const o = new Outbox({ dir, maxBytes: 64 * 1024, segmentBytes: 8 * 1024, onNotice: (n) => notices.push(n) });
    for (let i = 0; i < 400; i++) {
      const stream = i % 10 === 0 ? 'conversations' : i % 10 === 1 ? 'cmd-result' : 'metrics';
      o.append(stream, s.stamp(stream, { pad: 'z'.repeat(300) }));
    }
    expect(o.totalBytes()).toBeLessThanOrEqual(64 * 1024);
    const entries = [...o.entries()];
    expect(entries.filter((e) => e.stream === 'conversations')).toHaveLength(40);
    expect(entries.filter((e) => e.stream === 'cmd-result')).toHaveLength(40);
    const metrics = entries.filter((e) => e.stream === 'metrics').map((e) => e.seq);
    expect(metrics.length).toBeLessThan(320);
    // the newest metrics survive, the oldest went: what is left is a suffix
    expect(metrics[metrics.length - 1]).toBe(319);
    expect(metrics).toEqual([...metrics].sort((a, b) => a - b));
    expect(notices.some((n) => n.type === 'dropped' && n.stream === 'metrics')).toBe(true);
    // base tells the hub where the held range starts
    const m = o.read(entries.find((e) => e.stream === 'metrics')!);
    expect(m.base).toBe(metrics[0]);
    o.close();
    const again = new Outbox({ dir, maxBytes: 64 * 1024 });
    expect([...again.entries()].filter((e) => e.stream === 'conversations')).toHaveLength(40);
    again.close();
  });

  it('skips a corrupt segment part with a notice instead of crashing, and a torn tail quietly', () => {
    const dir = tmp();
    const s = new Stamper('inst-1', 'boot-a');
    let o = new Outbox({ dir, maxBytes: 1 << 20, segmentBytes: 1500 });
    for (let i = 0; i < 20; i++) o.append('conversations', s.stamp('conversations', { pad: 'q'.repeat(200) }));
    o.close();
    const segs = readdirSync(dir)
      .filter((f) => f.startsWith('seg-'))
      .sort();
    // flip a byte inside the second record of the first segment
    const f0 = path.join(dir, segs[0]);
    const b = readFileSync(f0);
    const recLen = b.readUInt32BE(0) + 8;
    b[recLen + 20] ^= 0xff;
    writeFileSync(f0, b);
    // tear the tail of the second segment
    const f1 = path.join(dir, segs[1]);
    const b1 = readFileSync(f1);
    writeFileSync(f1, b1.subarray(0, b1.length - 10));
    // and drop pure garbage in a third
    writeFileSync(path.join(dir, 'seg-0000009999.log'), Buffer.from('not a segment at all, just junk bytes'));
    const notices: OutboxNotice[] = [];
    o = new Outbox({ dir, maxBytes: 1 << 20, onNotice: (n) => notices.push(n) });
    expect(notices.filter((n) => n.type === 'corrupt')).toHaveLength(2);
    expect(notices.filter((n) => n.type === 'torn')).toHaveLength(1);
    const seqs = held(o);
    expect(seqs[0]).toBe('conversations:0');
    expect(seqs).not.toContain('conversations:1');
    expect(seqs.length).toBeGreaterThan(10);
    // still usable
    o.append('events', new Stamper('inst-1', 'boot-b').stamp('events', {}));
    expect(o.counters.corrupt).toBe(2);
    o.close();
  });
});
