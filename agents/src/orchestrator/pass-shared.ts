import { type HubClient, HubError } from '../hub-client.js';
import type { Llm } from '../llm.js';
import type { IncidentPolicy } from './incident-policy.js';
import type { Finding, OrchestratorPolicy, RestartAction } from './policy.js';
import type { DownSinceStore } from './state.js';

/*
 * What every rule of an orchestrator pass shares: its dependencies, posting a finding once per
 * lasting condition, and reading what the hub made of a proposal.
 */

/** What one pass needs. */
export interface PassDeps {
  hub: HubClient;
  policy: OrchestratorPolicy;
  state: DownSinceStore;
  llm?: Llm | null;
  /** Thresholds of the incident rules (DEFAULT_INCIDENT_POLICY when unset). */
  incidents?: IncidentPolicy;
  /** Clock, injectable for tests of the grace period. */
  now?: () => number;
}

export const errText = (e: unknown) => (e instanceof HubError ? e.message : `unexpected: ${(e as Error).message}`);

/** Posts a finding unless the same one was posted within the cooldown (one per lasting condition). */
export async function report(d: PassDeps, f: Finding, runId: string | null, now: number): Promise<void> {
  const key = `${f.instanceId}:${f.kind}`;
  if (!d.state.dueReport(key, now, d.policy.cooldownSec * 1000)) {
    f.findingId = d.state.findingId(key);
    return;
  }
  try {
    const v = await d.hub.postFinding({
      ...(runId ? { runId } : {}),
      instanceId: f.instanceId,
      kind: f.kind,
      severity: f.severity,
      what: f.message,
      evidence: { hostname: f.hostname, ...(f.evidence ?? {}) },
    });
    f.findingId = v.id;
    d.state.noteFinding(key, v.id);
  } catch (e) {
    f.reportError = errText(e);
  }
}

/** The action a posted proposal became, in the hub's words. */
export function fromProposal(status: string): RestartAction['decision'] {
  if (status === 'pending' || status === 'approved') return 'proposed';
  if (status === 'dry_run') return 'recorded';
  if (status === 'refused' || status === 'rejected') return 'refused';
  return 'issued';
}
