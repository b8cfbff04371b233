import { HUB_ERR } from '../auth/errors.js';
import { SCHEDULABLE_TYPES, type ScheduledChanges, ScheduleRefused } from '../changes/scheduled.js';
import { audit } from '../commands/audit.js';
import type { Db } from '../db/index.js';
import { agentEmail } from './agents.js';
import { type AgentState, type PlannedCommand, PolicyError } from './policy.js';
import type { Outcome, ProposalView } from './views.js';

/**
 * Whether a refusal is only "outside the maintenance window" for a plan whose every command may
 * wait for the window (updates, config, model, restart): then the approved proposal is held for the
 * client's next window instead of being refused.
 */
export function windowRefusalSchedulable(e: unknown, commands: readonly PlannedCommand[]): boolean {
  return (
    e instanceof PolicyError &&
    e.code === HUB_ERR.POLICY_MAINTENANCE_WINDOW &&
    commands.length > 0 &&
    commands.every((c) => SCHEDULABLE_TYPES.includes(c.type))
  );
}

/**
 * Holds each command of an approved proposal as a scheduled change of its instance (issued by the
 * agent's account when the client's window opens); the proposal is `executing` with each outcome
 * `scheduled` and its `runAfter`, and settles when the issued commands end. Null when a client has
 * no window ahead (the caller then refuses, as before).
 */
export async function scheduleIntoWindow(
  d: { db: Db; scheduled: ScheduledChanges },
  p: ProposalView,
  a: AgentState,
  by: string,
  paramsOf: (c: PlannedCommand) => Record<string, unknown>,
): Promise<Outcome[] | null> {
  const issuer = { userId: a.accountId ?? `agent-${a.name}`, email: agentEmail(a.name) };
  const outcomes: Outcome[] = [];
  for (const c of p.commands) {
    try {
      const v = await d.scheduled.schedule({ instanceId: c.instanceId, type: c.type, params: paramsOf(c), issuer });
      const runAfter = v.nextRunAt ?? v.runAfter;
      outcomes.push({
        instanceId: c.instanceId,
        type: c.type,
        commandId: v.commandId ?? '',
        status: v.commandId ? 'queued' : 'scheduled',
        error: null,
        scheduledChangeId: v.id,
        runAfter,
        detail: `held for the client's maintenance window from ${runAfter}`,
      });
    } catch (e) {
      if (!(e instanceof ScheduleRefused)) throw e;
      // Nothing half-held: what was scheduled for this proposal is taken back.
      for (const o of outcomes) if (o.scheduledChangeId) await d.scheduled.cancel(o.scheduledChangeId);
      return null;
    }
  }
  await d.db.query(
    "UPDATE agent_proposals SET status = 'executing', executed_at = now(), refusal = NULL, outcomes = $2 WHERE id = $1",
    [p.id, JSON.stringify(outcomes)],
  );
  await audit(d.db, by, 'agent.proposal.scheduled', p.id, null, {
    agent: a.name,
    reason: p.reasoning,
    changes: outcomes.map((o) => ({
      instanceId: o.instanceId,
      type: o.type,
      scheduledChangeId: o.scheduledChangeId,
      runAfter: o.runAfter,
    })),
  });
  return outcomes;
}
