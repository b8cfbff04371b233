import { COMMAND_STATES, mayIssue, validateParams } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient } from '../../auth/scope.js';
import { assertModelsInPlan } from '../../billing/model-allowlist.js';
import { withDrainDefault } from '../../changes/drain-default.js';
import type { HubContext } from '../../context.js';
import { withSidecarBundle } from '../../deploy/sidecar-update.js';
import { errorSchema, idParams } from '../schemas.js';

const commandSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  type: z.string(),
  params: z.record(z.string(), z.unknown()),
  status: z.enum(COMMAND_STATES),
  issuedBy: z.string(),
  idempotencyKey: z.string().nullable(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  deliveredAt: z.string().nullable(),
  updatedAt: z.string(),
  progress: z.unknown(),
  result: z.unknown(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  rolloutId: z.string().nullable(),
});

/** Signed command dispatch: issue, read, list, cancel. [SPEC 6] */
export const commandRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const visible = (req: Parameters<typeof requireUser>[0], instanceId: string) => {
    const u = requireUser(req);
    const s = ctx.fleet.get(instanceId);
    if (!s || !canSeeClient(u, s.clientId)) throw notFound('instance');
    return { u, s };
  };

  app.post(
    '/instances/:id/commands',
    {
      schema: {
        tags: ['commands'],
        params: idParams,
        body: z.object({
          type: z.string().min(1).max(64),
          params: z.record(z.string(), z.unknown()).default({}),
          expiresInSec: z
            .number()
            .int()
            .min(5)
            .max(7 * 86400)
            .optional(),
          idempotencyKey: z.string().min(1).max(128).optional(),
        }),
        response: {
          202: z.object({ id: z.string(), status: z.enum(COMMAND_STATES) }),
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { u, s } = visible(req, req.params.id);
      // [SPEC 6.2] unknown type or bad params: 400 before anything is stored.
      const check = validateParams(req.body.type, req.body.params);
      if (!check.ok) {
        const code = check.code === 'unknown_type' ? HUB_ERR.UNKNOWN_COMMAND : HUB_ERR.BAD_PARAMS;
        throw new HttpError(400, code, check.message);
      }
      // [SPEC 6.5] role check; client users only on their own client's instances (checked above).
      if (!mayIssue(u.role, req.body.type)) throw forbidden(`your role may not issue ${req.body.type}`);
      await assertModelsInPlan(ctx.db, s.clientId, req.body.type, check.params);
      const params =
        req.body.type === 'sidecar.update' ? await withSidecarBundle(ctx, s.id, check.params) : check.params;
      const { view } = await ctx.commands.create({
        instanceId: s.id,
        type: req.body.type,
        params: withDrainDefault(req.body.type, params, u.role, ctx.config.agentDrain),
        expiresInSec: req.body.expiresInSec,
        idempotencyKey: req.body.idempotencyKey,
        issuer: { userId: u.id, email: u.email },
      });
      return reply.code(202).send({ id: view.id, status: view.status });
    },
  );

  app.get(
    '/instances/:id/commands',
    {
      schema: {
        tags: ['commands'],
        params: idParams,
        querystring: z.object({
          status: z.enum(COMMAND_STATES).optional(),
          type: z.string().max(64).optional(),
          rolloutId: z.string().max(64).optional(),
          from: z.iso.datetime({ offset: true }).optional().describe('issued at or after (ISO time)'),
          to: z.iso.datetime({ offset: true }).optional().describe('issued before (ISO time)'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.array(commandSchema), 404: errorSchema },
      },
    },
    async (req) => {
      const { s } = visible(req, req.params.id);
      return ctx.commands.list(s.id, req.query);
    },
  );

  const ownCommand = async (req: Parameters<typeof requireUser>[0], id: string) => {
    const u = requireUser(req);
    const c = await ctx.commands.get(id);
    const s = c && ctx.fleet.get(c.instanceId);
    if (!c || !s || !canSeeClient(u, s.clientId)) throw notFound('command');
    return { u, c };
  };

  app.get(
    '/commands/:id',
    { schema: { tags: ['commands'], params: idParams, response: { 200: commandSchema, 404: errorSchema } } },
    async (req) => (await ownCommand(req, req.params.id)).c,
  );

  app.post(
    '/commands/:id/cancel',
    {
      schema: {
        tags: ['commands'],
        params: idParams,
        response: { 200: commandSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const { u, c } = await ownCommand(req, req.params.id);
      if (!mayIssue(u.role, c.type)) throw forbidden(`your role may not cancel ${c.type}`);
      const v = await ctx.commands.cancel(c.id, { userId: u.id, email: u.email });
      if (!v)
        throw new HttpError(
          409,
          HUB_ERR.NOT_CANCELABLE,
          `command is ${c.status}; only queued commands can be canceled`,
        );
      return v;
    },
  );
};
