import type { Logger } from 'pino';
import type { CommandService } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { type LiveSink, rooms } from '../live/sink.js';
import { periodBounds } from './invoice-math.js';
import { type HardLimit, periodOf, planAllowance } from './plans.js';
import { limitsToRestore, THROTTLE_LIMITS } from './throttle.js';
import { clientUsage } from './usage.js';

/** What the hub did at a hard limit, kept on client_billing.enforcement until it is undone. */
export interface Enforcement {
  period: string;
  action: Exclude<HardLimit, 'none'>;
  at: string;
  /** model.set: the model each instance had before, to put back. */
  previousModels?: Record<string, string | null>;
  commandIds: string[];
  /** throttle: the config.apply sent to each instance, whose result holds the limits to put back. */
  throttleCommands?: Record<string, string>;
}

export interface BudgetDeps {
  db: Db;
  fleet: Fleet;
  commands: CommandService;
  live: () => LiveSink;
  log: Logger;
}

const ISSUER = { userId: 'system', email: 'billing@hub' };

/** Model-spend cents of a client in the month of `now`. */
async function spendCents(db: Db, clientId: string, now: Date): Promise<number> {
  const { start } = periodBounds(periodOf(now));
  const u = await clientUsage(db, clientId, start, now);
  return Math.round(u.cost * 100);
}

/** An event on every instance of the client (the events table is per instance) and on the live stream. */
async function clientEvent(
  d: BudgetDeps,
  clientId: string,
  now: Date,
  type: string,
  severity: 'info' | 'warn' | 'error',
  message: string,
  data: Record<string, unknown>,
) {
  const instances = d.fleet.list().filter((i) => i.clientId === clientId);
  for (const i of instances) {
    await d.db.query('INSERT INTO events (instance_id, t, type, severity, message, data) VALUES ($1,$2,$3,$4,$5,$6)', [
      i.id,
      now,
      type,
      severity,
      message,
      JSON.stringify(data),
    ]);
    d.live().emit([rooms.instance(i.id), rooms.client(clientId), rooms.fleet], 'events', {
      instanceId: i.id,
      events: [{ t: now.getTime(), type, severity, message, data }],
    });
  }
}

/** The instance's current default model as last reported (OpenClaw state), when known. */
function currentModel(d: BudgetDeps, instanceId: string): string | null {
  return d.fleet.get(instanceId)?.openclaw?.model ?? null;
}

/**
 * Checks one client's budget at `now`: past the soft limit an event (once per period); past the
 * hard limit the chosen action as signed commands to every instance (once per period); and when
 * the period has turned or the budget has been raised above the spend, the action is undone.
 * Returns what it did.
 */
export async function checkBudget(d: BudgetDeps, clientId: string, now: Date): Promise<string[]> {
  const a = await planAllowance(d.db, clientId, now);
  if (!a) return [];
  const row = (
    await d.db.query<Record<string, unknown>>('SELECT * FROM client_billing WHERE client_id = $1', [clientId])
  )[0];
  const period = periodOf(now);
  const spend = await spendCents(d.db, clientId, now);
  const done: string[] = [];
  const enforced = (row?.enforcement as Enforcement | null) ?? null;

  if (enforced && (enforced.period !== period || a.budgetHardCents == null || spend < a.budgetHardCents)) {
    await undo(d, clientId, enforced);
    await d.db.query('UPDATE client_billing SET enforcement = NULL, updated_at = now() WHERE client_id = $1', [
      clientId,
    ]);
    await clientEvent(d, clientId, now, 'billing.limit_lifted', 'info', `Hard limit lifted (${enforced.action})`, {
      action: enforced.action,
      reason: enforced.period !== period ? 'period' : 'budget',
    });
    done.push(`undo:${enforced.action}`);
  }
  if (a.budgetSoftCents != null && spend >= a.budgetSoftCents && row?.soft_warned_period !== period) {
    await d.db.query(
      `INSERT INTO client_billing (client_id, soft_warned_period) VALUES ($1, $2)
       ON CONFLICT (client_id) DO UPDATE SET soft_warned_period = $2, updated_at = now()`,
      [clientId, period],
    );
    await clientEvent(
      d,
      clientId,
      now,
      'billing.budget_near',
      'warn',
      `Model spend ${spend / 100} reached the soft limit`,
      {
        spendCents: spend,
        softCents: a.budgetSoftCents,
      },
    );
    done.push('soft');
  }
  const stillEnforced = enforced && !done.includes(`undo:${enforced.action}`);
  if (a.budgetHardCents != null && spend >= a.budgetHardCents && !stillEnforced && a.hardLimit !== 'none') {
    const e = await enforce(d, clientId, a.hardLimit, period, now, a);
    await d.db.query(
      `INSERT INTO client_billing (client_id, enforcement) VALUES ($1, $2)
       ON CONFLICT (client_id) DO UPDATE SET enforcement = $2, updated_at = now()`,
      [clientId, JSON.stringify(e)],
    );
    await clientEvent(d, clientId, now, 'billing.limit_reached', 'error', `Hard limit reached: ${e.action}`, {
      spendCents: spend,
      hardCents: a.budgetHardCents,
      action: e.action,
    });
    done.push(`enforce:${e.action}`);
  }
  return done;
}

async function enforce(
  d: BudgetDeps,
  clientId: string,
  action: Exclude<HardLimit, 'none'>,
  period: string,
  now: Date,
  a: { plan: string },
): Promise<Enforcement> {
  const instances = d.fleet.list().filter((i) => i.clientId === clientId);
  const fallback = (
    await d.db.query<{ fallback_model: string | null }>('SELECT fallback_model FROM billing_plans WHERE id = $1', [
      a.plan,
    ])
  )[0]?.fallback_model;
  // A plan without a cheaper model to switch to pauses instead.
  const e: Enforcement = {
    period,
    action: action === 'model' && !fallback ? 'pause' : action,
    at: now.toISOString(),
    commandIds: [],
  };
  for (const i of instances) {
    const key = `budget-${period}-${e.action}-${e.at}`;
    let cmd: { type: string; params: Record<string, unknown> };
    if (e.action === 'model' && fallback) {
      e.previousModels = { ...(e.previousModels ?? {}), [i.id]: currentModel(d, i.id) };
      cmd = { type: 'model.set', params: { model: fallback } };
    } else if (e.action === 'throttle') cmd = { type: 'config.apply', params: { limits: THROTTLE_LIMITS } };
    else cmd = { type: 'agent.pause', params: {} };
    const { view } = await d.commands.create({ instanceId: i.id, ...cmd, idempotencyKey: key, issuer: ISSUER });
    e.commandIds.push(view.id);
    if (e.action === 'throttle') e.throttleCommands = { ...(e.throttleCommands ?? {}), [i.id]: view.id };
  }
  return e;
}

async function undo(d: BudgetDeps, clientId: string, e: Enforcement): Promise<void> {
  const instances = d.fleet.list().filter((i) => i.clientId === clientId);
  for (const i of instances) {
    const key = `budget-undo-${e.period}-${e.action}-${e.at}`;
    if (e.action === 'model') {
      const prev = e.previousModels?.[i.id];
      if (prev)
        await d.commands.create({
          instanceId: i.id,
          type: 'model.set',
          params: { model: prev },
          idempotencyKey: key,
          issuer: ISSUER,
        });
    } else if (e.action === 'throttle') {
      const sent = e.throttleCommands?.[i.id];
      const limits = sent ? await limitsToRestore(d.commands, sent) : null;
      if (limits)
        await d.commands.create({
          instanceId: i.id,
          type: 'config.apply',
          params: { limits },
          idempotencyKey: key,
          issuer: ISSUER,
        });
    } else
      await d.commands.create({
        instanceId: i.id,
        type: 'agent.resume',
        params: {},
        idempotencyKey: key,
        issuer: ISSUER,
      });
  }
  d.log.info({ clientId, action: e.action }, 'budget limit lifted');
}
