import { describe, expect, it } from 'vitest';
import { addVariantToPatch, applyMergePatch, type VariantAgent } from './variant.js';

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
    const r = addVariantToPatch(patch, variant, { agents: { defaults: { model: { primary: 'x/y' } } } }, ws);
    expect(r.applied).toBe('variant.ab-b');
    expect(r.replacePaths).toEqual(['bindings']);
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

  it('removing without a record drops the variant, its entry and its bindings, and nothing else', () => {
    const patch: Record<string, unknown> = {};
    const current = {
      agents: { entries: { main: { workspace: '/s/workspace' }, 'ab-b': { workspace: '/s/workspace-ab-b' } } },
      bindings: [
        { agentId: 'ab-b', match: { channel: 'telegram', accountId: '*', peer: { kind: 'direct', id: '42' } } },
      ],
    };
    const r = addVariantToPatch(patch, { ...variant, peers: [], channels: [], remove: true }, current, ws);
    expect(r).toEqual({ applied: 'variant.ab-b.removed', replacePaths: ['bindings'] });
    expect(patch).toEqual({ agents: { entries: { 'ab-b': null } }, bindings: null });
  });

  it('adding then removing with the record gives back the config as it was, the client bindings included', () => {
    const own = { agentId: 'main', match: { channel: 'slack', accountId: 'biz' } };
    const original = {
      agents: { defaults: { model: { primary: 'x/y' } } },
      bindings: [own],
      session: { reset: { mode: 'daily' } },
    };
    const addPatch: Record<string, unknown> = {};
    const added = addVariantToPatch(addPatch, variant, original, ws);
    expect(added.undo).toEqual({ agentId: 'ab-b', before: { bindings: [own] } });
    // OpenClaw names the system agent as the owner of heartbeats and talk in the file by itself.
    const running = applyMergePatch(applyMergePatch(original, addPatch), {
      agents: { defaults: { heartbeat: { agentId: 'main' } } },
      talk: { agentId: 'main' },
    }) as Record<string, unknown>;
    expect(running.bindings).toEqual([
      { agentId: 'ab-b', match: { channel: 'telegram', accountId: '*', peer: { kind: 'direct', id: '42' } } },
      { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
      own,
    ]);
    const offPatch: Record<string, unknown> = {};
    const off = addVariantToPatch(
      offPatch,
      { ...variant, peers: [], channels: [], remove: true },
      running,
      ws,
      added.undo,
    );
    expect(off.replacePaths).toEqual(['bindings']);
    expect(applyMergePatch(running, offPatch)).toEqual(original);
  });

  it('a later change for more peers replaces the peers bound before and keeps one binding per channel', () => {
    const first: Record<string, unknown> = {};
    addVariantToPatch(first, variant, {}, ws);
    const running = applyMergePatch({}, first) as Record<string, unknown>;
    const next: Record<string, unknown> = {};
    const more = { ...variant, peers: [{ channel: 'telegram', kind: 'direct', id: '44' }] };
    addVariantToPatch(next, more, running, ws);
    expect(next).toEqual({
      bindings: [
        { agentId: 'ab-b', match: { channel: 'telegram', accountId: '*', peer: { kind: 'direct', id: '44' } } },
        { agentId: 'main', match: { channel: 'telegram', accountId: '*' } },
      ],
    });
  });
});
