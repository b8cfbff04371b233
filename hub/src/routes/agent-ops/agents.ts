import { isCommandType } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACTION_MODES, AGENT_NAMES, isAgentName } from '../../agent-ops/agents.js';
import { isHubAction } from '../../agent-ops/hub-action-types.js';
import { mintAgentToken } from '../../agent-ops/identity.js';
import { callerAgent } from '../../agent-ops/service.js';
import { notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import { errorSchema } from '../schemas.js';

const nameParams = z.object({ name: z.string().min(1).max(40) });
const agentName = (name: string) => {
  if (!isAgentName(name)) throw notFound('agent');
  return name;
};
const mintedView = z.object({
  agent: z.string(),
  accountId: z.string(),
  tokenId: z.string(),
  token: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.string(),
});

/**
 * The ops agents as accounts: their state and policy (admin, support read; admin changes), token
 * minting (admin, shown once; earlier tokens revoked) and rotation by the agent itself.
 */
export const opsAgentRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const ops = ctx.agentOps;
  const admin = (req: Parameters<typeof requireUser>[0]) => {
    const u = requireUser(req);
    assertRole(u, 'admin');
    return u;
  };

  app.get(
    '/ops-agents',
    { schema: { tags: ['agent-ops'], description: `the agents: ${AGENT_NAMES.join(', ')}` } },
    async (req) => {
      assertRole(requireUser(req), 'admin', 'support', 'service');
      return ops.list();
    },
  );

  app.post(
    '/ops-agents/:name/token',
    {
      schema: {
        tags: ['agent-ops'],
        params: nameParams,
        response: { 201: mintedView, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = admin(req);
      const name = agentName(req.params.name);
      const t = await mintAgentToken(ctx.db, name, {
        actor: `user:${u.id}`,
        ttlHours: ctx.config.agentTokenTtlHours,
        reason: 'mint',
      });
      return reply.code(201).send(t);
    },
  );

  app.post(
    '/ops-agents/:name/token/rotate',
    {
      schema: {
        tags: ['agent-ops'],
        description: 'called by the agent with its current token: a new token, the current one revoked',
        params: nameParams,
        response: { 201: mintedView, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const name = agentName(req.params.name);
      if ((await callerAgent(ctx.db, u)) !== name) throw notFound('agent');
      const t = await mintAgentToken(ctx.db, name, {
        actor: `user:${u.id}`,
        ttlHours: ctx.config.agentTokenTtlHours,
        reason: 'rotate',
      });
      return reply.code(201).send(t);
    },
  );

  app.post('/ops-agents/:name/pause', { schema: { tags: ['agent-ops'], params: nameParams } }, async (req) => {
    const u = admin(req);
    return ops.setPaused(agentName(req.params.name), true, `user:${u.id}`);
  });
  app.post('/ops-agents/:name/resume', { schema: { tags: ['agent-ops'], params: nameParams } }, async (req) => {
    const u = admin(req);
    return ops.setPaused(agentName(req.params.name), false, `user:${u.id}`);
  });
  app.post('/ops-agents/:name/breaker/reset', { schema: { tags: ['agent-ops'], params: nameParams } }, async (req) => {
    const u = admin(req);
    return ops.resetBreaker(agentName(req.params.name), `user:${u.id}`);
  });

  app.put(
    '/ops-agents/:name/policy',
    {
      schema: {
        tags: ['agent-ops'],
        params: nameParams,
        body: z
          .object({
            dryRun: z.boolean().optional(),
            actions: z
              .record(
                z
                  .string()
                  .max(64)
                  .refine(
                    (t) => t === '*' || isCommandType(t) || isHubAction(t),
                    'a command type of the catalog, a hub action (instance.replace, instance.resize), or * for any other',
                  ),
                z.enum(ACTION_MODES as ['auto', 'approve', 'never']),
              )
              .optional(),
            maxInstancesPerHour: z.number().int().min(1).max(100_000).nullable().optional(),
            failureLimit: z.number().int().min(1).max(1000).nullable().optional(),
          })
          .strict(),
      },
    },
    async (req) => {
      const u = admin(req);
      return ops.updatePolicy(agentName(req.params.name), req.body, `user:${u.id}`);
    },
  );
};
