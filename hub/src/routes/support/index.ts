import type { SupportRequest } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient, seesFleet } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { newId } from '../../util/ids.js';
import { errorSchema, idParams } from '../schemas.js';

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

const toRequest = (r: Record<string, unknown>): SupportRequest => ({
  id: String(r.id),
  clientId: String(r.client_id),
  instanceId: (r.instance_id as string | null) ?? null,
  userId: (r.user_id as string | null) ?? null,
  subject: String(r.subject),
  body: String(r.body),
  status: r.status === 'resolved' ? 'resolved' : 'open',
  createdAt: new Date(r.created_at as string).toISOString(),
});

/**
 * Support requests ("Get help" on the client dashboard): a client's people open them about their
 * own instance; the operator lists and resolves them. Scoped like every other client resource.
 */
export const supportRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
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
      const rows = await ctx.db.query(
        `INSERT INTO support_requests (id, client_id, instance_id, user_id, subject, body)
         VALUES ($1,$2,$3,$4,$5,$6) RETURNING *`,
        [newId('sup'), clientId, req.body.instanceId ?? null, u.id, req.body.subject, req.body.body],
      );
      await audit(ctx.db, `user:${u.id}`, 'support.open', String(rows[0].id), clientId);
      return reply.code(201).send(toRequest(rows[0]));
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
      const status = req.query.status ?? null;
      const rows = seesFleet(u)
        ? await ctx.db.query(
            'SELECT * FROM support_requests WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC LIMIT 500',
            [status],
          )
        : await ctx.db.query(
            `SELECT * FROM support_requests WHERE client_id = $1 AND ($2::text IS NULL OR status = $2)
             ORDER BY created_at DESC LIMIT 500`,
            [u.clientId, status],
          );
      return rows.map(toRequest);
    },
  );

  app.post(
    '/support-requests/:id/resolve',
    { schema: { tags: ['support'], params: idParams, response: { 200: supportRequestSchema, 404: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin', 'support');
      const rows = await ctx.db.query("UPDATE support_requests SET status = 'resolved' WHERE id = $1 RETURNING *", [
        req.params.id,
      ]);
      if (!rows[0]) throw notFound('support request');
      await audit(ctx.db, `user:${u.id}`, 'support.resolve', req.params.id, String(rows[0].client_id));
      return toRequest(rows[0]);
    },
  );
};
