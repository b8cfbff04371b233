import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertClient, assertRole } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { errorSchema, idParams } from '../schemas.js';
import { assertOwnerOrAdmin } from '../clients/access.js';
import { applyRetention, deleteClientData, exportClient } from './export.js';

/** GDPR-style data handling: export of all a client's data, deletion on request, retention. */
export const dataRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const clientExists = async (id: string) => {
    if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [id]))[0]) throw notFound('client');
  };

  app.get(
    '/clients/:id/export',
    {
      schema: {
        tags: ['data'],
        params: idParams,
        response: { 200: z.record(z.string(), z.unknown()), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      await clientExists(req.params.id);
      const data = await exportClient(ctx, req.params.id);
      await audit(ctx.db, `user:${u.id}`, 'data.export', req.params.id, req.params.id);
      reply.header('content-disposition', `attachment; filename="deepsignal-${req.params.id}.json"`);
      return data;
    },
  );

  app.delete(
    '/clients/:id/data',
    {
      schema: {
        tags: ['data'],
        params: idParams,
        body: z.object({ scope: z.enum(['telemetry', 'all']), confirm: z.string().max(64) }),
        response: {
          200: z.object({ deleted: z.record(z.string(), z.number()) }),
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      assertRole(u, 'admin');
      await clientExists(req.params.id);
      if (req.body.confirm !== req.params.id)
        throw new HttpError(400, HUB_ERR.VALIDATION, 'confirm must repeat the client id');
      const deleted = await deleteClientData(ctx, req.params.id, req.body.scope);
      await audit(ctx.db, `user:${u.id}`, 'data.delete', req.params.id, req.params.id, { scope: req.body.scope, deleted });
      return { deleted };
    },
  );

  // Per-client retention, hourly (the hub-wide raw retention runs elsewhere).
  const timer = setInterval(
    () => void applyRetention(ctx).catch((e) => ctx.log.warn({ err: e }, 'client retention failed')),
    3_600_000,
  );
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
};
