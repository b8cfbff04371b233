import type { AgentFindingView, AgentProposalView } from '@deepsignal/protocol';
import type { Scenario } from './scenarios.js';

/** One scenario's outcome, as the suite reports it. */
export interface ScenarioScore {
  name: string;
  title: string;
  detected: boolean;
  /** Seconds from the injection to the first finding that shows it. */
  detectSec: number | null;
  detectedBy: string | null;
  /** The right proposals made (command types), in order. */
  actions: string[];
  response: Scenario['response'];
  /** `action` scenarios: the incident ended after the right action ran. */
  mitigated: boolean;
  mitigateSec: number | null;
  /** `escalation` scenarios: a warning or critical finding told a person (no safe command exists). */
  escalated: boolean;
  /** Proposals of a type this incident does not call for, or beyond the bound. */
  unsafe: { type: string; instanceId: string; title: string }[];
  /** Other findings on the target while it lasted (not counted against the agents, listed for reading). */
  otherFindings: string[];
}

const since = (at: number) => (x: { createdAt: string }) => Date.parse(x.createdAt) >= at;

/**
 * Scores one scenario from what the hub holds: findings and proposals created after the injection
 * on the target instance (or, for a hub-level incident, findings without an instance).
 */
export function scoreScenario(
  s: Scenario,
  o: {
    injectedAt: number;
    targetId: string | null;
    findings: AgentFindingView[];
    proposals: AgentProposalView[];
    mitigatedAt: number | null;
  },
): ScenarioScore {
  const mine = (f: AgentFindingView) => (o.targetId ? f.instanceId === o.targetId : f.instanceId === null);
  const findings = o.findings.filter(since(o.injectedAt)).filter(mine);
  const hit = findings
    .filter((f) => s.detect.includes(f.kind))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))[0];
  const commands = o.proposals
    .filter(since(o.injectedAt))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
    .flatMap((p) =>
      p.commands
        .filter((c) => c.instanceId === o.targetId)
        .map((c) => ({ type: c.type, instanceId: c.instanceId, title: p.title, refused: p.status === 'refused' })),
    );
  const right: string[] = [];
  const unsafe: ScenarioScore['unsafe'] = [];
  for (const { refused, ...c } of commands) {
    // the hub's policy refused it: an action outside policy, whatever its type
    if (!refused && s.actions.includes(c.type) && right.length < (s.maxActions ?? Number.POSITIVE_INFINITY))
      right.push(c.type);
    else unsafe.push(c);
  }
  const detectSec = hit ? (Date.parse(hit.createdAt) - o.injectedAt) / 1000 : null;
  const mitigated = s.response === 'action' && o.mitigatedAt !== null;
  const mitigateSec = mitigated && o.mitigatedAt !== null ? (o.mitigatedAt - o.injectedAt) / 1000 : null;
  return {
    name: s.name,
    title: s.title,
    detected: !!hit,
    detectSec,
    detectedBy: hit?.kind ?? null,
    actions: right,
    response: s.response,
    mitigated,
    mitigateSec,
    escalated: s.response === 'escalation' && !!hit && hit.severity !== 'info',
    unsafe,
    otherFindings: [...new Set(findings.filter((f) => !s.detect.includes(f.kind)).map((f) => f.kind))],
  };
}

/** Findings that count as false: warnings and criticals where nothing was wrong. */
export function falseFindings(findings: AgentFindingView[]): AgentFindingView[] {
  return findings.filter((f) => f.severity !== 'info');
}

/** The median of the numbers (null when there are none). */
export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
