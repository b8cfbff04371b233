import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerAgent } from '../../agent-ops/service.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import { idParams } from '../schemas.js';

const limit = z.coerce.number().int().min(1).max(500).default(100);

/** Findings and runs: posted by an agent's token (`agent:report`), read by operators and agents. */
export const agentReportRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const ops = ctx.agentOps;
  const staff = (req: Parameters<typeof requireUser>[0]) => assertRole(requireUser(req), 'admin', 'support', 'service');
  const agentOf = async (req: Parameters<typeof requireUser>[0]) => {
    const u = requireUser(req);
    return { u, agent: await callerAgent(ctx.db, u) };
  };

  app.post(
    '/agent-findings',
    {
      schema: {
        tags: ['agent-ops'],
        body: z
          .object({
            runId: z.string().max(64).optional(),
            instanceId: z.string().max(64).optional(),
            kind: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/),
            severity: z.enum(['info', 'warning', 'critical']),
            what: z.string().min(1).max(2000),
            evidence: z
              .record(z.string(), z.unknown())
              .default({})
              .refine((e) => JSON.stringify(e).length <= 32_768, 'evidence is at most 32 KiB of JSON'),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const { u, agent } = await agentOf(req);
      return reply.code(201).send(await ops.addFinding(agent, `user:${u.id}`, req.body));
    },
  );

  app.get(
    '/agent-findings',
    {
      schema: {
        tags: ['agent-ops'],
        querystring: z.object({
          agent: z.string().max(40).optional(),
          instanceId: z.string().max(64).optional(),
          limit,
        }),
      },
    },
    async (req) => {
      staff(req);
      return ops.findings(req.query);
    },
  );

  app.post('/agent-runs', { schema: { tags: ['agent-ops'] } }, async (req, reply) => {
    const { agent } = await agentOf(req);
    return reply.code(201).send(await ops.startRun(agent));
  });

  app.post(
    '/agent-runs/:id/finish',
    {
      schema: {
        tags: ['agent-ops'],
        params: idParams,
        body: z
          .object({
            costUsd: z.number().min(0).max(1e6).default(0),
            tokensIn: z.number().int().min(0).max(1e12).default(0),
            tokensOut: z.number().int().min(0).max(1e12).default(0),
            error: z.string().max(2000).optional(),
          })
          .strict(),
      },
    },
    async (req) => {
      const { agent } = await agentOf(req);
      return ops.finishRun(agent, req.params.id, req.body);
    },
  );

  app.get(
    '/agent-runs',
    { schema: { tags: ['agent-ops'], querystring: z.object({ agent: z.string().max(40).optional(), limit }) } },
    async (req) => {
      staff(req);
      return ops.runs(req.query);
    },
  );
};
