import type { HubClient } from '../hub-client.js';
import type { Llm } from '../llm.js';
import { type Investigation, investigate } from '../tools/investigate.js';
import type { OrchestratorPolicy, OrchestratorReport } from './policy.js';

const SYSTEM =
  'You are the operations assistant of a managed AI-assistant hosting fleet (OpenClaw gateways on ' +
  "one VPS per client, each watched by a sidecar). The orchestrator's rules found the problems below " +
  'and may already have restarted OpenClaw. Investigate what they point at (health, metrics, logs, ' +
  'command history) and propose a fix only where the evidence supports one.';

/** What each model last investigated: the same findings again within the cooldown cost no call. */
const lastLook = new WeakMap<Llm, { what: string; at: number }>();

/** One restart proposal per instance and cooldown window, whoever proposes it (rules or model). */
export function restartKey(instanceId: string, now: number, cooldownSec: number): string {
  return `restart-${instanceId}-${Math.floor(now / (Math.max(cooldownSec, 1) * 1000))}`;
}

/**
 * The model's part of a pass, when one is configured and the rules found something other than
 * what it last looked at (or the cooldown has passed): it reads the findings, investigates through
 * the hub's API and may propose; its text is the pass's summary.
 */
export async function investigateFleet(
  llm: Llm,
  hub: HubClient,
  r: OrchestratorReport,
  policy: OrchestratorPolicy,
  now: number,
): Promise<Investigation | null> {
  if (!r.findings.length) return null;
  const what = JSON.stringify(r.findings.map((f) => `${f.instanceId}:${f.kind}:${f.action?.decision ?? ''}`).sort());
  const prev = lastLook.get(llm);
  if (prev?.what === what && now - prev.at < policy.cooldownSec * 1000) return null;
  lastLook.set(llm, { what, at: now });
  const facts = {
    instances: r.instances,
    counts: r.counts,
    findings: r.findings.map((f) => ({
      instanceId: f.instanceId,
      host: f.hostname,
      kind: f.kind,
      severity: f.severity,
      message: f.message,
      findingId: f.findingId,
      action: f.action
        ? `${f.action.type}: ${f.action.decision}${f.action.finalStatus ? ` -> ${f.action.finalStatus}` : ''} (${f.action.detail})`
        : undefined,
    })),
  };
  return investigate(llm, hub, {
    system: SYSTEM,
    facts,
    runId: r.runId ?? null,
    dryRun: r.dryRun,
    // A model's restart of one instance is the rules' restart: the hub keeps one proposal.
    idempotencyKey: (cmds) =>
      cmds.length === 1 && cmds[0].type === 'openclaw.restart'
        ? restartKey(cmds[0].instanceId, now, policy.cooldownSec)
        : undefined,
  });
}
