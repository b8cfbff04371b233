import { type HubClient, HubError } from '../hub-client.js';
import type { Instance } from '../hub-types.js';
import type { Llm } from '../llm.js';
import type { Finding, OrchestratorPolicy, OrchestratorReport, RestartAction } from './policy.js';
import { summarizeWithLlm } from './report.js';
import { decideRestart, failedRestartFinding, openclawDown, staticFindings } from './rules.js';
import type { DownSinceStore } from './state.js';

/** What one pass needs. */
export interface PassDeps {
  hub: HubClient;
  policy: OrchestratorPolicy;
  state: DownSinceStore;
  llm?: Llm | null;
  /** Clock, injectable for tests of the grace period. */
  now?: () => number;
}

/** One look at the whole fleet: findings for every instance, at most one restart each. */
export async function runPass(d: PassDeps): Promise<OrchestratorReport> {
  const now = d.now ?? Date.now;
  const instances = await d.hub.listInstances();
  const findings: Finding[] = [];
  const issued: string[] = [];
  for (const i of instances) {
    findings.push(...staticFindings(i, d.policy));
    if (!openclawDown(i)) {
      d.state.clear(i.id);
      continue;
    }
    const f = await handleDown(d, i, now);
    findings.push(...f);
    for (const x of f) if (x.action?.decision === 'issued' && x.action.commandId) issued.push(x.action.commandId);
  }
  d.state.retain(new Set(instances.map((i) => i.id)));
  d.state.save();
  const counts: Record<string, number> = {};
  for (const i of instances) counts[i.status] = (counts[i.status] ?? 0) + 1;
  const report: OrchestratorReport = {
    at: new Date(now()).toISOString(),
    hub: d.hub.baseUrl,
    dryRun: d.policy.dryRun,
    instances: instances.length,
    counts,
    findings,
    issued,
  };
  if (d.llm) Object.assign(report, await summarizeWithLlm(d.llm, report));
  return report;
}

async function handleDown(d: PassDeps, i: Instance, now: () => number): Promise<Finding[]> {
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
  };
  const act = (a: Omit<RestartAction, 'type'>): RestartAction => ({ type: 'openclaw.restart', ...a });
  try {
    const history = await d.hub.listCommands(i.id, { type: 'openclaw.restart', limit: 20 });
    const out: Finding[] = [finding];
    const failed = failedRestartFinding(i, history);
    if (failed) out.push(failed);
    const { restart, ...decision } = decideRestart({ now: now(), downSince, history, policy: d.policy });
    finding.action = act(decision);
    if (!restart || d.policy.dryRun) return out;
    // One key per cooldown window: two agents running at once still send one restart.
    const window = Math.floor(now() / (Math.max(d.policy.cooldownSec, 1) * 1000));
    const r = await d.hub.issueCommand(
      i.id,
      'openclaw.restart',
      {},
      { idempotencyKey: `orchestrator-restart-${window}` },
    );
    finding.action = act({ ...decision, commandId: r.id });
    if (d.policy.waitSec > 0) {
      const c = await d.hub.waitForCommand(r.id, { timeoutMs: d.policy.waitSec * 1000 });
      finding.action.finalStatus = c.status;
      if (c.error) finding.action.detail += `; ${c.error.code}: ${c.error.message}`;
    }
    return out;
  } catch (e) {
    const msg = e instanceof HubError ? e.message : `unexpected: ${(e as Error).message}`;
    finding.action = act({ decision: 'error', detail: msg });
    return [finding];
  }
}
