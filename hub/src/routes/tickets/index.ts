import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient, clientFilter, seesFleet } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { toAttachment } from '../../tickets/rows.js';
import { TICKET_STATES } from '../../tickets/types.js';
import { errorSchema, idParams } from '../schemas.js';
import { actorOf, assertSupport, visibleTicket } from './access.js';
import { actionRoutes } from './actions.js';
import { attachmentRoutes } from './attachments.js';
import { inboundRoutes } from './inbound.js';
import { body, category, entrySchema, priority, ticketSchema, ticketWithThread } from './schemas.js';
import { settingsRoutes } from './settings.js';
import { triageRoutes } from './triage.js';

/**
 * Support tickets under /tickets: a client opens one and talks with the operators in its thread;
 * operators add internal notes (never shown to client users), change state, assignee, priority
 * and category. A client user sees only their client's tickets; another client's is a 404.
 */
export const ticketRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/tickets',
    {
      schema: {
        tags: ['tickets'],
        querystring: z.object({
          state: z.enum(TICKET_STATES).optional(),
          sla: z.enum(['ok', 'at_risk', 'breached']).optional(),
          clientId: z.string().min(1).max(64).optional(),
          /** An operator's id, `me` (the caller) or `none` (unassigned). */
          assigneeId: z.string().min(1).max(64).optional(),
          category: category.optional(),
          instanceId: z.string().min(1).max(64).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(200),
        }),
        response: { 200: z.array(ticketSchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const { limit, assigneeId, clientId, ...f } = req.query;
      // Client and partner users list only the tickets of clients they see.
      const clients = clientFilter(u, clientId);
      const assignee =
        assigneeId === 'none' ? { unassigned: true } : { assigneeId: assigneeId === 'me' ? u.id : assigneeId };
      return ctx.tickets.list({ ...f, ...assignee, clients }, seesFleet(u), limit);
    },
  );

  app.post(
    '/tickets',
    {
      schema: {
        tags: ['tickets'],
        body: z.object({
          instanceId: z.string().min(1).max(64).optional(),
          clientId: z.string().min(1).max(64).optional(),
          subject: z.string().trim().min(1).max(200),
          body,
          category: category.optional(),
          priority: priority.optional(),
        }),
        response: { 201: ticketWithThread, 400: errorSchema, 404: errorSchema },
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
        category: req.body.category,
        priority: req.body.priority,
        actor: actorOf(u),
      });
      await audit(ctx.db, `user:${u.id}`, 'ticket.open', r.id, clientId);
      const op = seesFleet(u);
      return reply
        .code(201)
        .send({ ...ctx.tickets.view(r, op), thread: await ctx.tickets.thread(r.id, op), attachments: [] });
    },
  );

  app.get(
    '/tickets/:id',
    { schema: { tags: ['tickets'], params: idParams, response: { 200: ticketWithThread, 404: errorSchema } } },
    async (req) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      const op = seesFleet(u);
      const atts = await ctx.db.query(
        'SELECT * FROM ticket_attachments WHERE ticket_id = $1 AND ($2::boolean OR NOT internal) ORDER BY created_at',
        [r.id, op],
      );
      return {
        ...ctx.tickets.view(r, op),
        thread: await ctx.tickets.thread(r.id, op),
        attachments: atts.map(toAttachment),
      };
    },
  );

  app.post(
    '/tickets/:id/replies',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: z.object({
          body,
          /** Operators: the state after the reply (waiting_on_client by default; resolved to close it out). */
          state: z.enum(['open', 'waiting_on_client', 'resolved']).optional(),
        }),
        response: { 201: z.object({ ticket: ticketSchema, entry: entrySchema }), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      const actor = actorOf(u);
      if (actor.author !== 'client') assertSupport(u);
      else if (r.state === 'closed')
        throw new HttpError(409, HUB_ERR.CONFLICT, 'this ticket is closed; open a new one to ask again');
      const { ticket, entry } = await ctx.tickets.reply(r, actor, req.body.body, {
        state: actor.author === 'client' ? undefined : req.body.state,
      });
      await audit(ctx.db, `user:${u.id}`, 'ticket.reply', r.id, r.client_id);
      return reply.code(201).send({ ticket: ctx.tickets.view(ticket, seesFleet(u)), entry });
    },
  );

  app.post(
    '/tickets/:id/notes',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: z.object({ body }),
        response: { 201: entrySchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      assertSupport(u);
      return reply.code(201).send(await ctx.tickets.note(r, actorOf(u), req.body.body));
    },
  );

  app.patch(
    '/tickets/:id',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: z
          .object({
            state: z.enum(TICKET_STATES).optional(),
            snoozedUntil: z.iso.datetime({ offset: true }).optional(),
            assigneeId: z.string().min(1).max(64).nullable().optional(),
            priority: priority.optional(),
            category: category.optional(),
          })
          .refine((b) => b.state !== 'snoozed' || b.snoozedUntil, {
            message: 'snoozing needs snoozedUntil (an ISO time)',
            path: ['snoozedUntil'],
          }),
        response: { 200: ticketSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      // A client may close out their own ticket (resolved); everything else is the operators'.
      const clientResolving =
        !seesFleet(u) && req.body.state === 'resolved' && Object.keys(req.body).every((k) => k === 'state');
      if (!clientResolving) assertSupport(u);
      if (req.body.assigneeId) {
        const a = await ctx.db.query(
          "SELECT id FROM users WHERE id = $1 AND role IN ('admin','support') AND NOT disabled",
          [req.body.assigneeId],
        );
        if (!a[0]) throw new HttpError(400, HUB_ERR.VALIDATION, 'assigneeId: not an operator (admin or support)');
      }
      const t = await ctx.tickets.patch(
        r,
        { ...req.body, snoozedUntil: req.body.snoozedUntil ? new Date(req.body.snoozedUntil) : undefined },
        actorOf(u),
      );
      await audit(ctx.db, `user:${u.id}`, 'ticket.update', r.id, r.client_id, req.body);
      return ctx.tickets.view(t, seesFleet(u));
    },
  );

  app.put(
    '/tickets/:id/draft',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: z.object({ text: z.string().max(20_000).nullable() }),
        response: { 200: ticketSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      assertSupport(u);
      return ctx.tickets.view(await ctx.tickets.saveDraft(r, actorOf(u), req.body.text || null), true);
    },
  );

  app.get(
    '/tickets/assignees',
    {
      schema: {
        tags: ['tickets'],
        response: {
          200: z.array(z.object({ id: z.string(), email: z.string(), role: z.string() })),
          403: errorSchema,
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertSupport(u);
      // The people a ticket may be assigned to, as PATCH checks them.
      return ctx.db.query<{ id: string; email: string; role: string }>(
        "SELECT id, email, role FROM users WHERE role IN ('admin','support') AND NOT disabled ORDER BY email",
      );
    },
  );

  await app.register(attachmentRoutes, { ctx });
  await app.register(actionRoutes, { ctx });
  await app.register(triageRoutes, { ctx });
  await app.register(settingsRoutes, { ctx });
  await app.register(inboundRoutes, { ctx });
};
