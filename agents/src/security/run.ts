import { createHash } from 'node:crypto';
import { type HubClient, HubError } from '../hub-client.js';
import type { InstanceDetail } from '../hub-types.js';
import type { Llm } from '../llm.js';
import { ACCESS_BASELINE_MS, type AccessPolicy, checkAccess, DEFAULT_ACCESS_POLICY } from './access.js';
import { type AnomalyPolicy, checkAnomalies, DEFAULT_ANOMALY_POLICY } from './anomalies.js';
import { HOUR_MS, type SecurityFinding, type SecurityReport } from './finding.js';
import { investigateSecurity } from './investigation.js';
import { checkKeys, DEFAULT_KEY_POLICY, type KeyPolicy } from './keys.js';
import { checkVersions } from './versions.js';

export interface SecurityPolicy {
  keys: KeyPolicy;
  access: AccessPolicy;
  anomalies: AnomalyPolicy;
}

export const DEFAULT_SECURITY_POLICY: SecurityPolicy = {
  keys: DEFAULT_KEY_POLICY,
  access: DEFAULT_ACCESS_POLICY,
  anomalies: DEFAULT_ANOMALY_POLICY,
};

export interface SecurityDeps {
  hub: HubClient;
  policy: SecurityPolicy;
  dryRun: boolean;
  llm?: Llm | null;
  now?: () => number;
}

const errText = (e: unknown) => (e instanceof HubError ? e.message : (e as Error).message);
const keyHash = (k: string) => createHash('sha256').update(k).digest('base64url').slice(0, 32);

/** The keys of the problems this agent already posted (kept on the hub, so restarts forget nothing). */
async function postedKeys(hub: HubClient): Promise<Set<string>> {
  const list = await hub.listFindings({ agent: 'security', limit: 500 });
  return new Set(list.map((f) => f.evidence?.dedupeKey).filter((k): k is string => typeof k === 'string'));
}

/**
 * One security pass: versions against advisories, key ages, the access log and per-instance
 * anomalies, all read through the hub's API. A problem is posted once (its dedupe key is in the
 * finding's evidence); its proposal carries an idempotency key from the same key, so the hub
 * keeps one plan per problem whatever the policy then does with it.
 */
export async function runSecurity(d: SecurityDeps): Promise<SecurityReport> {
  const now = (d.now ?? Date.now)();
  const report: SecurityReport = {
    at: new Date(now).toISOString(),
    dryRun: d.dryRun,
    instances: 0,
    findings: [],
    newFindings: 0,
    errors: [],
    runId: null,
  };
  const list = await d.hub.listInstances();
  report.instances = list.length;
  const details: InstanceDetail[] = [];
  for (const i of list) details.push(await d.hub.getInstance(i.id));

  const checks: [SecurityFinding['check'], () => Promise<SecurityFinding[]>][] = [
    ['versions', async () => checkVersions(details, await d.hub.advisories())],
    ['keys', async () => checkKeys(await d.hub.keyAges(), d.policy.keys, now)],
    [
      'access',
      async () => {
        const audit = await d.hub.audit({ from: new Date(now - ACCESS_BASELINE_MS).toISOString(), limit: 10_000 });
        const from = new Date(now - d.policy.access.recentHours * HOUR_MS).toISOString();
        return checkAccess(audit, await d.hub.consoleSessions({ from }), d.policy.access, now);
      },
    ],
    [
      'anomalies',
      async () => {
        const hours = 168 * (d.policy.anomalies.baselineWeeks + 1) + 24;
        const out: SecurityFinding[] = [];
        for (const i of details)
          out.push(...checkAnomalies(i, await d.hub.activity(i.id, { hours }), d.policy.anomalies, now));
        return out;
      },
    ],
  ];
  for (const [check, fn] of checks) {
    try {
      report.findings.push(...(await fn()));
    } catch (e) {
      report.errors.push({ check, error: errText(e) });
    }
  }
  if (d.dryRun) {
    if (d.llm) Object.assign(report, await investigateSecurity(d.llm, d.hub, report, report.findings));
    return report;
  }

  const seen = await postedKeys(d.hub);
  const fresh = report.findings.filter((f) => !seen.has(f.dedupeKey));
  for (const f of report.findings) if (seen.has(f.dedupeKey)) f.posted = { findingId: null, seen: true };
  report.runId = (await d.hub.startRun().catch(() => null))?.id ?? null;
  const u0 = d.llm ? { ...d.llm.usage } : null;
  let runError: string | undefined;
  try {
    for (const f of fresh) await post(d.hub, f, report.runId);
    report.newFindings = fresh.filter((f) => f.posted?.findingId).length;
    // Only new problems go to the model: a known one was investigated when it was new.
    if (d.llm) Object.assign(report, await investigateSecurity(d.llm, d.hub, report, fresh));
  } catch (e) {
    runError = errText(e);
    throw e;
  } finally {
    const u = d.llm?.usage;
    if (report.runId)
      await d.hub
        .finishRun(report.runId, {
          costUsd: u && u0 ? Math.max(0, u.costUsd - u0.costUsd) : 0,
          tokensIn: u && u0 ? u.tokensIn - u0.tokensIn : 0,
          tokensOut: u && u0 ? u.tokensOut - u0.tokensOut : 0,
          ...(runError ? { error: runError } : report.llmError ? { error: report.llmError } : {}),
        })
        .catch(() => {});
  }
  return report;
}

async function post(hub: HubClient, f: SecurityFinding, runId: string | null): Promise<void> {
  try {
    const v = await hub.postFinding({
      ...(runId ? { runId } : {}),
      ...(f.instanceId ? { instanceId: f.instanceId } : {}),
      kind: f.kind,
      severity: f.severity,
      what: f.what.slice(0, 2000),
      evidence: { ...f.evidence, dedupeKey: f.dedupeKey, check: f.check },
    });
    f.posted = { findingId: v.id, seen: false };
  } catch (e) {
    f.posted = { findingId: null, seen: false, error: errText(e) };
    return;
  }
  if (!f.proposal) return;
  try {
    const p = await hub.propose({
      ...f.proposal,
      ...(runId ? { runId } : {}),
      ...(f.posted.findingId ? { findingId: f.posted.findingId } : {}),
      idempotencyKey: `security-${keyHash(f.dedupeKey)}`,
    });
    f.proposed = {
      proposalId: p.id,
      status: p.status,
      ...(p.refusal ? { detail: `${p.refusal.code}: ${p.refusal.message}` } : {}),
    };
  } catch (e) {
    if (e instanceof HubError && e.code.startsWith('HUB_ERR_POLICY_')) {
      f.proposed = { status: 'refused', detail: e.message };
      return;
    }
    f.proposed = { status: 'error', detail: errText(e) };
  }
}
