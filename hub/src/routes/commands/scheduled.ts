import { mayIssue, validateParams } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient, clientFilter } from '../../auth/scope.js';
import { assertModelsInPlan } from '../../billing/model-allowlist.js';
import { withDrainDefault } from '../../changes/drain-default.js';
import { type ScheduledChanges, ScheduleRefused } from '../../changes/scheduled.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { withSidecarBundle } from '../../deploy/sidecar-update.js';
import { errorSchema, idParams } from '../schemas.js';

const STATUSES = ['scheduled', 'dispatching', 'dispatched', 'failed', 'canceled', 'missed'] as const;

const scheduledSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  hostname: z.string().nullable(),
  clientId: z.string(),
  type: z.string(),
  params: z.record(z.string(), z.unknown()),
  status: z.enum(STATUSES),
  runAfter: z.string(),
  nextRunAt: z.string().nullable(),
  windowId: z.string().nullable(),
  commandId: z.string().nullable(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/**
 * Changes that wait for the client's maintenance window: schedule one on an instance, list what
 * is scheduled (the fleet for operators, their own for a client), cancel one that still waits.
 */
export const scheduledChangeRoutes: FastifyPluginAsyncZod<{ ctx: HubContext; scheduled: ScheduledChanges }> = async (
  app,
  { ctx, scheduled },
) => {
  app.post(
    '/instances/:id/scheduled-changes',
    {
      schema: {
        tags: ['commands'],
        params: idParams,
        body: z.object({
          type: z.string().min(1).max(64),
          params: z.record(z.string(), z.unknown()).default({}),
        }),
        response: {
          201: scheduledSchema,
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const s = ctx.fleet.get(req.params.id);
      if (!s || !canSeeClient(u, s.clientId)) throw notFound('instance');
      const check = validateParams(req.body.type, req.body.params);
      if (!check.ok)
        throw new HttpError(
          400,
          check.code === 'unknown_type' ? HUB_ERR.UNKNOWN_COMMAND : HUB_ERR.BAD_PARAMS,
          check.message,
        );
      if (!mayIssue(u.role, req.body.type)) throw forbidden(`your role may not issue ${req.body.type}`);
      await assertModelsInPlan(ctx.db, s.clientId, req.body.type, check.params);
      const params =
        req.body.type === 'sidecar.update' ? await withSidecarBundle(ctx, s.id, check.params) : check.params;
      try {
        const v = await scheduled.schedule({
          instanceId: s.id,
          type: req.body.type,
          params: withDrainDefault(req.body.type, params, u.role, ctx.config.agentDrain),
          issuer: { userId: u.id, email: u.email },
        });
        await audit(ctx.db, `user:${u.id}`, 'change.schedule', v.id, s.clientId, {
          instanceId: s.id,
          type: v.type,
          runAfter: v.runAfter,
        });
        return reply.code(201).send(v);
      } catch (e) {
        if (e instanceof ScheduleRefused) throw new HttpError(e.status, e.code, e.message);
        throw e;
      }
    },
  );

  app.get(
    '/scheduled-changes',
    {
      schema: {
        tags: ['commands'],
        querystring: z.object({
          clientId: z.string().max(64).optional(),
          instanceId: z.string().max(64).optional(),
          status: z.enum(STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(200),
        }),
        response: { 200: z.array(scheduledSchema), 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const q = req.query;
      if (q.instanceId) {
        const s = ctx.fleet.get(q.instanceId);
        if (!s || !canSeeClient(u, s.clientId)) throw notFound('instance');
      }
      return scheduled.list({
        clients: clientFilter(u, q.clientId),
        instanceId: q.instanceId,
        status: q.status,
        limit: q.limit,
      });
    },
  );

  app.post(
    '/scheduled-changes/:id/cancel',
    {
      schema: {
        tags: ['commands'],
        params: idParams,
        response: { 200: scheduledSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const cur = await scheduled.get(req.params.id);
      if (!cur || !canSeeClient(u, cur.clientId)) throw notFound('scheduled change');
      if (!mayIssue(u.role, cur.type)) throw forbidden(`your role may not cancel ${cur.type}`);
      const v = await scheduled.cancel(cur.id);
      if (!v)
        throw new HttpError(
          409,
          HUB_ERR.NOT_CANCELABLE,
          `the change is ${cur.status}; only waiting changes can be canceled`,
        );
      await audit(ctx.db, `user:${u.id}`, 'change.schedule_cancel', v.id, v.clientId, { instanceId: v.instanceId });
      return v;
    },
  );
};
