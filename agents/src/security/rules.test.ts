import { describe, expect, it } from 'vitest';
import type { ActivityHour } from '../hub-types.js';
import { checkAccess, DEFAULT_ACCESS_POLICY } from './access.js';
import { checkAnomalies, DEFAULT_ANOMALY_POLICY, robustBaseline } from './anomalies.js';
import { HOUR_MS } from './finding.js';
import { compareVersions, inRange } from './versions.js';

const NOW = Date.UTC(2026, 11, 3, 7, 30);
const HOUR0 = Math.floor(NOW / HOUR_MS);

/** Five weeks of hourly activity from `f(hoursAgo)`; the current (partial) hour left out. */
const history = (f: (ago: number, h: number) => Partial<ActivityHour> | null): ActivityHour[] => {
  const out: ActivityHour[] = [];
  for (let ago = 24 * 35; ago >= 1; ago--) {
    const h = HOUR0 - ago;
    const v = f(ago, h);
    if (v)
      out.push({
        hour: new Date(h * HOUR_MS).toISOString(),
        messages: 0,
        tokens: 0,
        errors: 0,
        latencyMs: null,
        ...v,
      });
  }
  return out;
};
/** A deterministic pseudo-random wobble in [-1, 1]. */
const wobble = (h: number, salt: number) => Math.sin(h * 12.9898 + salt * 78.233) % 1;
const normal = (h: number) => {
  const hod = h % 24;
  const day = hod >= 8 && hod < 20;
  return {
    messages: Math.round((day ? 60 : 8) * (1 + 0.15 * wobble(h, 1))),
    tokens: Math.round((day ? 9000 : 1200) * (1 + 0.15 * wobble(h, 2))),
    errors: Math.max(0, Math.round(1 + 1.5 * wobble(h, 3))),
    latencyMs: 1400 + 150 * wobble(h, 4),
  };
};
const inst = { id: 'ins-1', hostname: 'vps-1' };

describe('anomalies', () => {
  it('median and MAD ignore one outlier', () => {
    expect(robustBaseline([10, 11, 9, 10, 500])).toEqual({ median: 10, mad: 1.4826 });
  });

  it('finds nothing in a noisy but ordinary history, nor in a quiet or a perfectly steady one', () => {
    expect(
      checkAnomalies(
        inst,
        history((_a, h) => normal(h)),
        DEFAULT_ANOMALY_POLICY,
        NOW,
      ),
    ).toEqual([]);
    expect(
      checkAnomalies(
        inst,
        history(() => null),
        DEFAULT_ANOMALY_POLICY,
        NOW,
      ),
    ).toEqual([]);
    const flat = history(() => ({ messages: 20, tokens: 3000, errors: 0, latencyMs: 1500 }));
    expect(checkAnomalies(inst, flat, DEFAULT_ANOMALY_POLICY, NOW)).toEqual([]);
    // A small step on a flat history stays inside the floor spread.
    const step = history((ago) => ({ messages: ago <= 3 ? 24 : 20, tokens: 3000, latencyMs: 1500 }));
    expect(checkAnomalies(inst, step, DEFAULT_ANOMALY_POLICY, NOW)).toEqual([]);
  });

  it('needs the deviation sustained: two hours are not enough, three are one finding', () => {
    const spike = (n: number) => history((ago, h) => ({ ...normal(h), errors: ago <= n ? 40 : normal(h).errors }));
    expect(checkAnomalies(inst, spike(2), DEFAULT_ANOMALY_POLICY, NOW)).toEqual([]);
    const f = checkAnomalies(inst, spike(5), DEFAULT_ANOMALY_POLICY, NOW);
    expect(f.map((x) => x.kind)).toEqual(['anomaly_errors']);
    expect(f[0].evidence).toMatchObject({ direction: 'above', since: new Date((HOUR0 - 5) * HOUR_MS).toISOString() });
    // The same streak an hour later keeps its key: posted once.
    const later = checkAnomalies(inst, spike(5), DEFAULT_ANOMALY_POLICY, NOW);
    expect(later[0].dedupeKey).toBe(f[0].dedupeKey);
  });

  it('sees a drop as well as a rise (an instance that stops answering)', () => {
    const busy = { messages: 60, tokens: 9000, errors: 1, latencyMs: 1400 };
    const silent = history((ago) => (ago <= 4 ? { errors: 1 } : busy));
    const f = checkAnomalies(inst, silent, DEFAULT_ANOMALY_POLICY, NOW);
    expect(f.map((x) => [x.kind, x.evidence.direction])).toEqual([
      ['anomaly_messages', 'below'],
      ['anomaly_tokens', 'below'],
    ]);
  });
});

describe('versions', () => {
  it('compares release parts and prereleases as npm does', () => {
    expect(compareVersions('2026.9.6', '2026.10.0')).toBe(-1);
    expect(compareVersions('2026.9.6', '2026.9.6')).toBe(0);
    expect(compareVersions('2026.9.6-beta.1', '2026.9.6')).toBe(-1);
    expect(compareVersions('garbage', '1.0.0')).toBeNull();
  });

  it('reads advisory ranges', () => {
    expect(inRange('2026.2.0', '<2026.3.0')).toBe(true);
    expect(inRange('2026.3.0', '<2026.3.0')).toBe(false);
    expect(inRange('2026.5.0', '>=2026.1.0 <2026.3.2 || 2026.5.0')).toBe(true);
    expect(inRange('2026.4.0', '>= 2026.1.0 < 2026.3.2 || 2026.5.0')).toBe(false);
    expect(inRange('1.0.0', '*')).toBe(true);
    expect(inRange('1.0.0', 'not a range')).toBe(false);
  });
});

describe('access', () => {
  const entry = (id: number, minsAgo: number, action: string, extra: Record<string, unknown> = {}) => ({
    id,
    t: new Date(NOW - minsAgo * 60_000).toISOString(),
    actor: 'ip:203.0.113.5',
    actorEmail: null,
    action,
    target: `u${id}@x.test`,
    clientId: null,
    detail: null,
    ...extra,
  });

  it('one finding per burst of failed logins, none below the count', () => {
    const nine = Array.from({ length: 9 }, (_, i) => entry(i + 1, 30 - i, 'auth.login_failed'));
    expect(checkAccess(nine, [], DEFAULT_ACCESS_POLICY, NOW)).toEqual([]);
    const many = Array.from({ length: 25 }, (_, i) => entry(i + 1, 60 - i, 'auth.login_failed'));
    const f = checkAccess(many, [], DEFAULT_ACCESS_POLICY, NOW);
    expect(f.map((x) => x.kind)).toEqual(['failed_login_burst']);
    expect(f[0].evidence).toMatchObject({ ip: '203.0.113.5', count: 25 });
  });

  it('an operator’s first login is not from a "new" address; a later one from elsewhere is', () => {
    const login = (id: number, daysAgo: number, ip: string) =>
      entry(id, daysAgo * 1440, 'auth.login', { actor: 'user:usr-1', actorEmail: 'a@x.test', detail: { ip } });
    expect(checkAccess([login(1, 0.1, '10.0.0.1')], [], DEFAULT_ACCESS_POLICY, NOW)).toEqual([]);
    const f = checkAccess([login(1, 3, '10.0.0.1'), login(2, 0.1, '10.0.0.9')], [], DEFAULT_ACCESS_POLICY, NOW);
    expect(f.map((x) => x.kind)).toEqual(['admin_login_new_address']);
    // A client user's logins are not operators'.
    const client = login(3, 0.1, '10.0.0.7');
    expect(
      checkAccess(
        [login(1, 3, '10.0.0.1'), { ...client, actor: 'user:usr-2', clientId: 'cli-1' }],
        [],
        DEFAULT_ACCESS_POLICY,
        NOW,
      ),
    ).toEqual([]);
  });
});
