import { isCommandType } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { insertApiToken } from '../../auth/api-tokens.js';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole } from '../../auth/scope.js';
import { deleteUserSessions, userChanged } from '../../auth/sessions.js';
import { createUser } from '../../auth/users.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { newSecret } from '../../util/ids.js';
import { errorSchema, idParams } from '../schemas.js';

const scope = z
  .string()
  .max(80)
  .refine(
    (s) =>
      s === 'read' ||
      s === 'support:triage' ||
      s === 'billing:review' ||
      s === 'kb:propose' ||
      s === 'agent:report' ||
      s === 'onboarding:help' ||
      (s.startsWith('command:') && isCommandType(s.slice(8))),
    {
      message:
        'a scope is `read`, `support:triage`, `billing:review`, `kb:propose`, `onboarding:help`, `agent:report` or `command:<type>` with a known command type',
    },
  );

const tokenView = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const toToken = (r: Record<string, unknown>) => ({
  id: String(r.id),
  userId: String(r.user_id),
  name: String(r.name),
  scopes: r.scopes as string[],
  createdBy: String(r.created_by),
  createdAt: iso(r.created_at) as string,
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
  lastUsedAt: iso(r.last_used_at),
});
const accountView = z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.literal('service') });

/**
 * Service accounts for the ops agents and their API tokens (`dsa_…`, shown once, only a sha256
 * kept). Scopes: `read` (GET calls) and `command:<type>` (issue that type only); the account's
 * role (`service`) still bounds what a scope can reach. Created, listed and revoked by an admin.
 */
export const tokenRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.post(
    '/service-accounts',
    {
      schema: {
        tags: ['tokens'],
        body: z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -') }),
        response: { 201: accountView, 403: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const email = `${req.body.name}@service.deepsignal`;
      if ((await ctx.db.query('SELECT 1 FROM users WHERE email = $1', [email]))[0])
        throw new HttpError(409, HUB_ERR.CONFLICT, 'a service account with this name exists');
      // A random password nobody knows; service accounts cannot log in with one anyway.
      const a = await createUser(ctx.db, { email, password: newSecret(), role: 'service', clientId: null });
      await audit(ctx.db, `user:${u.id}`, 'service_account.create', a.id, null, { name: req.body.name });
      return reply.code(201).send({ id: a.id, name: req.body.name, email, role: 'service' as const });
    },
  );

  app.get(
    '/service-accounts',
    { schema: { tags: ['tokens'], response: { 200: z.array(accountView), 403: errorSchema } } },
    async (req) => {
      assertRole(requireUser(req), 'admin', 'support');
      const rows = await ctx.db.query<{ id: string; email: string }>(
        "SELECT id, email FROM users WHERE role = 'service' ORDER BY created_at",
      );
      return rows.map((r) => ({ id: r.id, name: r.email.split('@')[0], email: r.email, role: 'service' as const }));
    },
  );

  app.post(
    '/service-accounts/:id/tokens',
    {
      schema: {
        tags: ['tokens'],
        params: idParams,
        body: z.object({
          name: z.string().min(1).max(100),
          scopes: z.array(scope).min(1).max(50),
          expiresInDays: z.number().int().min(1).max(3650).optional(),
        }),
        response: { 201: tokenView.extend({ token: z.string() }), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const acct = await ctx.db.query("SELECT id FROM users WHERE id = $1 AND role = 'service'", [req.params.id]);
      if (!acct[0]) throw notFound('service account');
      const expires = req.body.expiresInDays ? new Date(Date.now() + req.body.expiresInDays * 86_400_000) : null;
      const { row, token } = await insertApiToken(ctx.db, {
        userId: req.params.id,
        name: req.body.name,
        scopes: req.body.scopes,
        createdBy: `user:${u.id}`,
        expiresAt: expires,
      });
      await audit(ctx.db, `user:${u.id}`, 'token.create', String(row.id), null, {
        account: req.params.id,
        scopes: req.body.scopes,
      });
      return reply.code(201).send({ ...toToken(row), token });
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        querystring: z.object({ userId: z.string().max(64).optional() }),
        response: { 200: z.array(tokenView), 403: errorSchema },
      },
    },
    async (req) => {
      assertRole(requireUser(req), 'admin', 'support');
      const rows = await ctx.db.query<Record<string, unknown>>(
        'SELECT * FROM api_tokens WHERE ($1::text IS NULL OR user_id = $1) ORDER BY created_at',
        [req.query.userId ?? null],
      );
      return rows.map(toToken);
    },
  );

  app.delete(
    '/tokens/:id',
    { schema: { tags: ['tokens'], params: idParams, response: { 204: z.null(), 403: errorSchema, 404: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const rows = await ctx.db.query<{ user_id: string }>(
        'UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING user_id',
        [req.params.id],
      );
      if (!rows[0]) throw notFound('token');
      userChanged(rows[0].user_id);
      await audit(ctx.db, `user:${u.id}`, 'token.revoke', req.params.id, null, { account: rows[0].user_id });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/service-accounts/:id',
    { schema: { tags: ['tokens'], params: idParams, response: { 204: z.null(), 403: errorSchema, 404: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const rows = await ctx.db.query(
        "UPDATE users SET disabled = true WHERE id = $1 AND role = 'service' RETURNING id",
        [req.params.id],
      );
      if (!rows[0]) throw notFound('service account');
      await ctx.db.query('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE user_id = $1', [
        req.params.id,
      ]);
      await deleteUserSessions(ctx.db, req.params.id);
      await audit(ctx.db, `user:${u.id}`, 'service_account.disable', req.params.id, null);
      return reply.code(204).send(null);
    },
  );
};
