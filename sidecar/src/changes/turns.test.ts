import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { GatewayLike } from '../openclaw/types.js';
import { TurnTracker } from './turns.js';

/** The tracker reads only gateway events: an emitter carrying the gateway's frames is enough. */
const gateway = () => new EventEmitter() as unknown as GatewayLike;

describe('turn tracker', () => {
  it('opens a turn on a running chat frame or lifecycle start and closes it on final, error or end', () => {
    const gw = gateway();
    const t = new TurnTracker(gw);
    gw.emit('event', 'chat', { runId: 'r1', sessionKey: 'agent:main:main', state: 'delta', deltaText: 'Hi' });
    gw.emit('event', 'agent', { runId: 'r2', stream: 'lifecycle', data: { phase: 'start' } });
    gw.emit('event', 'agent', { runId: 'r3', stream: 'assistant', data: { text: 'x' } });
    expect(t.inFlight().map((x) => x.runId)).toEqual(['r1', 'r2']);
    gw.emit('event', 'chat', { runId: 'r1', sessionKey: 'agent:main:main', state: 'final' });
    gw.emit('event', 'agent', { runId: 'r2', stream: 'lifecycle', data: { phase: 'end' } });
    expect(t.inFlight()).toEqual([]);
  });

  it('leaves out its own canary session, and forgets every turn when the gateway goes down', async () => {
    const gw = gateway();
    const t = new TurnTracker(gw);
    t.ignoredSessions.add('agent:main:ds-health');
    gw.emit('event', 'chat', { runId: 'c', sessionKey: 'agent:main:ds-health', state: 'delta' });
    gw.emit('event', 'chat', { runId: 'u', sessionKey: 'agent:main:main', state: 'delta' });
    expect(t.inFlight().map((x) => x.runId)).toEqual(['u']);
    const changed = t.changed(5000);
    gw.emit('down', 'closed');
    await changed;
    expect(t.inFlight()).toEqual([]);
  });
});
