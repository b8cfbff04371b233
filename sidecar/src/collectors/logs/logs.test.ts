import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emitter } from '../types.js';
import { LogFollower, newestLogFile } from './follow.js';
import { parseLogLine } from './parse.js';

const fixture = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gateway.log'), 'utf8')
  .trim()
  .split('\n');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'ds-logs-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('log parsing', () => {
  it('reads time, level, subsystem and message, and redacts secrets', () => {
    const [a, b, c, d] = fixture.map((l) => parseLogLine(l, 1_800_000_000_000)!);
    expect(a).toEqual({
      t: Date.parse('2026-11-25T22:19:59.383Z'),
      level: 'info',
      subsystem: 'cron',
      msg: 'cron: job added',
    });
    expect(b.level).toBe('error');
    expect(b.subsystem).toBe('gateway/channels/telegram');
    expect(b.msg).not.toContain('AAHk7');
    expect(c.level).toBe('warn');
    expect(c.msg).toContain('provider call');
    expect(c.msg).not.toContain('SECRETSECRET');
    expect(c.msg).not.toContain('hunter2');
    expect(d).toMatchObject({ level: 'info', t: 1_800_000_000_000 });
    expect(d.msg).not.toContain('hunter2');
    expect(parseLogLine('   ', 1)).toBeNull();
  });
});

describe('log follower', () => {
  it('follows appends, truncation, size rotation and the next day, resuming from its cursor', () => {
    const dir = tmp();
    const day1 = path.join(dir, 'openclaw-2026-11-25.log');
    writeFileSync(day1, 'old line before start\n');
    writeFileSync(path.join(dir, 'openclaw-2026-11-24.1.log'), 'archive\n');
    const cursor = path.join(dir, 'cursor.json');
    let f = new LogFollower(dir, cursor);
    expect(f.poll()).toEqual(['old line before start']); // a first start ships today's file
    appendFileSync(day1, 'one\ntw');
    expect(f.poll()).toEqual(['one']);
    appendFileSync(day1, 'o\n');
    expect(f.poll()).toEqual(['two']);
    f.save();
    f.close();
    // a restart resumes at the cursor: nothing repeated, nothing skipped
    appendFileSync(day1, 'while down\n');
    f = new LogFollower(dir, cursor);
    expect(f.poll()).toEqual(['while down']);
    // truncation
    truncateSync(day1, 0);
    appendFileSync(day1, 'after truncate\n');
    expect(f.poll()).toEqual(['after truncate']);
    // size rotation: active renamed to .1, fresh active file
    appendFileSync(day1, 'last of old\n');
    renameSync(day1, path.join(dir, 'openclaw-2026-11-25.1.log'));
    writeFileSync(day1, 'first of new\n');
    expect(f.poll()).toEqual(['last of old', 'first of new']);
    // next day
    appendFileSync(day1, 'late on day 1\n');
    writeFileSync(path.join(dir, 'openclaw-2026-11-26.log'), 'day 2\n');
    expect(newestLogFile(dir)).toBe(path.join(dir, 'openclaw-2026-11-26.log'));
    expect(f.poll()).toEqual(['late on day 1', 'day 2']);
    f.close();
  });

  it('has nothing to do when there is no log directory (no OpenClaw)', () => {
    const f = new LogFollower('/nonexistent/openclaw-logs', null);
    expect(f.poll()).toEqual([]);
  });
});

describe('logs collector', () => {
  /** A logs collector over a temp log directory that holds the fixture; the lines go to `logLines`. */
  async function collectorOverFixture() {
    const { createLogsCollector } = await import('./index.js');
    const { parseConfig } = await import('../../config.js');
    const { generateHubKeyPair } = await import('@deepsignal/protocol');
    const dir = tmp();
    writeFileSync(path.join(dir, 'openclaw-2026-11-25.log'), `${fixture.join('\n')}\n`);
    const config = parseConfig({
      hub: 'mqtt://x',
      instanceId: 'i',
      secret: 's',
      hubKey: generateHubKeyPair().publicKey,
      stateDir: dir,
      openclawLogDir: dir,
    });
    return (logLines: Emitter['logLines']) =>
      createLogsCollector({
        config,
        log: () => {},
        now: Date.now,
        emit: { logLines, conversations: () => {}, event: () => {} },
        gateway: null,
        state: null as never,
      });
  }

  it('emits parsed, redacted lines from the log directory', async () => {
    const collector = await collectorOverFixture();
    const got: unknown[] = [];
    const c = collector((l) => got.push(...l));
    await c.start!();
    await c.stop!();
    expect(got).toHaveLength(4);
  });

  it('saves its file position only after the lines are durably in the outbox', async () => {
    const collector = await collectorOverFixture();
    const run = async () => {
      const got: unknown[] = [];
      const durable: (() => void)[] = [];
      const c = collector((l, onDurable) => {
        got.push(...l);
        if (onDurable) durable.push(onDurable);
      });
      await c.start!();
      await c.stop!();
      return { got, durable };
    };
    // handed to the batch, then a crash before the batch reached the outbox: nothing is skipped
    const first = await run();
    expect(first.got).toHaveLength(4);
    const second = await run();
    expect(second.got).toHaveLength(4);
    // once the outbox has them, the position moves and a restart does not send them again
    for (const cb of second.durable) cb();
    const third = await run();
    expect(third.got).toHaveLength(0);
  });
});
