import { describe, expect, it } from 'vitest';
import { statusOf } from './status.js';

describe('instance status', () => {
  const now = Date.now();
  const seen = { presence: 'online' as const, lastSeen: new Date(now - 1000), paused: false };
  it('a planned restart keeps the instance online; an unplanned drop is an error', () => {
    expect(statusOf({ ...seen, openclaw: { present: true, up: false, restarting: true } }, now, 30_000)).toBe('online');
    expect(
      statusOf({ ...seen, openclaw: { present: true, up: false, error: 'gateway unreachable' } }, now, 30_000),
    ).toBe('error');
  });
  it('a machine without OpenClaw is online (absent is a warning, not an error)', () => {
    expect(
      statusOf({ ...seen, openclaw: { present: false, up: false, error: 'OpenClaw is not installed' } }, now, 30_000),
    ).toBe('online');
  });
});
