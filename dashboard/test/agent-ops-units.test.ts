import { describe, expect, it } from 'vitest';
import { type AgentProposal, fmtUsd, isQueued, proposalDiff, proposalTone } from '../lib/agent-ops';

const proposal = (over: Partial<AgentProposal> = {}): AgentProposal => ({
  id: 'aprop-1',
  agent: 'orchestrator',
  runId: null,
  findingId: null,
  title: 'Restart',
  commands: [
    { instanceId: 'inst-a', type: 'openclaw.restart', params: {} },
    { instanceId: 'inst-b', type: 'openclaw.update', params: { version: '2026.9.6' } },
  ],
  expectedEffect: 'OpenClaw answers again',
  risk: 'low',
  reasoning: 'down past the grace period',
  status: 'pending',
  decidedBy: null,
  decidedAt: null,
  decisionNote: null,
  refusal: null,
  outcomes: [],
  targets: [
    {
      instanceId: 'inst-a',
      hostname: 'vps-a',
      clientId: 'cli-1',
      status: 'error',
      openclaw: { up: false, error: 'gateway exited' },
    },
    { instanceId: 'inst-b', hostname: null, clientId: 'cli-1', status: 'online', openclaw: { up: true, ready: false } },
  ],
  createdAt: '2026-12-03T06:00:00.000Z',
  executedAt: null,
  finishedAt: null,
  ...over,
});

describe('agent ops view helpers', () => {
  it('shows per instance what is now (-) and what the plan changes (+)', () => {
    const d = proposalDiff(proposal());
    expect(d.map((x) => x.title)).toEqual(['vps-a (inst-a)', 'inst-b']);
    expect(d[0].lines.map((l) => `${l.sign} ${l.text}`)).toEqual([
      '  status: error',
      '- OpenClaw: down (gateway exited)',
      '+ run openclaw.restart',
      '+ expected: OpenClaw answers again',
    ]);
    expect(d[1].lines[1].text).toBe('OpenClaw: up, not ready');
    expect(d[1].lines[2].text).toBe('run openclaw.update {"version":"2026.9.6"}');
    expect(new Set(d[0].lines.map((l) => l.key)).size).toBe(d[0].lines.length);
  });

  it('queues pending and approved proposals; tones follow the outcome', () => {
    expect(isQueued(proposal())).toBe(true);
    expect(isQueued(proposal({ status: 'approved' }))).toBe(true);
    expect(isQueued(proposal({ status: 'succeeded' }))).toBe(false);
    expect([proposalTone('succeeded'), proposalTone('refused'), proposalTone('dry_run')]).toEqual([
      'success',
      'danger',
      'outline',
    ]);
    expect(fmtUsd(0.00081)).toBe('$0.0008');
    expect(fmtUsd(12.5)).toBe('$12.50');
  });
});
