import type { HubClient } from '../hub-client.js';
import type { Llm } from '../llm.js';
import { type Investigation, investigate } from '../tools/investigate.js';
import type { SecurityFinding, SecurityReport } from './finding.js';

const SYSTEM =
  'You are the security assistant of a managed AI-assistant hosting fleet. The security checks ' +
  'found the problems below (old versions against advisories, old keys, unusual access, activity ' +
  'anomalies). Investigate what they point at (instances, logs, command history, earlier findings ' +
  'and proposals) and propose a remedy only where the evidence supports one; rotations and updates ' +
  'wait for an admin.';

/** The model's part of a security pass, on the problems the checks found (none: no call). */
export async function investigateSecurity(
  llm: Llm,
  hub: HubClient,
  r: SecurityReport,
  findings: SecurityFinding[],
): Promise<Investigation | null> {
  if (!findings.length) return null;
  const facts = findings.map((f) => ({
    check: f.check,
    kind: f.kind,
    severity: f.severity,
    instanceId: f.instanceId,
    what: f.what,
    findingId: f.posted?.findingId ?? undefined,
    proposed: f.proposed
      ? `${f.proposal?.commands.map((c) => c.type).join(', ')}: ${f.proposed.status}${f.proposed.detail ? ` (${f.proposed.detail})` : ''}`
      : undefined,
  }));
  return investigate(llm, hub, { system: SYSTEM, facts, runId: r.runId, dryRun: r.dryRun });
}
