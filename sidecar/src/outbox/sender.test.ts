import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';
import { Sender } from './sender.js';
import { Stamper } from './stamper.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tick = () => new Promise((r) => setTimeout(r, 5));

/** A transport whose publishes settle only when the test says so (or never: a silent cut). */
function transport() {
  const calls: { stream: string; n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    calls,
    publish: (stream: string, payload: Buffer) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ stream, n: JSON.parse(payload.toString()).n, resolve, reject });
      }),
  };
}

describe('sender', () => {
  it('re-sends, in order, publishes a silently cut connection never answered', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ds-sender-'));
    dirs.push(dir);
    const outbox = new Outbox({ dir, maxBytes: 1 << 20, fsync: false });
    const s = new Stamper('inst-1', 'boot-a');
    const t = transport();
    const sender = new Sender(outbox, { publish: t.publish, window: 4, replayRate: 1000 });
    sender.onConnect();
    for (let i = 0; i < 6; i++) {
      outbox.append('metrics', s.stamp('metrics', { n: i }));
      sender.notify();
    }
    // the window is full and the connection is dead: no PUBACK, no error, ever
    expect(t.calls.map((c) => c.n)).toEqual([0, 1, 2, 3]);
    sender.onDisconnect();
    sender.onConnect();
    await tick();
    // everything held goes again, oldest first, not only what was never published
    expect(t.calls.slice(4).map((c) => c.n)).toEqual([0, 1, 2, 3]);
    // late answers from the dead connection change nothing
    for (const c of t.calls.slice(0, 4)) c.reject(new Error('gone'));
    await tick();
    for (const c of t.calls.slice(4)) c.resolve();
    await tick();
    expect(t.calls.slice(4).map((c) => c.n)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const c of t.calls.slice(8)) c.resolve();
    await tick();
    outbox.ack('boot-a', 'metrics', 1000);
    expect(outbox.size()).toBe(0);
    expect(t.calls).toHaveLength(10);
    sender.stop();
    outbox.close();
  });

  it('frees the window when a connection drops with publishes outstanding', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ds-sender-'));
    dirs.push(dir);
    const outbox = new Outbox({ dir, maxBytes: 1 << 20, fsync: false });
    const s = new Stamper('inst-1', 'boot-a');
    const t = transport();
    const sender = new Sender(outbox, { publish: t.publish, window: 2, replayRate: 1000 });
    sender.onConnect();
    for (let i = 0; i < 3; i++) outbox.append('events', s.stamp('events', { n: i }));
    sender.notify();
    expect(t.calls).toHaveLength(2);
    sender.onDisconnect();
    sender.onConnect();
    await tick();
    expect(t.calls.slice(2).map((c) => c.n)).toEqual([0, 1]);
    sender.stop();
    outbox.close();
  });
});
