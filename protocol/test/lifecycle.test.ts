import { describe, expect, it } from 'vitest';
import { COMMAND_STATES, COMMANDS, canTransition, mayIssue, redactParams, TERMINAL_STATES } from '../src/index.js';

describe('command lifecycle', () => {
  it('moves only forward, and terminal states are final', () => {
    expect(canTransition('queued', 'delivered')).toBe(true);
    expect(canTransition('delivered', 'running')).toBe(true);
    expect(canTransition('running', 'running')).toBe(true);
    expect(canTransition('running', 'succeeded')).toBe(true);
    expect(canTransition('queued', 'succeeded')).toBe(true); // a late delivered report is allowed to be skipped
    expect(canTransition('running', 'delivered')).toBe(false);
    for (const t of TERMINAL_STATES) for (const s of COMMAND_STATES) expect(canTransition(t, s)).toBe(false);
  });
  it('cancels only what is still queued', () => {
    expect(canTransition('queued', 'canceled')).toBe(true);
    expect(canTransition('delivered', 'canceled')).toBe(false);
    expect(canTransition('running', 'canceled')).toBe(false);
  });
});

describe('catalog', () => {
  it('lets a client owner pause, resume and change the model, and not update or open consoles', () => {
    for (const t of ['agent.pause', 'agent.resume', 'model.set']) expect(mayIssue('client_owner', t)).toBe(true);
    for (const t of ['openclaw.update', 'console.open', 'backup.restore', 'credentials.rotate', 'config.apply']) {
      expect(mayIssue('client_owner', t)).toBe(false);
    }
    for (const t of Object.keys(COMMANDS)) {
      expect(mayIssue('admin', t)).toBe(true);
      expect(mayIssue('client_viewer', t)).toBe(false);
    }
  });
  it('gives every command a positive timeout and a description', () => {
    for (const def of Object.values(COMMANDS)) {
      expect(def.defaultTimeoutSec).toBeGreaterThan(0);
      expect(def.description.length).toBeGreaterThan(10);
    }
  });
  it('redacts secret params', () => {
    expect(redactParams('credentials.rotate', { secret: 'abc' })).toEqual({ secret: '[redacted]' });
    expect(redactParams('ping', {})).toEqual({});
  });
});
