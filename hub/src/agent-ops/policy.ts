import type { HubActionPreview } from '@deepsignal/protocol';
import { HttpError, HUB_ERR } from '../auth/errors.js';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Maintenance } from '../maintenance/index.js';
import { type AgentName, agentEmail, modeFor } from './agents.js';
import { HUB_ACTION_TYPES } from './hub-action-types.js';

/** An agent's row as the policy reads it. */
export interface AgentState {
  name: AgentName;
  accountId: string | null;
  paused: boolean;
  dryRun: boolean;
  actions: Record<string, string>;
  maxInstancesPerHour: number | null;
  failureLimit: number | null;
  failures: number;
  breakerOpenedAt: string | null;
  breakerReason: string | null;
}

/** One command of a plan (a sidecar command, or a hub action: agent-ops/hub-actions.ts). */
export interface PlannedCommand {
  instanceId: string;
  type: string;
  params: Record<string, unknown>;
  /** A hub action's change as the hub worked it out when it was proposed. */
  preview?: HubActionPreview;
}

export type Risk = 'low' | 'medium' | 'high';
const RISK_ORDER: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

/**
 * The hub's own risk of each command type; an agent may only state a higher one. Anything not
 * listed (updates, config, restores, channel logins…) is `high` and runs only inside one of the
 * client's maintenance windows.
 */
const TYPE_RISK: Record<string, Risk> = {
  ping: 'low',
  'config.get': 'low',
  'logs.tail': 'low',
  'openclaw.restart': 'low',
  'agent.pause': 'medium',
  'agent.resume': 'medium',
};

/** The risk the hub goes by: the higher of the command types' and the one the agent stated. */
export function effectiveRisk(commands: readonly PlannedCommand[], stated: Risk): Risk {
  let r = stated;
  for (const c of commands) {
    const t = TYPE_RISK[c.type] ?? 'high';
    if (RISK_ORDER[t] > RISK_ORDER[r]) r = t;
  }
  return r;
}

/** A refusal by the policy: a clear code, whatever the agent said. */
export class PolicyError extends HttpError {}

const refuse = (status: number, code: string, msg: string) => new PolicyError(status, code, msg);

/** The limits in force for an agent: its own, else the hub's settings. */
export function limitsOf(a: AgentState, config: Pick<HubConfig, 'agentMaxInstancesPerHour' | 'agentFailureLimit'>) {
  return {
    maxInstancesPerHour: a.maxInstancesPerHour ?? config.agentMaxInstancesPerHour,
    failureLimit: a.failureLimit ?? config.agentFailureLimit,
  };
}

/** A paused agent, or one whose breaker is open, may not write anything. */
export function assertActive(a: AgentState): void {
  if (a.paused) throw refuse(409, HUB_ERR.POLICY_PAUSED, `agent ${a.name} is paused; an admin resumes it`);
  if (a.breakerOpenedAt)
    throw refuse(
      409,
      HUB_ERR.POLICY_BREAKER_OPEN,
      `agent ${a.name} is stopped by its circuit breaker (${a.breakerReason ?? 'too many failed actions'}); an admin resets it`,
    );
}

/**
 * How a new proposal is handled: `auto` when every command type is auto-approved, else
 * `approve`; a type the agent may never run refuses the whole proposal.
 */
export function decide(a: AgentState, commands: readonly PlannedCommand[]): 'auto' | 'approve' {
  let all = true;
  for (const c of commands) {
    const m = modeFor(a.actions, c.type);
    if (m === 'never') throw refuse(403, HUB_ERR.POLICY_NEVER, `agent ${a.name} may never run ${c.type}`);
    if (m !== 'auto') all = false;
  }
  return all ? 'auto' : 'approve';
}

/** What the execution checks read. */
export interface ExecDeps {
  db: Db;
  fleet: Fleet;
  maintenance: Maintenance;
  config: Pick<HubConfig, 'agentMaxInstancesPerHour' | 'agentFailureLimit'>;
}

/**
 * Checks right before a proposal's commands are sent: dry run, paused/breaker, blast radius (at
 * most N distinct instances per agent per hour), one change in flight per instance, and the
 * maintenance window for anything but low-risk commands.
 */
export async function assertMayExecute(
  d: ExecDeps,
  a: AgentState,
  p: { commands: readonly PlannedCommand[]; risk: Risk },
  now = new Date(),
): Promise<void> {
  if (a.dryRun)
    throw refuse(
      409,
      HUB_ERR.POLICY_DRY_RUN,
      `agent ${a.name} is in dry-run: its proposals are recorded, never executed`,
    );
  assertActive(a);
  const targets = [...new Set(p.commands.map((c) => c.instanceId))];
  const { maxInstancesPerHour } = limitsOf(a, d.config);
  // Commands it was executed under, and the hub actions (replace, resize) its proposals ran.
  const touched = await d.db.query<{ instance_id: string }>(
    `SELECT DISTINCT instance_id FROM commands WHERE issued_by = $1 AND issued_at > $2
     UNION SELECT DISTINCT o->>'instanceId' FROM agent_proposals p, jsonb_array_elements(p.outcomes) o
       WHERE p.agent = $3 AND p.executed_at > $2 AND o->>'type' = ANY($4::text[])`,
    [`user:${agentEmail(a.name)}`, new Date(now.getTime() - 3_600_000), a.name, [...HUB_ACTION_TYPES]],
  );
  const seen = new Set(touched.map((r) => r.instance_id));
  const fresh = targets.filter((t) => !seen.has(t));
  if (seen.size + fresh.length > maxInstancesPerHour)
    throw refuse(
      429,
      HUB_ERR.POLICY_BLAST_RADIUS,
      `agent ${a.name} acted on ${seen.size} instance(s) in the last hour; ${fresh.length} more would pass its limit of ${maxInstancesPerHour} per hour`,
    );
  const busy = await d.db.query<{ instance_id: string; id: string; type: string }>(
    `SELECT instance_id, id, type FROM commands
     WHERE instance_id = ANY($1::text[]) AND status IN ('queued','delivered','running') AND expires_at > now()`,
    [targets],
  );
  // A server being deployed, resized, paused or moved is a change in flight too.
  const hosts = await d.db.query<{ instance_id: string; id: string; type: string }>(
    `SELECT instance_id, id, 'deployment' AS type FROM deployments
       WHERE instance_id = ANY($1::text[]) AND status NOT IN ('live','failed','canceled')
     UNION ALL SELECT instance_id, instance_id AS id, operation->>'kind' AS type FROM instance_hosts
       WHERE instance_id = ANY($1::text[]) AND operation->>'status' = 'running'`,
    [targets],
  );
  busy.push(...hosts);
  if (busy[0])
    throw refuse(
      409,
      HUB_ERR.POLICY_IN_FLIGHT,
      `instance ${busy[0].instance_id} already has a change in flight (${busy[0].type} ${busy[0].id}); one at a time`,
    );
  const risk = effectiveRisk(p.commands, p.risk);
  if (risk === 'low') return;
  // Replacing a dead server cannot disturb anyone: the instance is down already, so it does not wait.
  const waits = (t: string) =>
    p.commands.some(
      (c) => c.instanceId === t && !(c.type === 'instance.replace' && d.fleet.get(t)?.presence !== 'online'),
    );
  for (const t of targets.filter(waits)) {
    const clientId = d.fleet.get(t)?.clientId;
    if (clientId && d.maintenance.activeWindow(clientId, now)) continue;
    const next = clientId ? d.maintenance.nextWindowStart(clientId, now) : null;
    throw refuse(
      409,
      HUB_ERR.POLICY_MAINTENANCE_WINDOW,
      `a ${risk}-risk change to ${t} runs only inside a maintenance window of its client (${next ? `next opens ${next.start.toISOString()}` : 'none is scheduled'})`,
    );
  }
}
