import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeOwner, clientFilter, managesClient, partnerOwner, seesFleet } from '../../auth/scope.js';
import { type AuthUser, deleteUserSessions } from '../../auth/sessions.js';
import { createUser } from '../../auth/users.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { newSecret } from '../../util/ids.js';
import { publicBase, sendPasswordLink } from '../auth/password-reset.js';
import { errorSchema, idParams } from '../schemas.js';

export const userViewSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  clientId: z.string().nullable(),
  partnerId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
});

export const toUserView = (r: Record<string, unknown>) => ({
  id: String(r.id),
  email: String(r.email),
  role: String(r.role),
  clientId: (r.client_id as string | null) ?? null,
  partnerId: (r.partner_id as string | null) ?? null,
  disabled: Boolean(r.disabled),
  createdAt: new Date(r.created_at as string).toISOString(),
});

const CLIENT_ROLES = ['client_owner', 'client_viewer'] as const;
const STAFF_ROLES = ['admin', 'support'] as const;
const PARTNER_ROLES = ['partner_admin', 'partner_viewer'] as const;
const USER_COLUMNS = 'id, email, role, client_id, partner_id, disabled, created_at';

/** The kind of role a user holds; a role change keeps to its kind. */
const roleKind = (role: string) =>
  (CLIENT_ROLES as readonly string[]).includes(role)
    ? 'client'
    : (PARTNER_ROLES as readonly string[]).includes(role)
      ? 'partner'
      : 'staff';

/**
 * A user the caller may manage: admins any; a partner's admin its partner's people and those of
 * its clients; client owners their own client's people.
 */
async function manageable(ctx: HubContext, u: AuthUser, id: string) {
  const rows = await ctx.db.query<Record<string, unknown>>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  const r = rows[0];
  if (!r) throw notFound('user');
  if (u.role === 'admin') return r;
  const clientId = (r.client_id as string | null) ?? null;
  const partnerId = (r.partner_id as string | null) ?? null;
  const owner = clientId ?? (partnerId ? partnerOwner(partnerId) : null);
  if (!canSeeOwner(u, owner)) throw notFound('user');
  const manages = clientId ? managesClient(u, clientId) : u.role === 'partner_admin';
  if (!manages || seesFleet(u)) throw forbidden();
  return r;
}

/**
 * Users: list within scope; admins create operator-side users (admin, support) and partner users
 * (partner_admin, partner_viewer with a partnerId) and manage everyone; a partner's admin invites
 * and manages its partner's people and its clients' people; a client owner manages its own
 * client's people (role between owner and viewer, disable, delete). Client users are created with
 * POST /clients/:id/users.
 */
export const userRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        querystring: z.object({ clientId: z.string().max(64).optional(), partnerId: z.string().max(64).optional() }),
        response: { 200: z.array(userViewSchema), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      if (u.role === 'client_viewer' || u.role === 'partner_viewer' || u.role === 'service') throw forbidden();
      const clients = clientFilter(u, req.query.clientId);
      // A partner's admin also sees its partner's own people (they belong to no client).
      const ownPartner = u.role === 'partner_admin' && !req.query.clientId ? (u.partnerId ?? null) : null;
      const partnerFilter = seesFleet(u) ? (req.query.partnerId ?? null) : null;
      const rows = await ctx.db.query<Record<string, unknown>>(
        `SELECT ${USER_COLUMNS} FROM users
         WHERE ($1::text[] IS NULL OR client_id = ANY($1::text[]) OR partner_id = $2)
           AND ($3::text IS NULL OR partner_id = $3 OR client_id IN (SELECT id FROM clients WHERE partner_id = $3))
         ORDER BY created_at`,
        [clients, ownPartner, partnerFilter],
      );
      return rows.map(toUserView);
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        body: z.object({
          email: z.email().max(254),
          password: z.string().min(10).max(1024).optional(),
          role: z.enum([...STAFF_ROLES, ...PARTNER_ROLES]),
          /** The partner of a partner user (partner_admin, partner_viewer). */
          partnerId: z.string().max(64).optional(),
        }),
        response: { 201: userViewSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const b = req.body;
      const partnerUser = roleKind(b.role) === 'partner';
      // Operator-side users are the admin's; a partner's admin invites its own partner's people.
      if (!(u.role === 'admin' || (u.role === 'partner_admin' && partnerUser))) throw forbidden();
      const partnerId = u.role === 'partner_admin' ? (b.partnerId ?? u.partnerId) : (b.partnerId ?? null);
      if (partnerUser !== (partnerId !== null && partnerId !== undefined))
        throw new HttpError(400, HUB_ERR.VALIDATION, 'partner roles, and only they, take a partnerId');
      if (partnerId) {
        if (u.role === 'partner_admin' && partnerId !== u.partnerId) throw notFound('partner');
        const p = await ctx.db.query('SELECT 1 FROM partners WHERE id = $1', [partnerId]);
        if (!p[0]) throw notFound('partner');
      }
      const created = await inviteUser(ctx, u, { ...b, clientId: null, partnerId }, publicBase(ctx, req));
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        params: idParams,
        body: z.object({
          disabled: z.boolean().optional(),
          role: z.enum([...STAFF_ROLES, ...CLIENT_ROLES, ...PARTNER_ROLES]).optional(),
        }),
        response: { 200: userViewSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const r = await manageable(ctx, u, req.params.id);
      const role = req.body.role;
      if (role && r.role === 'service')
        throw new HttpError(400, HUB_ERR.VALIDATION, 'service accounts keep their role');
      if (role && roleKind(role) !== roleKind(String(r.role)))
        throw new HttpError(
          400,
          HUB_ERR.VALIDATION,
          'client users take client roles, partner users partner roles, operator users operator roles',
        );
      if (r.id === u.id && (req.body.disabled || (role && role !== u.role)))
        throw new HttpError(400, HUB_ERR.VALIDATION, 'you cannot disable yourself or change your own role');
      const rows = await ctx.db.query<Record<string, unknown>>(
        `UPDATE users SET disabled = COALESCE($2, disabled), role = COALESCE($3, role) WHERE id = $1
         RETURNING ${USER_COLUMNS}`,
        [r.id, req.body.disabled ?? null, role ?? null],
      );
      if (req.body.disabled || role) await deleteUserSessions(ctx.db, String(r.id));
      await audit(ctx.db, `user:${u.id}`, 'user.update', String(r.id), (r.client_id as string | null) ?? null, {
        ...req.body,
      });
      return toUserView(rows[0]);
    },
  );

  app.delete(
    '/users/:id',
    { schema: { tags: ['users'], params: idParams, response: { 204: z.null(), 403: errorSchema, 404: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      const r = await manageable(ctx, u, req.params.id);
      if (r.id === u.id) throw new HttpError(400, HUB_ERR.VALIDATION, 'you cannot delete yourself');
      await ctx.db.query('DELETE FROM users WHERE id = $1', [r.id]);
      await audit(ctx.db, `user:${u.id}`, 'user.delete', String(r.id), (r.client_id as string | null) ?? null, {
        email: r.email,
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/users/:id/unlock',
    { schema: { tags: ['users'], params: idParams, response: { 204: z.null(), 404: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      const r = await manageable(ctx, u, req.params.id);
      await ctx.logins.clear(String(r.email));
      await audit(ctx.db, `user:${u.id}`, 'user.unlock', String(r.id), (r.client_id as string | null) ?? null);
      return reply.code(204).send(null);
    },
  );
};

/**
 * Creates a user with a password, or without one: then a one-time link (valid 72 h) is mailed so
 * they choose their own. Audited.
 */
export async function inviteUser(
  ctx: HubContext,
  actor: AuthUser,
  body: {
    email: string;
    password?: string;
    role: (typeof STAFF_ROLES)[number] | (typeof CLIENT_ROLES)[number] | (typeof PARTNER_ROLES)[number];
    clientId: string | null;
    partnerId?: string | null;
  },
  base: string,
) {
  const email = body.email.toLowerCase();
  const dup = await ctx.db.query('SELECT 1 FROM users WHERE email = $1', [email]);
  if (dup[0]) throw new HttpError(409, HUB_ERR.CONFLICT, 'a user with this email exists');
  const created = await createUser(ctx.db, {
    email,
    password: body.password ?? newSecret(24),
    role: body.role,
    clientId: body.clientId,
    partnerId: body.partnerId ?? null,
  });
  if (!body.password) await sendPasswordLink(ctx, created, base, 'invite', 72 * 3_600_000);
  await audit(ctx.db, `user:${actor.id}`, 'user.create', created.id, body.clientId, {
    role: created.role,
    invited: !body.password,
  });
  return { ...created, partnerId: body.partnerId ?? null, disabled: false, createdAt: new Date().toISOString() };
}
