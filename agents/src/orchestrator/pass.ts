import { HubError } from '../hub-client.js';
import type { Instance } from '../hub-types.js';
import { runFleetRules } from './fleet-pass.js';
import { DEFAULT_INCIDENT_POLICY } from './incident-policy.js';
import { crashLoopFinding } from './incident-rules.js';
import { checkIncidents } from './incidents.js';
import { investigateFleet, restartKey } from './investigation.js';
import { errText, fromProposal, type PassDeps, report } from './pass-shared.js';
import type { Finding, OrchestratorReport, RestartAction } from './policy.js';
import { decideRestart, failedRestartFinding, openclawDown, staticFindings } from './rules.js';

/**
 * One look at the whole fleet: findings for every instance, at most one restart proposal each.
 * The agent acts only through the hub: it posts its findings and proposals, and the hub's policy
 * decides whether a restart runs now, waits for an admin, or is refused. Unless `--dry-run`, the
 * pass is recorded as a run with its model cost.
 */
export async function runPass(d: PassDeps): Promise<OrchestratorReport> {
  const now = d.now ?? Date.now;
  const posting = !d.policy.dryRun;
  let runId: string | null = null;
  let runError: string | null = null;
  if (posting) {
    try {
      runId = (await d.hub.startRun()).id;
    } catch (e) {
      runError = errText(e);
    }
  }
  const usage0 = d.llm ? { ...d.llm.usage } : null;
  const instances = await d.hub.listInstances();
  const findings: Finding[] = [];
  const issued: string[] = [];
  const readErrors: string[] = [];
  for (const i of instances) {
    const plain = staticFindings(i, d.policy);
    if (posting) for (const f of plain) await report(d, f, runId, now());
    findings.push(...plain);
    findings.push(...(await checkIncidents(d, i, runId, now(), readErrors)));
    if (!openclawDown(i)) {
      d.state.clear(i.id);
      continue;
    }
    const f = await handleDown(d, i, now, runId);
    findings.push(...f);
    for (const x of f) if (x.action?.decision === 'issued' && x.action.commandId) issued.push(x.action.commandId);
  }
  // Failover, scaling and updates (fleet-pass.ts): proposals only, decided by the hub.
  findings.push(...(await runFleetRules(d, instances, runId)));
  d.state.retain(new Set(instances.map((i) => i.id)));
  d.state.save();
  const counts: Record<string, number> = {};
  for (const i of instances) counts[i.status] = (counts[i.status] ?? 0) + 1;
  const out: OrchestratorReport = {
    at: new Date(now()).toISOString(),
    hub: d.hub.baseUrl,
    dryRun: d.policy.dryRun,
    instances: instances.length,
    counts,
    findings,
    issued,
    runId,
    runError,
    ...(readErrors.length ? { readErrors } : {}),
  };
  const model = d.llm ? await investigateFleet(d.llm, d.hub, out, d.policy, now()) : null;
  if (model) {
    Object.assign(out, model);
    for (const p of model.modelProposals) if (p.decision === 'issued') issued.push(...(p.commandIds ?? []));
  }
  if (runId) {
    const u = d.llm && usage0 ? d.llm.usage : null;
    await d.hub
      .finishRun(runId, {
        costUsd: u && usage0 ? Math.max(0, u.costUsd - usage0.costUsd) : 0,
        tokensIn: u && usage0 ? u.tokensIn - usage0.tokensIn : 0,
        tokensOut: u && usage0 ? u.tokensOut - usage0.tokensOut : 0,
        ...(out.llmError ? { error: out.llmError } : {}),
      })
      .catch((e) => {
        out.runError = errText(e);
      });
  }
  return out;
}

async function handleDown(d: PassDeps, i: Instance, now: () => number, runId: string | null): Promise<Finding[]> {
  const downSince = d.state.seenDown(i.id, now());
  const oc = i.openclaw;
  const what = oc?.up ? 'OpenClaw is up but not ready' : 'OpenClaw is down';
  const finding: Finding = {
    instanceId: i.id,
    hostname: i.hostname,
    clientId: i.clientId,
    kind: 'openclaw_down',
    severity: 'critical',
    message: `${what}${oc?.error ? ` (${oc.error})` : ''}`,
    evidence: { openclaw: oc, status: i.status, firstSeenDown: new Date(downSince).toISOString() },
  };
  const act = (a: Omit<RestartAction, 'type'>): RestartAction => ({ type: 'openclaw.restart', ...a });
  try {
    const history = await d.hub.listCommands(i.id, { type: 'openclaw.restart', limit: 20 });
    const out: Finding[] = [finding];
    const failed = failedRestartFinding(i, history);
    if (failed) out.push(failed);
    const loop = crashLoopFinding(i, history, d.incidents ?? DEFAULT_INCIDENT_POLICY, now());
    if (loop) {
      // Restarting again would only repeat the loop: a person takes it from here.
      out.push(loop);
      finding.action = act({ decision: 'escalated', detail: loop.message });
      if (!d.policy.dryRun) for (const f of out) await report(d, f, runId, now());
      return out;
    }
    const { restart, ...decision } = decideRestart({ now: now(), downSince, history, policy: d.policy });
    finding.action = act(decision);
    if (d.policy.dryRun) return out;
    for (const f of out) await report(d, f, runId, now());
    if (!restart) return out;
    // One key per instance and cooldown window: two agents running at once make one proposal.
    try {
      const p = await d.hub.propose({
        ...(runId ? { runId } : {}),
        ...(finding.findingId ? { findingId: finding.findingId } : {}),
        title: `Restart OpenClaw on ${i.hostname}`,
        commands: [{ instanceId: i.id, type: 'openclaw.restart', params: {} }],
        expectedEffect: 'OpenClaw is up and ready again; conversations resume',
        risk: 'low',
        reasoning: `${finding.message}; ${decision.detail}; no restart within the cooldown of ${d.policy.cooldownSec} s`,
        idempotencyKey: restartKey(i.id, now(), d.policy.cooldownSec),
      });
      const commandId = p.outcomes[0]?.commandId;
      finding.action = act({
        ...decision,
        decision: fromProposal(p.status),
        proposalId: p.id,
        ...(commandId ? { commandId } : {}),
        detail: p.refusal ? `${p.refusal.code}: ${p.refusal.message}` : `${decision.detail}; proposal ${p.status}`,
      });
    } catch (e) {
      if (e instanceof HubError && e.code.startsWith('HUB_ERR_POLICY_')) {
        finding.action = act({ ...decision, decision: 'refused', detail: e.message });
        return out;
      }
      throw e;
    }
    const a = finding.action;
    if (a.decision === 'issued' && a.commandId && d.policy.waitSec > 0) {
      const c = await d.hub.waitForCommand(a.commandId, { timeoutMs: d.policy.waitSec * 1000 });
      a.finalStatus = c.status;
      if (c.error) a.detail += `; ${c.error.code}: ${c.error.message}`;
    }
    return out;
  } catch (e) {
    finding.action = act({ decision: 'error', detail: errText(e) });
    return [finding];
  }
}
