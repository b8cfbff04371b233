import type { FastifyRequest } from 'fastify';
import { forbidden, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient, seesFleet } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';
import type { HubContext } from '../../context.js';
import type { TicketRow } from '../../tickets/rows.js';
import type { Actor } from '../../tickets/types.js';

/** Operators who work tickets (the service role only through its own triage route). */
export const isAgentOfSupport = (u: AuthUser) => u.role === 'admin' || u.role === 'support';

export function assertSupport(u: AuthUser): void {
  if (!isAgentOfSupport(u)) throw forbidden('only operators (admin, support) may do this');
}

export const actorOf = (u: AuthUser): Actor => ({
  author: u.role === 'service' ? 'agent' : seesFleet(u) ? 'operator' : 'client',
  id: u.id,
  email: u.email,
});

/** The ticket, when the caller may see it: another client's ticket is a 404. */
export async function visibleTicket(
  ctx: HubContext,
  req: FastifyRequest,
  id: string,
): Promise<{ u: AuthUser; r: TicketRow }> {
  const u = requireUser(req);
  const r = await ctx.tickets.row(id);
  if (!r || !canSeeClient(u, r.client_id)) throw notFound('ticket');
  return { u, r };
}
