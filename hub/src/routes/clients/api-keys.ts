import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { insertApiToken } from '../../auth/api-tokens.js';
import { CLIENT_KEY_SCOPES, isClientKeyScope } from '../../auth/client-key-scopes.js';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertClient } from '../../auth/scope.js';
import { type AuthUser, userChanged } from '../../auth/sessions.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { errorSchema } from '../schemas.js';
import { assertOwnerOrAdmin } from './access.js';

const clientParams = z.object({ clientId: z.string().min(1).max(64) });
const keyParams = clientParams.extend({ keyId: z.string().min(1).max(64) });

const KEY_EXAMPLE = {
  id: 'tok-8k2m4q9x7d1c',
  name: 'CRM sync',
  scopes: ['read', 'command:ping'],
  prefix: 'dsa_Qm3xT0aZ',
  expiresAt: '2027-01-01T00:00:00.000Z',
  lastUsedAt: null,
  createdAt: '2026-12-01T09:30:00.000Z',
  revokedAt: null,
};

const keyView = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    /** The token's first characters, to tell keys apart. */
    prefix: z.string().nullable(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ examples: [KEY_EXAMPLE] });
/** The answer to a create: the key and, this once, its token. */
const createdKey = keyView
  .extend({ token: z.string() })
  .meta({ examples: [{ ...KEY_EXAMPLE, token: 'dsa_Qm3xT0aZ…(43 characters in all after dsa_)' }] });

const createBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z
      .array(
        z
          .string()
          .max(80)
          .refine(isClientKeyScope, { message: `a scope is one of ${CLIENT_KEY_SCOPES.join(', ')}` }),
      )
      .min(1)
      .max(50),
    /** When the key stops working; none: until revoked. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .meta({ examples: [{ name: 'CRM sync', scopes: ['read', 'command:ping'], expiresAt: '2027-01-01T00:00:00Z' }] });

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const toKey = (r: Record<string, unknown>) => ({
  id: String(r.id),
  name: String(r.name),
  scopes: r.scopes as string[],
  prefix: (r.prefix as string | null) ?? null,
  expiresAt: iso(r.expires_at),
  lastUsedAt: iso(r.last_used_at),
  createdAt: iso(r.created_at) as string,
  revokedAt: iso(r.revoked_at),
});

/** Keys are managed by people: a token (a client key or an operator's) cannot mint or see keys. */
function assertPerson(u: AuthUser) {
  if (u.tokenId) throw new HttpError(403, HUB_ERR.SCOPE, 'API keys are managed by a logged-in person, not a token');
}

/**
 * A client's API keys for its own integrations. The client's owner creates, lists and revokes
 * them; an admin lists and revokes any client's. A key is an API token bound to the client (and
 * to the owner who made it: disabling that person ends their keys too), with scopes no wider
 * than an owner's; another client's id or key is a 404.
 */
export const clientApiKeyRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const clientExists = async (id: string) => {
    if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [id]))[0]) throw notFound('client');
  };

  app.post(
    '/clients/:clientId/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: "Create an API key for the client's integrations (the token is shown once)",
        params: clientParams,
        body: createBody,
        response: {
          201: createdKey,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const { clientId } = req.params;
      assertClient(u, clientId, 'client');
      assertPerson(u);
      if (!(u.role === 'client_owner' && u.clientId === clientId))
        throw new HttpError(403, HUB_ERR.FORBIDDEN, "only the client's owner creates its API keys");
      await clientExists(clientId);
      const expiresAt = req.body.expiresAt ? new Date(req.body.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now())
        throw new HttpError(400, HUB_ERR.VALIDATION, 'expiresAt must be in the future');
      const { row, token } = await insertApiToken(ctx.db, {
        userId: u.id,
        clientId,
        name: req.body.name,
        scopes: req.body.scopes,
        createdBy: `user:${u.id}`,
        expiresAt,
      });
      await audit(ctx.db, `user:${u.id}`, 'api_key.create', String(row.id), null, {
        client: clientId,
        scopes: toKey(row).scopes,
      });
      return reply.code(201).send({ ...toKey(row), token });
    },
  );

  app.get(
    '/clients/:clientId/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: "List the client's API keys (revoked ones included, tokens never)",
        params: clientParams,
        response: { 200: z.object({ keys: z.array(keyView) }), 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const { clientId } = req.params;
      assertOwnerOrAdmin(u, clientId);
      assertPerson(u);
      await clientExists(clientId);
      const rows = await ctx.db.query<Record<string, unknown>>(
        'SELECT * FROM api_tokens WHERE client_id = $1 ORDER BY created_at DESC, id',
        [clientId],
      );
      return { keys: rows.map(toKey) };
    },
  );

  app.delete(
    '/clients/:clientId/api-keys/:keyId',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key at once (it answers 401 from then on)',
        params: keyParams,
        response: { 204: z.null(), 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const { clientId, keyId } = req.params;
      assertOwnerOrAdmin(u, clientId);
      assertPerson(u);
      const rows = await ctx.db.query<{ user_id: string }>(
        `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now())
         WHERE id = $1 AND client_id = $2 RETURNING user_id`,
        [keyId, clientId],
      );
      if (!rows[0]) throw notFound('API key');
      // Live sockets opened with the key are re-checked at once.
      userChanged(rows[0].user_id);
      await audit(ctx.db, `user:${u.id}`, 'api_key.revoke', keyId, null, { client: clientId });
      return reply.code(204).send(null);
    },
  );
};
