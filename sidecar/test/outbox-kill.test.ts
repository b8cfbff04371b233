import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../src/outbox/outbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const writer = path.join(here, 'fixtures', 'outbox-writer.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'ds-outbox-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it has printed `min` lines, then kill -9s it; returns what it printed. */
function runAndKill(maxBytes: number, min: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(maxBytes)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!killed && out.split('\n').length > min) {
        killed = true;
        // A random extra delay so the kill lands anywhere in the write loop.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 20));
      }
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: ${err}`));
      // The last line may be cut short by the kill; only whole lines count as "reported durable".
      const lines = out.split('\n');
      lines.pop();
      resolve(lines);
    });
  });
}

describe('outbox under kill -9', () => {
  it('keeps every message reported durable, once, in order, across repeated kills', async () => {
    const printed: { boot: string; stream: string; seq: number }[] = [];
    for (let round = 0; round < 4; round++) {
      const lines = await runAndKill(2 << 20, 300 + round * 100);
      let boot = '';
      for (const l of lines) {
        const [a, b] = l.split(' ');
        if (a === 'boot') boot = b;
        else printed.push({ boot, stream: a, seq: Number(b) });
      }
    }
    const o = new Outbox({ dir, maxBytes: 2 << 20 });
    const held = [...o.entries()];
    const keys = held.map((e) => `${e.bootId}/${e.stream}/${e.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
    const heldSet = new Set(keys);
    // conversations are never acked by the writer: all must be there
    for (const p of printed.filter((p) => p.stream === 'conversations')) {
      expect(heldSet.has(`${p.boot}/conversations/${p.seq}`)).toBe(true);
    }
    // metrics: everything above the writer's ack marks is there
    const acked = new Map<string, number>();
    for (const e of held.filter((e) => e.stream === 'metrics'))
      acked.set(e.bootId, Math.min(acked.get(e.bootId) ?? Infinity, e.seq));
    for (const p of printed.filter((p) => p.stream === 'metrics')) {
      const lo = acked.get(p.boot);
      if (lo !== undefined && p.seq >= lo) expect(heldSet.has(`${p.boot}/metrics/${p.seq}`)).toBe(true);
    }
    // order per (boot, stream) is ascending and contiguous
    const per = new Map<string, number[]>();
    for (const e of held) per.set(`${e.bootId}/${e.stream}`, [...(per.get(`${e.bootId}/${e.stream}`) ?? []), e.seq]);
    for (const seqs of per.values()) for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
    o.close();
  }, 60_000);
});
