import { describe, expect, it } from 'vitest';
import {
  type AgentProposal,
  fmtUsd,
  isQueued,
  outcomeText,
  priceDelta,
  proposalDiff,
  proposalTone,
} from '../lib/agent-ops';

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

  it('shows a hub action as the server now and after: type, location, price difference, backup', () => {
    const base = { fromLocation: 'fsn1', toLocation: 'fsn1', currency: 'EUR' as const };
    const [resize] = proposalDiff(
      proposal({
        commands: [
          {
            instanceId: 'inst-a',
            type: 'instance.resize',
            params: { serverType: 'cx32' },
            preview: {
              ...base,
              fromServerType: 'cx22',
              toServerType: 'cx32',
              monthlyFrom: 4.51,
              monthlyTo: 8.09,
              monthlyDelta: 3.58,
            },
          },
        ],
      }),
    );
    expect(resize.lines.map((l) => `${l.sign} ${l.text}`).slice(2, 4)).toEqual([
      '- server: cx22 in fsn1 (4.51 EUR/month)',
      '+ server: cx32 in fsn1 (8.09 EUR/month, +3.58 EUR/month)',
    ]);
    const [replace] = proposalDiff(
      proposal({
        commands: [
          {
            instanceId: 'inst-a',
            type: 'instance.replace',
            params: {},
            preview: {
              ...base,
              fromServerType: 'cx22',
              toServerType: 'cx22',
              monthlyFrom: 4.51,
              monthlyTo: 4.51,
              monthlyDelta: 0,
              backupId: 'bak-1',
              backupAt: '2026-12-02T03:00:00.000Z',
              oldServerId: 1001,
            },
          },
        ],
      }),
    );
    expect(replace.lines.map((l) => l.text).slice(2, 6)).toEqual([
      'server: cx22 in fsn1 (4.51 EUR/month), #1001: dead',
      'new server: cx22 in fsn1 (4.51 EUR/month, same price)',
      'restore backup bak-1 of 2026-12-02 03:00 UTC',
      'then release the dead server #1001',
    ]);
    expect(priceDelta(-11.54)).toBe('−11.54 EUR/month');
  });

  it('says when a change held for the maintenance window runs', () => {
    const o = { instanceId: 'inst-a', type: 'openclaw.update', commandId: '', error: null };
    expect(outcomeText({ ...o, status: 'scheduled', runAfter: '2026-12-04T03:00:00.000Z' })).toBe(
      'waits for the maintenance window from 2026-12-04 03:00 UTC',
    );
    expect(outcomeText({ ...o, status: 'running', commandId: 'dep-1', detail: 'restoring backup bak-1' })).toBe(
      'restoring backup bak-1',
    );
  });
});
