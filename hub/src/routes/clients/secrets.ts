import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertClient } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { SECRET_NAME } from '../../secrets/store.js';
import { errorSchema } from '../schemas.js';
import { assertOwnerOrAdmin } from './access.js';

const nameParams = z.object({ id: z.string().min(1).max(64), name: z.string().regex(SECRET_NAME) });
const infoSchema = z.object({ name: z.string(), updatedAt: z.string() });

/**
 * A client's secrets (model-provider keys, channel tokens): written by its owner or the admin,
 * listed by name only; the value never comes back out of the API. Plus the client's keys:
 * data-key rotation and an optional client-supplied key-encryption key.
 */
export const clientSecretRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const clientExists = async (id: string) => {
    if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [id]))[0]) throw notFound('client');
  };

  app.get(
    '/clients/:id/secrets',
    {
      schema: {
        tags: ['secrets'],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: z.array(infoSchema), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      if (u.role === 'client_viewer' || u.role === 'partner_viewer')
        throw new HttpError(403, HUB_ERR.FORBIDDEN, 'not allowed for your role');
      return ctx.secrets.list(req.params.id);
    },
  );

  app.put(
    '/clients/:id/secrets/:name',
    {
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['secrets'],
        params: nameParams,
        body: z.object({ value: z.string().min(1).max(8192) }),
        response: { 200: infoSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      await clientExists(req.params.id);
      await ctx.secrets.put(req.params.id, req.params.name, req.body.value, `user:${u.id}`);
      await audit(ctx.db, `user:${u.id}`, 'secret.put', req.params.name, req.params.id);
      return { name: req.params.name, updatedAt: new Date().toISOString() };
    },
  );

  app.delete(
    '/clients/:id/secrets/:name',
    {
      schema: {
        tags: ['secrets'],
        params: nameParams,
        response: { 204: z.null(), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      if (!(await ctx.secrets.delete(req.params.id, req.params.name))) throw notFound('secret');
      await audit(ctx.db, `user:${u.id}`, 'secret.delete', req.params.name, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/clients/:id/keys/rotate',
    {
      schema: {
        tags: ['secrets'],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: z.object({ resealed: z.number() }), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      await clientExists(req.params.id);
      const resealed = await ctx.secrets.rotateClientKey(req.params.id);
      await audit(ctx.db, `user:${u.id}`, 'key.rotate', req.params.id, req.params.id, { resealed });
      return { resealed };
    },
  );

  app.put(
    '/clients/:id/kek',
    {
      schema: {
        tags: ['secrets'],
        params: z.object({ id: z.string().min(1).max(64) }),
        body: z.object({ key: z.string().regex(/^[A-Za-z0-9+/_-]{43}=?$/, '32 bytes, base64') }),
        response: { 204: z.null(), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      await clientExists(req.params.id);
      await ctx.secrets.setClientKek(req.params.id, Buffer.from(req.body.key, 'base64'));
      await audit(ctx.db, `user:${u.id}`, 'key.client_kek_set', req.params.id, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/clients/:id/kek',
    {
      schema: {
        tags: ['secrets'],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 204: z.null(), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      await clientExists(req.params.id);
      // Crypto-shredding: the data key and every secret sealed with it are destroyed.
      await ctx.secrets.setClientKek(req.params.id, null);
      await audit(ctx.db, `user:${u.id}`, 'key.client_kek_removed', req.params.id, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
