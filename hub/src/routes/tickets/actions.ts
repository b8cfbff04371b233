import { mayIssue, validateParams } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR } from '../../auth/errors.js';
import type { HubContext } from '../../context.js';
import { gatherContext } from '../../tickets/context.js';
import { errorSchema, idParams } from '../schemas.js';
import { actorOf, assertSupport, visibleTicket } from './access.js';
import { entrySchema } from './schemas.js';

/** Quick actions on the ticket's instance, each one a signed command through the command service. */
const ACTIONS = {
  restart: { type: 'openclaw.restart', label: 'restart OpenClaw' },
  pause: { type: 'agent.pause', label: 'pause the agent' },
  resume: { type: 'agent.resume', label: 'resume the agent' },
  change_model: { type: 'model.set', label: 'change the model' },
} as const;

export const actionRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/tickets/:id/context',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        response: { 200: z.record(z.string(), z.unknown()), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      if (u.role !== 'service') assertSupport(u);
      return gatherContext(ctx, r, u.role === 'admin');
    },
  );

  app.post(
    '/tickets/:id/actions',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: z.object({
          action: z.enum(['restart', 'pause', 'resume', 'change_model']),
          model: z.string().min(3).max(200).optional(),
        }),
        response: {
          202: z.object({ commandId: z.string(), status: z.string(), entry: entrySchema }),
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { u, r } = await visibleTicket(ctx, req, req.params.id);
      assertSupport(u);
      const inst = r.instance_id ? ctx.fleet.get(r.instance_id) : undefined;
      if (!inst) throw new HttpError(409, HUB_ERR.CONFLICT, 'this ticket names no instance to act on');
      const a = ACTIONS[req.body.action];
      const params = req.body.action === 'change_model' ? { model: req.body.model } : {};
      const check = validateParams(a.type, params);
      if (!check.ok) throw new HttpError(400, HUB_ERR.BAD_PARAMS, check.message);
      if (!mayIssue(u.role, a.type)) throw forbidden(`your role may not issue ${a.type}`);
      const { view } = await ctx.commands.create({
        instanceId: inst.id,
        type: a.type,
        params: check.params,
        issuer: { userId: u.id, email: u.email },
      });
      const entry = await ctx.tickets.system(
        r,
        `${u.email} asked to ${a.label}${req.body.model ? ` (${req.body.model})` : ''} on ${inst.hostname}: command ${view.id}`,
        { action: req.body.action, commandId: view.id, type: a.type },
        actorOf(u),
      );
      return reply.code(202).send({ commandId: view.id, status: view.status, entry });
    },
  );
};
