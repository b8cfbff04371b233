import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertClient, assertManagesClient, clientFilter } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { locationOfRow } from '../../deploy/region.js';
import { newId } from '../../util/ids.js';
import { publicBase } from '../auth/password-reset.js';
import { clientSchema, errorSchema, idParams, userSchema } from '../schemas.js';
import { inviteUser } from '../users/index.js';
import { clientApiKeyRoutes } from './api-keys.js';
import { clientLocationRoutes } from './location.js';
import { clientSecretRoutes } from './secrets.js';
import { clientSettingsRoutes } from './settings.js';

const toClient = (r: Record<string, unknown>) => ({
  id: String(r.id),
  name: String(r.name),
  industry: String(r.industry),
  plan: String(r.plan),
  status: String(r.status),
  location: locationOfRow(r),
  partnerId: (r.partner_id as string | null) ?? null,
  createdAt: new Date(r.created_at as string).toISOString(),
});

/**
 * Clients and their users. Admins create any client (under a partner with `partnerId`), a
 * partner's admin creates clients under its own partner; everyone lists only what they see.
 */
export const clientRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.post(
    '/clients',
    {
      schema: {
        tags: ['clients'],
        body: z.object({
          name: z.string().min(1).max(200),
          industry: z.string().max(200).default(''),
          plan: z.enum(['starter', 'growth', 'enterprise']).default('starter'),
          partnerId: z.string().max(64).nullable().optional(),
        }),
        response: { 201: clientSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const partnerId = partnerOfNewClient(u, req.body.partnerId ?? null);
      if (partnerId) {
        const p = await ctx.db.query('SELECT 1 FROM partners WHERE id = $1', [partnerId]);
        if (!p[0]) throw notFound('partner');
      }
      const rows = await ctx.db.query(
        'INSERT INTO clients (id, name, industry, plan, partner_id) VALUES ($1,$2,$3,$4,$5) RETURNING *',
        [newId('cli'), req.body.name, req.body.industry, req.body.plan, partnerId],
      );
      await audit(ctx.db, `user:${u.id}`, 'client.create', String(rows[0].id), String(rows[0].id));
      return reply.code(201).send(toClient(rows[0]));
    },
  );

  app.get('/clients', { schema: { tags: ['clients'], response: { 200: z.array(clientSchema) } } }, async (req) => {
    const ids = clientFilter(requireUser(req));
    const rows = await ctx.db.query(
      'SELECT * FROM clients WHERE ($1::text[] IS NULL OR id = ANY($1::text[])) ORDER BY created_at',
      [ids],
    );
    return rows.map(toClient);
  });

  app.get(
    '/clients/:id',
    { schema: { tags: ['clients'], params: idParams, response: { 200: clientSchema, 404: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      const rows = await ctx.db.query('SELECT * FROM clients WHERE id = $1', [req.params.id]);
      if (!rows[0]) throw notFound('client');
      return toClient(rows[0]);
    },
  );

  app.post(
    '/clients/:id/users',
    {
      schema: {
        tags: ['clients'],
        params: idParams,
        body: z.object({
          email: z.email().max(254),
          // Without a password the user gets a one-time link to choose one (an invitation).
          password: z.string().min(8).max(1024).optional(),
          role: z.enum(['client_owner', 'client_viewer']),
        }),
        response: { 201: userSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      if (u.role !== 'admin' && u.role !== 'partner_admin') throw forbidden();
      assertManagesClient(u, req.params.id);
      const c = await ctx.db.query('SELECT id FROM clients WHERE id = $1', [req.params.id]);
      if (!c[0]) throw notFound('client');
      const created = await inviteUser(ctx, u, { ...req.body, clientId: req.params.id }, publicBase(ctx, req));
      return reply
        .code(201)
        .send({ id: created.id, email: created.email, role: created.role, clientId: created.clientId });
    },
  );

  await app.register(clientSettingsRoutes, { ctx });
  await app.register(clientSecretRoutes, { ctx });
  await app.register(clientApiKeyRoutes, { ctx });
  await app.register(clientLocationRoutes, { ctx });
};

/** The partner a new client goes under: an admin's choice, a partner admin's own partner, nobody else creates. */
function partnerOfNewClient(u: AuthUser, requested: string | null): string | null {
  if (u.role === 'admin') return requested;
  if (u.role === 'partner_admin' && u.partnerId && (requested === null || requested === u.partnerId))
    return u.partnerId;
  if (u.role === 'partner_admin' && requested) throw notFound('partner');
  throw forbidden();
}
