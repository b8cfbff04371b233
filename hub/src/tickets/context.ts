import type { HubContext } from '../context.js';
import type { TicketRow } from './rows.js';

/**
 * What an operator needs beside a thread: the instance's status and OpenClaw state, its recent
 * errors, commands and warnings, the client's plan and this month's usage. Gathered from the
 * hub's own tables; nothing is asked of the instance.
 */
export async function gatherContext(ctx: HubContext, r: TicketRow, admin: boolean) {
  const inst = r.instance_id ? ctx.fleet.get(r.instance_id) : undefined;
  const client = (
    await ctx.db.query<{ name: string; plan: string; status: string }>(
      'SELECT name, plan, status FROM clients WHERE id = $1',
      [r.client_id],
    )
  )[0];
  const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
  const usage = (
    await ctx.db.query<{ messages: string; tokens: string; cost: string }>(
      `SELECT count(*)::text AS messages, coalesce(sum(m.tokens_in + m.tokens_out), 0)::text AS tokens,
              coalesce(sum(m.cost), 0)::text AS cost
       FROM conversation_messages m JOIN instances i ON i.id = m.instance_id
       WHERE i.client_id = $1 AND m.t >= $2`,
      [r.client_id, monthStart],
    )
  )[0];
  const instanceBlock = inst
    ? {
        id: inst.id,
        hostname: inst.hostname,
        status: inst.status,
        paused: inst.paused,
        lastSeen: inst.lastSeen?.toISOString() ?? null,
        openclaw: inst.openclaw,
        metrics: inst.metrics,
        recentErrors: (
          await ctx.db.query<{ t: Date; level: string; subsystem: string; msg: string }>(
            `SELECT t, level, subsystem, msg FROM log_lines WHERE instance_id = $1 AND level IN ('error','fatal','warn')
             ORDER BY t DESC LIMIT 20`,
            [inst.id],
          )
        ).map((l) => ({ t: new Date(l.t).toISOString(), level: l.level, subsystem: l.subsystem, msg: l.msg })),
        recentEvents: (
          await ctx.db.query<{ t: Date; type: string; severity: string; message: string }>(
            `SELECT t, type, severity, message FROM events WHERE instance_id = $1 AND severity <> 'info'
             ORDER BY t DESC LIMIT 10`,
            [inst.id],
          )
        ).map((e) => ({ t: new Date(e.t).toISOString(), type: e.type, severity: e.severity, message: e.message })),
        recentCommands: (await ctx.commands.list(inst.id, { limit: 10 })).map((c) => ({
          id: c.id,
          type: c.type,
          status: c.status,
          issuedBy: c.issuedBy,
          issuedAt: c.issuedAt,
        })),
        consoleUrl: admin ? `/instance/?id=${encodeURIComponent(inst.id)}#console` : null,
      }
    : null;
  return {
    client: client ? { id: r.client_id, name: client.name, plan: client.plan, status: client.status } : null,
    usage: {
      month: monthStart.toISOString().slice(0, 7),
      messages: Number(usage?.messages ?? 0),
      tokens: Number(usage?.tokens ?? 0),
      cost: Number(usage?.cost ?? 0),
    },
    instance: instanceBlock,
  };
}
