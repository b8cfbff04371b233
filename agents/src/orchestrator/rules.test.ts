import { describe, expect, it } from 'vitest';
import type { CommandView, Instance } from '../hub-types.js';
import { DEFAULT_POLICY } from './policy.js';
import { decideRestart, openclawDown, staticFindings } from './rules.js';

const T = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const cmd = (issued: number, status: CommandView['status'], updated = issued + 5_000): CommandView => ({
  id: `cmd-${issued}`,
  instanceId: 'i',
  type: 'openclaw.restart',
  params: {},
  status,
  issuedBy: 'service',
  idempotencyKey: null,
  issuedAt: iso(issued),
  expiresAt: iso(issued + 180_000),
  deliveredAt: null,
  updatedAt: iso(updated),
  progress: null,
  result: null,
  error: null,
  rolloutId: null,
});
const policy = { ...DEFAULT_POLICY, graceSec: 60, cooldownSec: 600 };

describe('restart decision', () => {
  it('restarts after the grace period with no history', () => {
    expect(decideRestart({ now: T, downSince: T - 30_000, history: [], policy }).decision).toBe('waiting_grace');
    expect(decideRestart({ now: T, downSince: T - 61_000, history: [], policy }).restart).toBe(true);
    expect(
      decideRestart({ now: T, downSince: T - 61_000, history: [], policy: { ...policy, dryRun: true } }),
    ).toMatchObject({
      restart: true,
      decision: 'would_issue',
    });
  });

  it('never restarts while one is running or within the cooldown, whoever issued it', () => {
    expect(decideRestart({ now: T, downSince: 0, history: [cmd(T - 3_600_000, 'running')], policy }).decision).toBe(
      'in_flight',
    );
    expect(decideRestart({ now: T, downSince: 0, history: [cmd(T - 599_000, 'failed')], policy }).decision).toBe(
      'cooldown',
    );
  });

  it('measures the grace period from the end of the last restart', () => {
    const last = cmd(T - 700_000, 'succeeded', T - 30_000);
    expect(decideRestart({ now: T, downSince: T - 3_600_000, history: [last], policy }).decision).toBe('waiting_grace');
    expect(decideRestart({ now: T + 31_000, downSince: T - 3_600_000, history: [last], policy }).restart).toBe(true);
  });
});

describe('instance rules', () => {
  const inst = (p: Partial<Instance>): Instance => ({
    id: 'i',
    clientId: 'c',
    hostname: 'h',
    status: 'online',
    lastSeen: iso(T),
    metrics: {},
    metricsAt: null,
    openclaw: { present: true, up: true },
    ...p,
  });
  it('down means connected, installed, and down or not ready', () => {
    expect(openclawDown(inst({ status: 'error', openclaw: { present: true, up: false } }))).toBe(true);
    expect(openclawDown(inst({ openclaw: { present: true, up: true, ready: false } }))).toBe(true);
    expect(openclawDown(inst({ status: 'offline', openclaw: { present: true, up: false } }))).toBe(false);
    expect(openclawDown(inst({ status: 'paused', openclaw: { present: true, up: false } }))).toBe(false);
    expect(openclawDown(inst({ openclaw: { present: false, up: false } }))).toBe(false);
  });
  it('thresholds are strict: above, not at', () => {
    const f = staticFindings(inst({ metrics: { disk: 90, memory: 90.5 } }), DEFAULT_POLICY).map((x) => x.kind);
    expect(f).toEqual(['memory_high']);
  });
});
