/** Readable commands, onboarding readiness, restart health and the fleet store's openclaw snapshot. */
import { describe, expect, it, vi } from 'vitest';
import { missingForLive } from '../components/onboarding/readiness.js';
import type { OnboardingState } from '../components/onboarding/types.js';
import { commandName, describeParams, describeResult } from '../lib/command-text.js';
import { FleetStore } from '../lib/fleet-store.js';
import { healthOf } from '../lib/health.js';
import type { Instance } from '../lib/types.js';

describe('commands as people read them', () => {
  it('renders params and results through the command catalog, never raw JSON', () => {
    expect(commandName('console.open')).toBe('Open console');
    const open = describeParams('console.open', { sessionId: 'cs_1', cols: 106, rows: 30, idleTimeoutSec: 900 });
    expect(open).toBe('terminal 106×30, closes after 15m idle');
    expect(open).not.toContain('{');
    expect(describeParams('model.set', { model: 'anthropic/claude-haiku-4-5' })).toBe('to anthropic/claude-haiku-4-5');
    expect(describeResult('openclaw.restart', { method: 'gateway.restart.request', readyAfterMs: 8200 })).toMatch(
      /^ready after 8/,
    );
    // a secret parameter (the catalog marks it) never shows
    const rotate = describeParams('credentials.rotate', { secret: 'sup3r-secret-value' });
    expect(rotate).not.toContain('sup3r');
    // a type without a sentence: the schema's fields in order, with units
    expect(describeParams('backup.restore', { transferId: 't1', size: 2048, sha256: 'ab' })).toContain('2.0 KB');
  });
});

const base: OnboardingState = {
  clientId: 'c1',
  clientName: 'Crumbs',
  clientStatus: 'onboarding',
  steps: [],
  completed: ['welcome', 'company', 'provider', 'model', 'channels', 'personality', 'test'],
  revision: 3,
  desired: { provider: 'anthropic', personality: { name: 'Crumb' } as OnboardingState['desired']['personality'] },
  secrets: { anthropic: true, openrouter: false, telegram: false, slack: false },
  instances: [],
  whatsappPairing: null,
  estimate: null,
  completedAt: null,
};
const instance = (over: Partial<OnboardingState['instances'][number]> = {}) => ({
  id: 'i1',
  hostname: 'crumbs-1',
  status: 'online',
  openclawUp: true,
  reportedModel: null,
  drift: 'in_sync' as const,
  applied: null,
  ...over,
});

describe('onboarding: live only when the agent really is', () => {
  it('names what is missing, and nothing once it is live', () => {
    expect(missingForLive(base, 'Acme Agents').map((m) => m.id)).toEqual(['server']);
    // The client reads the name of the product it bought: its partner's, not Deep Signal.
    expect(missingForLive(base, 'Acme Agents')[0].text).toContain('Acme Agents sets it up');
    expect(
      missingForLive({ ...base, desired: { ...base.desired, testMode: true } }, 'Deep Signal').map((m) => m.id),
    ).toEqual(['test-mode', 'server']);
    expect(
      missingForLive({ ...base, instances: [instance({ status: 'offline' })] }, 'Deep Signal').map((m) => m.id),
    ).toEqual(['connection']);
    expect(
      missingForLive({ ...base, instances: [instance({ openclawUp: false, drift: 'pending' })] }, 'Deep Signal'),
    ).toHaveLength(2);
    expect(missingForLive({ ...base, instances: [instance()] }, 'Deep Signal')).toEqual([]);
  });
});

describe('one consistent health', () => {
  const i = (openclaw: Instance['openclaw']): Instance => ({
    id: 'x',
    clientId: 'c',
    hostname: 'h',
    status: 'online',
    lastSeen: new Date().toISOString(),
    metrics: {},
    openclaw,
  });
  it('a planned restart is a warning of its own, not a failure', () => {
    expect(healthOf(i({ present: true, up: false, restarting: true }))).toEqual({
      health: 'yellow',
      reasons: ['OpenClaw restarting'],
    });
    expect(healthOf(i({ present: true, up: false })).health).toBe('red');
  });
  it('the openclaw state is replaced, so a cleared error does not linger beside "healthy"', () => {
    const s = new FleetStore();
    s.load([i({ present: false, up: false, error: 'OpenClaw is not installed' })]);
    s.applyOpenclaw([{ instanceId: 'x', openclaw: { present: true, up: true, error: null } }]);
    expect(s.getSnapshot()[0].openclaw).toEqual({ present: true, up: true, error: null });
  });
});

describe('a large fleet re-renders at most twice a second', () => {
  it('coalesces live changes of more than 200 instances into one snapshot per 500 ms', () => {
    vi.useFakeTimers();
    try {
      const s = new FleetStore();
      const many = Array.from({ length: 300 }, (_, k) => ({
        id: `i${k}`,
        clientId: 'c',
        hostname: `h${k}`,
        status: 'online' as const,
        lastSeen: null,
        metrics: {},
        openclaw: null,
      })) as unknown as Instance[];
      s.load(many);
      let notified = 0;
      s.subscribe(() => notified++);
      for (let k = 0; k < 10; k++)
        s.applyMetrics([{ instanceId: `i${k}`, t: new Date().toISOString(), values: { cpu: k } }]);
      expect(notified).toBe(0);
      vi.advanceTimersByTime(500);
      expect(notified).toBe(1);
      expect(s.getSnapshot()[9].metrics?.cpu).toBe(9);
    } finally {
      vi.useRealTimers();
    }
  });
});
