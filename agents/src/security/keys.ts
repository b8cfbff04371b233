import type { KeyAges } from '../hub-types.js';
import { DAY_MS, type SecurityFinding } from './finding.js';

/** Days after which a key is old enough to rotate. */
export interface KeyPolicy {
  providerKeyDays: number;
  instanceSecretDays: number;
  hubKeyDays: number;
  /** Agent tokens (`agent-*@service.deepsignal`): the runner rotates them daily, so an old one is a leftover. */
  agentTokenDays: number;
}

export const DEFAULT_KEY_POLICY: KeyPolicy = {
  providerKeyDays: 90,
  instanceSecretDays: 180,
  hubKeyDays: 365,
  agentTokenDays: 7,
};

const days = (since: string, now: number) => Math.floor((now - Date.parse(since)) / DAY_MS);

/**
 * Key hygiene: each key's age against its threshold. Instance secrets get a `credentials.rotate`
 * proposal (the hub makes the new secret, an admin approves); an old hub key a `hubkey.rotate`
 * proposal per instance (the hub names its next key); a provider key only its client can replace,
 * so it is a finding; tokens are findings for an admin.
 */
export function checkKeys(k: KeyAges, p: KeyPolicy, now: number): SecurityFinding[] {
  const out: SecurityFinding[] = [];
  for (const s of k.secrets) {
    const age = days(s.updatedAt, now);
    if (age <= p.providerKeyDays) continue;
    out.push({
      dedupeKey: `keys:secret:${s.clientId}:${s.name}:${s.updatedAt}`,
      check: 'keys',
      kind: 'provider_key_old',
      severity: 'warning',
      what: `secret ${s.name} of client ${s.clientId} was last set ${age} days ago (threshold ${p.providerKeyDays})`,
      evidence: {
        clientId: s.clientId,
        name: s.name,
        updatedAt: s.updatedAt,
        ageDays: age,
        thresholdDays: p.providerKeyDays,
      },
    });
  }
  for (const s of k.instanceSecrets) {
    const age = days(s.since, now);
    if (age <= p.instanceSecretDays) continue;
    const what = `the MQTT secret of ${s.hostname} is ${age} days old (threshold ${p.instanceSecretDays})`;
    out.push({
      dedupeKey: `keys:instance:${s.instanceId}:${s.since}`,
      check: 'keys',
      instanceId: s.instanceId,
      kind: 'instance_secret_old',
      severity: 'warning',
      what,
      evidence: { hostname: s.hostname, since: s.since, ageDays: age, thresholdDays: p.instanceSecretDays },
      proposal: {
        title: `Rotate the MQTT secret of ${s.hostname}`,
        commands: [{ instanceId: s.instanceId, type: 'credentials.rotate', params: {} }],
        expectedEffect: 'the sidecar reconnects with a new secret the hub made; the old one stops working',
        risk: 'medium',
        reasoning: what,
      },
    });
  }
  if (k.hubKey.createdAt) {
    const age = days(k.hubKey.createdAt, now);
    if (age > p.hubKeyDays) out.push(...hubKeyFindings(k, age, p.hubKeyDays));
  }
  for (const t of k.tokens) {
    if (!/^agent-[a-z]+@service\.deepsignal$/.test(t.account)) continue;
    const age = days(t.createdAt, now);
    if (age <= p.agentTokenDays) continue;
    out.push({
      dedupeKey: `keys:token:${t.id}`,
      check: 'keys',
      kind: 'agent_token_old',
      severity: 'warning',
      what: `token ${t.name} of ${t.account} is ${age} days old (threshold ${p.agentTokenDays}); agents' tokens are rotated daily`,
      evidence: {
        tokenId: t.id,
        account: t.account,
        createdAt: t.createdAt,
        expiresAt: t.expiresAt,
        lastUsedAt: t.lastUsedAt,
      },
    });
  }
  return out;
}

/**
 * An old hub signing key: one finding per instance, each with its own `hubkey.rotate` proposal
 * (`params: {}`: the hub names its next key when it executes), so each stays within the hub's
 * blast radius and an admin approves them as the fleet allows. Without instances, one finding.
 */
function hubKeyFindings(k: KeyAges, age: number, threshold: number): SecurityFinding[] {
  const what = `the hub's signing key ${k.hubKey.keyId} is ${age} days old (threshold ${threshold})`;
  const evidence = { keyId: k.hubKey.keyId, createdAt: k.hubKey.createdAt, ageDays: age, thresholdDays: threshold };
  if (!k.instanceSecrets.length)
    return [
      {
        dedupeKey: `keys:hub:${k.hubKey.keyId}`,
        check: 'keys',
        kind: 'hub_key_old',
        severity: 'warning',
        what,
        evidence,
      },
    ];
  return k.instanceSecrets.map((s) => ({
    dedupeKey: `keys:hub:${k.hubKey.keyId}:${s.instanceId}`,
    check: 'keys',
    instanceId: s.instanceId,
    kind: 'hub_key_old',
    severity: 'warning',
    what: `${what}; ${s.hostname} must learn the next one`,
    evidence: { ...evidence, hostname: s.hostname },
    proposal: {
      title: `Teach ${s.hostname} the hub's next signing key`,
      commands: [{ instanceId: s.instanceId, type: 'hubkey.rotate', params: {} }],
      expectedEffect: "the sidecar trusts the hub's next signing key beside the current one",
      risk: 'medium',
      reasoning: what,
    },
  }));
}
