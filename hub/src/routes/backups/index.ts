import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient, seesFleet } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';
import { StorageError } from '../../backups/storage.js';
import type { HubContext } from '../../context.js';
import { errorSchema, idParams } from '../schemas.js';

const backupSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  status: z.string().describe('pending | ready | failed'),
  size: z.number().nullable(),
  sha256: z.string().nullable(),
  files: z.number().nullable(),
  scheduled: z.boolean(),
  commandId: z.string().nullable(),
  error: z.string().nullable(),
  storage: z
    .object({ region: z.string().nullable(), location: z.string() })
    .describe('where the archive is: its DS_BACKUP_STORAGE_REGIONS key (null: the default store) and address'),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

/**
 * Backups of an instance's OpenClaw state (config, workspace, agent databases; no caches):
 * create, list, download, restore onto the same or another instance. Operators only; a daily
 * backup per online instance runs on its own (kept 14 days, the newest always).
 */
export const backupRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const b = ctx.ops.backups;
  const operatorOn = (u: AuthUser, instanceId: string) => {
    const s = ctx.fleet.get(instanceId);
    if (!s || !canSeeClient(u, s.clientId) || !seesFleet(u)) throw notFound('instance');
    return s;
  };
  const admin = (u: AuthUser) => {
    if (u.role !== 'admin') throw forbidden('only an admin creates and restores backups');
  };
  /** Storage trouble is the operator's to fix: a readable 503 (or 409 for a missing archive), not a 500. */
  const fromStorage = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof StorageError)) throw e;
      throw e.missing
        ? new HttpError(409, HUB_ERR.CONFLICT, e.message)
        : new HttpError(503, HUB_ERR.UNAVAILABLE, `backup storage: ${e.message}`);
    }
  };
  const backup = async (u: AuthUser, id: string) => {
    const v = await b.get(id);
    if (!v) throw notFound('backup');
    operatorOn(u, v.instanceId);
    return v;
  };

  app.post(
    '/instances/:id/backups',
    {
      schema: {
        tags: ['backups'],
        summary: 'Back up the instance now (signed backup.create; the archive streams to the hub)',
        params: idParams,
        response: { 202: backupSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const s = operatorOn(u, req.params.id);
      admin(u);
      return reply.code(202).send(await b.create(s.id, { userId: u.id, email: u.email }));
    },
  );

  app.get(
    '/instances/:id/backups',
    {
      schema: {
        tags: ['backups'],
        summary: 'Backups of an instance, newest first',
        params: idParams,
        response: { 200: z.array(backupSchema), 404: errorSchema },
      },
    },
    async (req) => b.list(operatorOn(requireUser(req), req.params.id).id),
  );

  app.get(
    '/backups/:id',
    { schema: { tags: ['backups'], params: idParams, response: { 200: backupSchema, 404: errorSchema } } },
    async (req) => backup(requireUser(req), req.params.id),
  );

  app.get(
    '/backups/:id/download',
    {
      schema: {
        tags: ['backups'],
        summary: 'The archive (tar.gz); its sha256 is in the backup',
        params: idParams,
        response: { 404: errorSchema, 503: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const v = await backup(u, req.params.id);
      admin(u);
      const file = await fromStorage(() => b.download(v.id));
      if (!file) throw notFound('backup archive');
      return reply
        .type('application/gzip')
        .header('content-length', file.size)
        .header('content-disposition', `attachment; filename="${v.instanceId}-${v.id}.tar.gz"`)
        .send(file.stream as never);
    },
  );

  app.post(
    '/backups/:id/restore',
    {
      schema: {
        tags: ['backups'],
        summary: 'Restore a backup onto an instance (the same one, or another: failover, moving a client)',
        params: idParams,
        body: z.object({
          instanceId: z.string().min(1).max(64).optional().describe('default: the backed-up instance'),
        }),
        response: {
          202: z.object({ commandId: z.string(), transferId: z.string() }),
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const v = await backup(u, req.params.id);
      admin(u);
      const target = operatorOn(u, req.body.instanceId ?? v.instanceId);
      if (v.status !== 'ready') throw new HttpError(409, HUB_ERR.CONFLICT, `backup is ${v.status}`);
      return reply
        .code(202)
        .send(await fromStorage(() => b.restore(v.id, target.id, { userId: u.id, email: u.email })));
    },
  );
};
