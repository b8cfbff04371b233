import type { SupportRequest } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient, clientFilter } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import type { TicketRow } from '../../tickets/rows.js';
import { errorSchema, idParams } from '../schemas.js';
import { actorOf } from '../tickets/access.js';

const supportRequestSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  instanceId: z.string().nullable(),
  userId: z.string().nullable(),
  subject: z.string(),
  body: z.string(),
  status: z.enum(['open', 'resolved']),
  createdAt: z.string(),
});

/**
 * The earlier "support requests" API, kept as a view of tickets for callers that still use it:
 * a request is a ticket, its body the ticket's first message, `resolved` a resolved or closed
 * ticket. New callers use /tickets.
 */
export const supportRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const firstBodies = async (ids: string[]) => {
    if (!ids.length) return new Map<string, string>();
    const rows = await ctx.db.query<{ ticket_id: string; body: string }>(
      `SELECT DISTINCT ON (ticket_id) ticket_id, body FROM ticket_messages
       WHERE ticket_id = ANY($1::text[]) AND kind = 'message' ORDER BY ticket_id, created_at, id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.ticket_id, r.body]));
  };
  const toRequest = (r: TicketRow, body: string): SupportRequest => ({
    id: r.id,
    clientId: r.client_id,
    instanceId: r.instance_id,
    userId: r.opened_by,
    subject: r.subject,
    body,
    status: r.state === 'resolved' || r.state === 'closed' ? 'resolved' : 'open',
    createdAt: r.created_at.toISOString(),
  });

  app.post(
    '/support-requests',
    {
      schema: {
        tags: ['support'],
        body: z.object({
          instanceId: z.string().min(1).max(64).optional(),
          clientId: z.string().min(1).max(64).optional(),
          subject: z.string().trim().min(1).max(200),
          body: z.string().trim().min(1).max(5000),
        }),
        response: { 201: supportRequestSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      let clientId = req.body.clientId ?? u.clientId ?? undefined;
      if (req.body.instanceId) {
        const inst = ctx.fleet.get(req.body.instanceId);
        if (!inst || !canSeeClient(u, inst.clientId)) throw notFound('instance');
        clientId = inst.clientId;
      }
      if (!clientId || !canSeeClient(u, clientId)) throw notFound('client');
      const r = await ctx.tickets.create({
        clientId,
        instanceId: req.body.instanceId ?? null,
        subject: req.body.subject,
        body: req.body.body,
        actor: actorOf(u),
      });
      await audit(ctx.db, `user:${u.id}`, 'support.open', r.id, clientId);
      return reply.code(201).send(toRequest(r, req.body.body));
    },
  );

  app.get(
    '/support-requests',
    {
      schema: {
        tags: ['support'],
        querystring: z.object({ status: z.enum(['open', 'resolved']).optional() }),
        response: { 200: z.array(supportRequestSchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const rows = (
        await ctx.db.query<{ id: string }>(
          `SELECT id FROM tickets WHERE ($1::text[] IS NULL OR client_id = ANY($1::text[]))
             AND ($2::text IS NULL OR (CASE WHEN state IN ('resolved','closed') THEN 'resolved' ELSE 'open' END) = $2)
           ORDER BY created_at DESC LIMIT 500`,
          [clientFilter(u), req.query.status ?? null],
        )
      ).map((r) => r.id);
      const bodies = await firstBodies(rows);
      const out: SupportRequest[] = [];
      for (const id of rows) {
        const r = await ctx.tickets.row(id);
        if (r) out.push(toRequest(r, bodies.get(id) ?? ''));
      }
      return out;
    },
  );

  app.post(
    '/support-requests/:id/resolve',
    { schema: { tags: ['support'], params: idParams, response: { 200: supportRequestSchema, 404: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      const r = await ctx.tickets.row(req.params.id);
      if (!r || !canSeeClient(u, r.client_id)) throw notFound('support request');
      assertRole(u, 'admin', 'support');
      const t = r.state === 'resolved' ? r : await ctx.tickets.patch(r, { state: 'resolved' }, actorOf(u));
      await audit(ctx.db, `user:${u.id}`, 'support.resolve', r.id, r.client_id);
      return toRequest(t, (await firstBodies([r.id])).get(r.id) ?? '');
    },
  );
};
