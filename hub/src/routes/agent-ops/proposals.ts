import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerAgent } from '../../agent-ops/service.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import { idParams } from '../schemas.js';

const STATUSES = ['pending', 'approved', 'rejected', 'refused', 'dry_run', 'executing', 'succeeded', 'failed'] as const;
const decision = z.object({ note: z.string().max(1000).optional() }).strict();

/**
 * Proposals: an agent posts a plan (`agent:report`); the policy auto-approves, queues it for an
 * admin, or refuses it with a HUB_ERR_POLICY_* code. Admins approve (and so execute), reject or
 * execute an approved one.
 */
export const agentProposalRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const proposals = ctx.agentOps.proposals;
  const admin = (req: Parameters<typeof requireUser>[0]) => {
    const u = requireUser(req);
    assertRole(u, 'admin');
    return u;
  };

  app.post(
    '/agent-proposals',
    {
      schema: {
        tags: ['agent-ops'],
        body: z
          .object({
            runId: z.string().max(64).optional(),
            findingId: z.string().max(64).optional(),
            title: z.string().min(1).max(200),
            commands: z
              .array(
                z
                  .object({
                    instanceId: z.string().min(1).max(64),
                    type: z.string().min(1).max(64),
                    params: z.record(z.string(), z.unknown()).default({}),
                  })
                  .strict(),
              )
              .min(1)
              .max(100),
            expectedEffect: z.string().min(1).max(2000),
            risk: z.enum(['low', 'medium', 'high']),
            reasoning: z.string().min(1).max(4000),
            idempotencyKey: z.string().min(1).max(128).optional(),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const agent = await callerAgent(ctx.db, u);
      const { view, created } = await proposals.create(agent, `user:${u.id}`, req.body);
      return reply.code(created ? 201 : 200).send(view);
    },
  );

  app.get(
    '/agent-proposals',
    {
      schema: {
        tags: ['agent-ops'],
        querystring: z.object({
          agent: z.string().max(40).optional(),
          status: z
            .string()
            .max(200)
            .optional()
            .describe(`comma-separated: ${STATUSES.join(', ')}`)
            .transform((s) => s?.split(',').filter(Boolean))
            .pipe(z.array(z.enum(STATUSES)).optional()),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (req) => {
      assertRole(requireUser(req), 'admin', 'support', 'service');
      return proposals.list(req.query);
    },
  );

  app.get('/agent-proposals/:id', { schema: { tags: ['agent-ops'], params: idParams } }, async (req) => {
    assertRole(requireUser(req), 'admin', 'support', 'service');
    return proposals.get(req.params.id);
  });

  app.post(
    '/agent-proposals/:id/approve',
    {
      schema: {
        tags: ['agent-ops'],
        params: idParams,
        body: decision.extend({ execute: z.boolean().optional() }).nullish(),
      },
    },
    async (req) => proposals.approve(req.params.id, admin(req), req.body ?? {}),
  );

  app.post(
    '/agent-proposals/:id/reject',
    { schema: { tags: ['agent-ops'], params: idParams, body: decision.nullish() } },
    async (req) => proposals.reject(req.params.id, admin(req), req.body?.note),
  );

  app.post('/agent-proposals/:id/execute', { schema: { tags: ['agent-ops'], params: idParams } }, async (req) => {
    const u = admin(req);
    return proposals.execute(req.params.id, `user:${u.id}`);
  });
};
