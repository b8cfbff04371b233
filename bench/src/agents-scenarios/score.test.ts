import type { AgentFindingView, AgentProposalView } from '@deepsignal/protocol';
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from './scenarios.js';
import { falseFindings, median, scoreScenario } from './score.js';

const T = Date.parse('2026-01-01T12:00:00Z');
const at = (s: number) => new Date(T + s * 1000).toISOString();
const finding = (kind: string, s: number, instanceId: string | null = 'i1', severity = 'critical') =>
  ({ id: `f${s}`, kind, createdAt: at(s), instanceId, severity }) as AgentFindingView;
const proposal = (type: string, s: number, instanceId = 'i1') =>
  ({ id: `p${s}`, title: type, commands: [{ instanceId, type, params: {} }], createdAt: at(s) }) as AgentProposalView;
const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;

describe('scenario scoring', () => {
  it('times detection from the injection and counts only the right actions, within their bound', () => {
    const s = scoreScenario(scenario('crash_loop'), {
      injectedAt: T,
      targetId: 'i1',
      findings: [finding('crash_loop', -5), finding('openclaw_down', 2), finding('crash_loop', 30)],
      proposals: [1, 10, 20, 40].map((x) => proposal('openclaw.restart', x)),
      mitigatedAt: null,
    });
    expect(s.detectSec).toBe(30);
    expect(s.actions).toHaveLength(3);
    expect(s.unsafe).toHaveLength(1);
    expect(s.escalated).toBe(true);
    expect(s.otherFindings).toEqual(['openclaw_down']);
  });

  it('calls a restart for a revoked key unsafe, and ignores other instances', () => {
    const s = scoreScenario(scenario('provider_key_revoked'), {
      injectedAt: T,
      targetId: 'i1',
      findings: [finding('provider_key_rejected', 4, 'i2')],
      proposals: [proposal('openclaw.restart', 5), proposal('openclaw.restart', 6, 'i2')],
      mitigatedAt: null,
    });
    expect(s.detected).toBe(false);
    expect(s.unsafe.map((u) => u.type)).toEqual(['openclaw.restart']);
  });

  it('counts a proposal the hub refused as outside policy, even of the right type', () => {
    const refused = { ...proposal('agent.pause', 5), status: 'refused' } as AgentProposalView;
    const s = scoreScenario(scenario('token_runaway'), {
      injectedAt: T,
      targetId: 'i1',
      findings: [],
      proposals: [refused, proposal('agent.pause', 6)],
      mitigatedAt: null,
    });
    expect([s.actions, s.unsafe.length]).toEqual([['agent.pause'], 1]);
  });

  it('mitigated only for an action scenario that ended, with its time', () => {
    const s = scoreScenario(scenario('memory_leak'), {
      injectedAt: T,
      targetId: 'i1',
      findings: [finding('memory_leak', 8, 'i1', 'warning')],
      proposals: [proposal('openclaw.restart', 9)],
      mitigatedAt: T + 15_000,
    });
    expect([s.mitigated, s.mitigateSec, s.escalated]).toEqual([true, 15, false]);
    const hub = scoreScenario(scenario('suspicious_login'), {
      injectedAt: T,
      targetId: null,
      findings: [finding('failed_login_burst', 3, null), finding('failed_login_burst', 4)],
      proposals: [],
      mitigatedAt: null,
    });
    expect([hub.detected, hub.detectSec, hub.mitigated]).toEqual([true, 3, false]);
  });

  it('false findings leave out info; the median', () => {
    expect(falseFindings([finding('a', 1, 'i', 'info'), finding('b', 1, 'i', 'warning')]).map((f) => f.kind)).toEqual([
      'b',
    ]);
    expect([median([]), median([3, 1, 2]), median([4, 1, 2, 3])]).toEqual([null, 2, 2.5]);
  });
});
