import { describe, expect, it } from 'vitest';
import { parseSessionKey, variantParams } from './routing.js';

describe('experiment routing', () => {
  it('reads the agent and the person from OpenClaw session keys', () => {
    expect(parseSessionKey('agent:ab-b:telegram:direct:42')).toEqual({
      agentId: 'ab-b',
      peer: 'telegram:direct:42',
      channel: 'telegram',
      kind: 'direct',
      id: '42',
    });
    expect(parseSessionKey('agent:main:telegram:12345')?.peer).toBe('telegram:direct:12345');
    expect(parseSessionKey('agent:main:main')?.peer).toBeNull();
    expect(parseSessionKey('not-a-key')).toBeNull();
  });

  it('builds peer bindings for the people assigned B', () => {
    const v = variantParams({ 'SOUL.md': 'x' }, ['telegram:direct:1', 'slack:channel:C1']);
    expect(v.agentId).toBe('ab-b');
    expect(v.channels).toEqual(['slack', 'telegram']);
    expect(v.peers).toEqual([
      { channel: 'telegram', kind: 'direct', id: '1' },
      { channel: 'slack', kind: 'channel', id: 'C1' },
    ]);
  });
});
