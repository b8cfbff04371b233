import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertClient, assertRole, seesFleet } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { newId } from '../../util/ids.js';
import { errorSchema, idParams } from '../schemas.js';

export const partnerSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** How many clients the partner has. */
  clients: z.number(),
  createdAt: z.string(),
});

const PARTNER_SELECT = `SELECT p.id, p.name, p.created_at,
  (SELECT count(*)::int FROM clients c WHERE c.partner_id = p.id) AS clients FROM partners p`;

const toPartner = (r: Record<string, unknown>) => ({
  id: String(r.id),
  name: String(r.name),
  clients: Number(r.clients ?? 0),
  createdAt: new Date(r.created_at as string).toISOString(),
});

const nameBody = z.object({ name: z.string().trim().min(1).max(200) });

/**
 * Partners (resellers above clients): the admin creates, renames, deletes them and assigns
 * clients; operators list all, a partner's people see only their own partner (another partner
 * is a 404, security/tenancy.ts).
 */
export const partnerRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const load = async (id: string) => {
    const rows = await ctx.db.query<Record<string, unknown>>(`${PARTNER_SELECT} WHERE p.id = $1`, [id]);
    if (!rows[0]) throw notFound('partner');
    return rows[0];
  };

  app.post(
    '/partners',
    { schema: { tags: ['partners'], body: nameBody, response: { 201: partnerSchema, 403: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const id = newId('ptn');
      await ctx.db.query('INSERT INTO partners (id, name) VALUES ($1, $2)', [id, req.body.name]);
      await audit(ctx.db, `user:${u.id}`, 'partner.create', id, null, { name: req.body.name });
      return reply.code(201).send(toPartner(await load(id)));
    },
  );

  app.get('/partners', { schema: { tags: ['partners'], response: { 200: z.array(partnerSchema) } } }, async (req) => {
    const u = requireUser(req);
    const own = seesFleet(u) ? null : (u.partnerId ?? '\u0000');
    const rows = await ctx.db.query<Record<string, unknown>>(
      `${PARTNER_SELECT} WHERE ($1::text IS NULL OR p.id = $1) ORDER BY p.created_at`,
      [own],
    );
    return rows.map(toPartner);
  });

  app.get(
    '/partners/:id',
    { schema: { tags: ['partners'], params: idParams, response: { 200: partnerSchema, 404: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      if (!seesFleet(u) && u.partnerId !== req.params.id) throw notFound('partner');
      return toPartner(await load(req.params.id));
    },
  );

  app.patch(
    '/partners/:id',
    {
      schema: {
        tags: ['partners'],
        params: idParams,
        body: nameBody,
        response: { 200: partnerSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      await load(req.params.id);
      await ctx.db.query('UPDATE partners SET name = $2 WHERE id = $1', [req.params.id, req.body.name]);
      await audit(ctx.db, `user:${u.id}`, 'partner.update', req.params.id, null, { name: req.body.name });
      return toPartner(await load(req.params.id));
    },
  );

  app.delete(
    '/partners/:id',
    {
      schema: {
        tags: ['partners'],
        params: idParams,
        response: { 204: z.null(), 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const p = await load(req.params.id);
      // Clients are never orphaned by accident: they are moved (PUT /clients/:id/partner) first.
      if (Number(p.clients) > 0)
        throw new HttpError(409, HUB_ERR.CONFLICT, 'the partner still has clients: move them first');
      // Its people go with it (users.partner_id cascades); their sessions end with them.
      await ctx.db.query('DELETE FROM partners WHERE id = $1', [req.params.id]);
      await audit(ctx.db, `user:${u.id}`, 'partner.delete', req.params.id, null, { name: p.name });
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/clients/:id/partner',
    {
      schema: {
        tags: ['partners'],
        params: idParams,
        body: z.object({ partnerId: z.string().min(1).max(64).nullable() }),
        response: {
          200: z.object({ clientId: z.string(), partnerId: z.string().nullable() }),
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      assertRole(u, 'admin');
      const { partnerId } = req.body;
      if (partnerId) await load(partnerId);
      const rows = await ctx.db.query<{ partner_id: string | null }>(
        'UPDATE clients SET partner_id = $2 WHERE id = $1 RETURNING partner_id',
        [req.params.id, partnerId],
      );
      if (!rows[0]) throw notFound('client');
      await audit(ctx.db, `user:${u.id}`, 'client.partner', req.params.id, req.params.id, { partnerId });
      return { clientId: req.params.id, partnerId };
    },
  );
};
