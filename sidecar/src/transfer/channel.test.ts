import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROTOCOL_VERSION } from '@deepsignal/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { TransferManager } from './channel.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ds-transfer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('restore transfers', () => {
  it('keeps chunks that arrive before the handler starts receiving, then acks and stores them', async () => {
    const acks: number[] = [];
    const t = new TransferManager('inst-1', () => async (_topic: string, payload: Buffer | string) => {
      const f = JSON.parse(String(payload)) as { type: string; seq: number };
      if (f.type === 'ack') acks.push(f.seq);
    });
    const parts = [Buffer.from('hello '), Buffer.from('world')];
    const whole = Buffer.concat(parts);
    const eof = { size: whole.length, sha256: createHash('sha256').update(whole).digest('hex') };
    const frame = (seq: number, data: Buffer, last: boolean) =>
      Buffer.from(
        JSON.stringify({
          v: PROTOCOL_VERSION,
          type: 'chunk',
          seq,
          data: data.toString('base64'),
          ...(last ? { eof } : {}),
        }),
      );
    // The hub sends as soon as the command is running; the handler has not called receive() yet.
    t.handle('xfr-1', frame(0, parts[0], false));
    t.handle('xfr-1', frame(1, parts[1], true));
    const dest = path.join(dir, 'a.tar.gz');
    await t.receive('xfr-1', dest, eof, new AbortController().signal);
    expect(readFileSync(dest)).toEqual(whole);
    await expect.poll(() => acks).toEqual([0, 1]);
    expect(t.counters.ignored).toBe(0);
  });
});
