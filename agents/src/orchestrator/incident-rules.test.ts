import { describe, expect, it } from 'vitest';
import type { CommandView, ConversationView, Instance, LogLineView } from '../hub-types.js';
import { DEFAULT_INCIDENT_POLICY as P } from './incident-policy.js';
import {
  crashLoopFinding,
  deadChannelFinding,
  linearFit,
  memoryLeakFinding,
  providerAuthFinding,
  spendRunawayFinding,
} from './incident-rules.js';

const T = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const inst = (openclaw: Partial<NonNullable<Instance['openclaw']>> = {}): Instance => ({
  id: 'i',
  clientId: 'c',
  hostname: 'vps',
  status: 'online',
  lastSeen: iso(T),
  metrics: {},
  metricsAt: iso(T),
  openclaw: { present: true, up: true, ready: true, uptimeMs: 3_600_000, ...openclaw },
});
const restart = (at: number): CommandView =>
  ({
    id: `c${at}`,
    type: 'openclaw.restart',
    status: 'succeeded',
    issuedAt: iso(at),
    updatedAt: iso(at),
  }) as CommandView;
const line = (at: number, msg: string, level = 'error'): LogLineView => ({
  t: iso(at),
  level,
  subsystem: 'models',
  msg,
});
const reply = (at: number, tokens: number): ConversationView =>
  ({ messageId: `m${at}`, t: iso(at), role: 'assistant', tokensIn: tokens, tokensOut: 0 }) as ConversationView;

describe('crash loop', () => {
  it('needs the stated number of restarts within the window', () => {
    const h = [restart(T - 3_000_000), restart(T - 2_000_000)];
    expect(crashLoopFinding(inst({ up: false }), h, P, T)).toBeNull();
    expect(crashLoopFinding(inst({ up: false }), [...h, restart(T - 1_000)], P, T)?.kind).toBe('crash_loop');
    // old restarts fall out of the window
    const old = [restart(T - 7 * 3_600_000), restart(T - 8 * 3_600_000), restart(T - 1_000)];
    expect(crashLoopFinding(inst({ up: false }), old, P, T)).toBeNull();
  });
});

describe('provider key rejected', () => {
  it('counts 401 lines within the window, not other errors', () => {
    const auth = Array.from({ length: 5 }, (_, k) =>
      line(T - k * 1000, 'anthropic: 401 authentication_error: invalid x-api-key'),
    );
    expect(providerAuthFinding(inst(), auth, P, T)?.message).toMatch(/key/);
    expect(providerAuthFinding(inst(), auth.slice(0, 4), P, T)).toBeNull();
    const other = Array.from({ length: 9 }, (_, k) => line(T - k * 1000, 'tool call timed out'));
    expect(providerAuthFinding(inst(), [...other, ...auth.slice(0, 4)], P, T)).toBeNull();
    const channel = auth.map((l) => ({
      ...l,
      subsystem: 'gateway/channels/telegram',
      msg: 'telegram: 401 Unauthorized',
    }));
    expect(providerAuthFinding(inst(), channel, P, T)).toBeNull();
    const stale = auth.map((l) => ({ ...l, t: iso(T - 3_600_000) }));
    expect(providerAuthFinding(inst(), stale, P, T)).toBeNull();
  });
});

describe('dead channel', () => {
  const channels = [
    { id: 'telegram', enabled: true, connected: true },
    { id: 'whatsapp', enabled: true, connected: false, error: 'logged out' },
  ];
  it('reports a disconnected channel of a gateway that is up', () => {
    expect(deadChannelFinding(inst({ channels }), P)?.message).toMatch(/whatsapp \(logged out\)/);
  });
  it('ignores disabled channels, a fresh gateway, a paused agent and a down gateway', () => {
    expect(deadChannelFinding(inst({ channels: [{ id: 'slack', enabled: false, connected: false }] }), P)).toBeNull();
    expect(deadChannelFinding(inst({ channels, uptimeMs: 10_000 }), P)).toBeNull();
    expect(deadChannelFinding(inst({ channels, paused: true }), P)).toBeNull();
    expect(deadChannelFinding(inst({ channels, up: false }), P)).toBeNull();
  });
});

describe('memory leak', () => {
  const series = (f: (k: number) => number, n = 30): [string, number][] =>
    Array.from({ length: n }, (_, k) => [iso(T - (n - k) * 60_000), f(k)]);
  it('fits a line', () => {
    const { slope, r2 } = linearFit([
      [0, 1],
      [1, 3],
      [2, 5],
    ]);
    expect(slope).toBe(2);
    expect(r2).toBeCloseTo(1);
  });
  it('finds a steady rise heading for the limit, before it gets there', () => {
    const f = memoryLeakFinding(
      inst(),
      series((k) => 50 + k),
      P,
      90,
    );
    expect(f?.kind).toBe('memory_leak');
    expect(f?.evidence?.secondsToLimit).toBeGreaterThan(0);
  });
  it('ignores noise, a flat line, a small rise and a slow one', () => {
    expect(
      memoryLeakFinding(
        inst(),
        series((k) => 50 + ((k * 7919) % 10)),
        P,
        90,
      ),
    ).toBeNull();
    expect(
      memoryLeakFinding(
        inst(),
        series(() => 50),
        P,
        90,
      ),
    ).toBeNull();
    expect(
      memoryLeakFinding(
        inst(),
        series((k) => 50 + k * 0.1),
        P,
        90,
      ),
    ).toBeNull();
    // +12 points an hour, at 15.8 % now: the limit is ~6.2 h away, beyond the horizon
    expect(
      memoryLeakFinding(
        inst(),
        series((k) => 10 + k * 0.2),
        P,
        90,
      ),
    ).toBeNull();
    expect(
      memoryLeakFinding(
        inst(),
        series((k) => 50 + k, 5),
        P,
        90,
      ),
    ).toBeNull();
  });
});

describe('runaway spend', () => {
  const p = { ...P, spendRecentSec: 600, spendBaselineSec: 3600, spendMinTokens: 50_000, spendMinBaselineReplies: 10 };
  const baseline = Array.from({ length: 60 }, (_, k) => reply(T - 700_000 - k * 50_000, 3_000));
  it('finds spend far above the baseline', () => {
    const burst = Array.from({ length: 60 }, (_, k) => reply(T - k * 5_000, 20_000));
    const f = spendRunawayFinding(inst(), [...baseline, ...burst], p, T);
    expect(f?.kind).toBe('token_spend_runaway');
    expect(Number(f?.evidence?.factor)).toBeGreaterThan(5);
  });
  it('ignores usual spend, a small absolute amount, and no baseline', () => {
    const usual = Array.from({ length: 12 }, (_, k) => reply(T - k * 50_000, 3_000));
    expect(spendRunawayFinding(inst(), [...baseline, ...usual], p, T)).toBeNull();
    const small = Array.from({ length: 5 }, (_, k) => reply(T - k * 5_000, 5_000));
    expect(spendRunawayFinding(inst(), [...baseline.slice(0, 10), ...small], p, T)).toBeNull();
    const burst = Array.from({ length: 60 }, (_, k) => reply(T - k * 5_000, 20_000));
    expect(spendRunawayFinding(inst(), burst, p, T)).toBeNull();
  });
});
