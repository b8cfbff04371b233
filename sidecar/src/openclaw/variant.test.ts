import { describe, expect, it } from 'vitest';
import { addVariantToPatch, type VariantAgent } from './variant.js';

const ws = { main: '/s/workspace', variant: '/s/workspace-ab-b' };
const variant: VariantAgent = {
  agentId: 'ab-b',
  files: {},
  channels: ['telegram'],
  peers: [{ channel: 'telegram', kind: 'direct', id: '42' }],
};

describe('the A/B variant as an OpenClaw config patch', () => {
  it('keeps main in the roster beside the variant, as an explicit roster with main as system agent', () => {
    const patch: Record<string, unknown> = {};
    expect(addVariantToPatch(patch, variant, { agents: { defaults: { model: { primary: 'x/y' } } } }, ws)).toBe(
      'variant.ab-b',
    );
    expect(patch).toEqual({
      agents: {
        entries: { main: { workspace: '/s/workspace' }, 'ab-b': { workspace: '/s/workspace-ab-b' } },
        ownership: 'explicit',
        defaults: { systemAgent: { agentId: 'main' } },
      },
      bindings: [
        { agentId: 'ab-b', match: { channel: 'telegram', accountId: '*', peer: { kind: 'direct', id: '42' } } },
        { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
      ],
      session: { dmScope: 'per-channel-peer' },
    });
  });

  it("keeps what the client set (main's workspace, its system agent) and the rest of the patch", () => {
    const patch: Record<string, unknown> = {
      agents: { defaults: { model: { primary: 'a/b' } }, entries: { main: { identity: { name: 'Ava' } } } },
    };
    const current = {
      agents: { entries: { main: { workspace: '/custom' } }, defaults: { systemAgent: { agentId: 'ops' } } },
    };
    addVariantToPatch(patch, variant, current, ws);
    expect(patch.agents).toEqual({
      defaults: { model: { primary: 'a/b' } },
      entries: { main: { identity: { name: 'Ava' } }, 'ab-b': { workspace: '/s/workspace-ab-b' } },
      ownership: 'explicit',
    });
  });

  it('removing drops the variant and every binding, and nothing else', () => {
    const patch: Record<string, unknown> = {};
    expect(addVariantToPatch(patch, { ...variant, peers: [], channels: [], remove: true }, {}, ws)).toBe(
      'variant.ab-b.removed',
    );
    expect(patch).toEqual({ agents: { entries: { 'ab-b': null } }, bindings: null });
  });
});
