import { COMMANDS } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerAgent } from '../../agent-ops/service.js';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient, clientFilter } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import type { Experiments } from '../../experiments/service.js';
import { idParams } from '../schemas.js';

const variant = z.object({ label: z.string().min(1).max(80), instructions: z.string().max(4000) }).strict();
const rule = z
  .object({
    alpha: z.number().gt(0).max(0.2),
    minPerVariant: z.number().int().min(10).max(100_000),
    maxPerVariant: z.number().int().min(10).max(1_000_000),
    maxDays: z.number().min(1).max(365),
  })
  .partial()
  .strict();
const reasoning = z.string().min(1).max(4000);

/**
 * A/B experiments of persona variants (src/experiments), tenant-scoped: a client's people see and
 * run their own instances' experiments, another client's is a 404. The learning agent asks the
 * hub to propose a persona change (analysis) or the winner of a decided experiment; the hub
 * builds the config.apply itself from the client's persona and submits it under the agent's policy.
 */
export const experimentRoutes: FastifyPluginAsyncZod<{ ctx: HubContext; experiments: Experiments }> = async (
  app,
  { ctx, experiments },
) => {
  const visibleInstance = (req: Parameters<typeof requireUser>[0], id: string) => {
    const s = ctx.fleet.get(id);
    if (!s || !canSeeClient(requireUser(req), s.clientId)) throw notFound('instance');
    return s;
  };
  const visible = async (req: Parameters<typeof requireUser>[0], id: string) => {
    const e = await experiments.get(id);
    if (!canSeeClient(requireUser(req), e.clientId)) throw notFound('experiment');
    return e;
  };

  app.post(
    '/experiments',
    {
      schema: {
        tags: ['experiments'],
        summary: 'Start an A/B experiment of two persona variants on an instance',
        body: z
          .object({
            instanceId: z.string().min(1).max(64),
            name: z.string().min(1).max(120),
            variantA: variant.optional().describe("default: the client's current instructions"),
            variantB: variant,
            rule: rule.optional(),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin', 'client_owner');
      const s = visibleInstance(req, req.body.instanceId);
      const e = await experiments.create({ ...req.body, clientId: s.clientId }, `user:${u.id}`);
      return reply.code(201).send(e);
    },
  );

  app.get(
    '/experiments',
    {
      schema: {
        tags: ['experiments'],
        querystring: z.object({
          instanceId: z.string().max(64).optional(),
          clientId: z.string().max(64).optional(),
          status: z.enum(['running', 'decided', 'stopped']).optional(),
        }),
      },
    },
    async (req) => {
      const u = requireUser(req);
      if (req.query.instanceId) visibleInstance(req, req.query.instanceId);
      return experiments.list({ ...req.query, clients: clientFilter(u, req.query.clientId) });
    },
  );

  app.get(
    '/experiments/:id',
    {
      schema: {
        tags: ['experiments'],
        summary: 'An experiment with its current per-variant results',
        params: idParams,
      },
    },
    async (req) => {
      const e = await visible(req, req.params.id);
      // Reading a running experiment brings its assignment and evaluation up to date.
      return e.status === 'running' ? experiments.step(e) : e;
    },
  );

  app.post(
    '/experiments/:id/stop',
    {
      schema: {
        tags: ['experiments'],
        params: idParams,
        body: z
          .object({ reason: z.string().max(500) })
          .partial()
          .nullish(),
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin', 'client_owner');
      await visible(req, req.params.id);
      return experiments.stop(req.params.id, `user:${u.id}`, req.body?.reason || 'stopped by hand');
    },
  );

  app.post(
    '/experiments/:id/winner-proposal',
    {
      schema: {
        tags: ['experiments'],
        summary: "The learning agent proposes applying a decided experiment's winner",
        params: idParams,
        body: z.object({ reasoning }).strict(),
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const agent = await callerAgent(ctx.db, u);
      const e = await experiments.get(req.params.id);
      if (e.status !== 'decided' || !e.winner)
        throw new HttpError(409, HUB_ERR.CONFLICT, `experiment ${e.id} has no winner (${e.status})`);
      const v = e.winner === 'B' ? e.variantB : e.variantA;
      const { view, created } = await ctx.agentOps.proposals.create(agent, `user:${u.id}`, {
        title: `Apply the A/B winner "${v.label}" (${e.name})`,
        commands: [
          {
            instanceId: e.instanceId,
            type: 'config.apply',
            params: await personaApply(experiments, e.clientId, v.instructions),
          },
        ],
        expectedEffect: e.stopReason ?? 'the winning persona',
        risk: 'medium',
        reasoning: req.body.reasoning,
        idempotencyKey: `experiment:${e.id}:winner`,
      });
      await experiments.linkProposal(e.id, view.id).catch(() => {});
      return reply.code(created ? 201 : 200).send(view);
    },
  );

  app.post(
    '/learning/persona-proposals',
    {
      schema: {
        tags: ['experiments'],
        summary: "The learning agent proposes new persona instructions for a client's instances",
        body: z
          .object({
            instanceId: z.string().min(1).max(64),
            addInstructions: z.string().min(1).max(3000).describe("appended to the client's current instructions"),
            title: z.string().min(1).max(200),
            reasoning,
            idempotencyKey: z.string().min(1).max(128).optional(),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const agent = await callerAgent(ctx.db, u);
      const s = visibleInstance(req, req.body.instanceId);
      const current = (await ctx.onboarding?.get(s.clientId))?.desired.personality?.instructions ?? '';
      const instructions = [current.trim(), req.body.addInstructions.trim()].filter(Boolean).join('\n\n');
      const { view, created } = await ctx.agentOps.proposals.create(agent, `user:${u.id}`, {
        title: req.body.title,
        commands: [
          {
            instanceId: s.id,
            type: 'config.apply',
            params: await personaApply(experiments, s.clientId, instructions),
          },
        ],
        expectedEffect: 'fewer handoffs, unanswered and repeated questions in the conversations the reasoning cites',
        risk: 'medium',
        reasoning: req.body.reasoning,
        idempotencyKey: req.body.idempotencyKey,
      });
      return reply.code(created ? 201 : 200).send(view);
    },
  );

  app.post(
    '/learning/proposals/:id/approve',
    {
      schema: {
        tags: ['experiments'],
        summary: "A client owner approves the learning agent's persona change (DS_LEARNING_APPROVER=owner)",
        params: idParams,
        body: z
          .object({ note: z.string().max(2000) })
          .partial()
          .nullish(),
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin', 'client_owner');
      if (u.role === 'client_owner' && ctx.config.learningApprover !== 'owner')
        throw new HttpError(
          403,
          HUB_ERR.FORBIDDEN,
          'an operator approves persona changes (DS_LEARNING_APPROVER=operator)',
        );
      const p = await ctx.agentOps.proposals.get(req.params.id).catch(() => null);
      const mine =
        p?.agent === 'learning' &&
        p.commands.every((c: { instanceId: string }) => canSeeClient(u, ctx.fleet.get(c.instanceId)?.clientId ?? '-'));
      if (!p || !mine) throw notFound('proposal');
      return ctx.agentOps.proposals.approve(p.id, { id: u.id }, { note: req.body?.note });
    },
  );
};

/** config.apply of a persona with these instructions: identity and files only, never a secret. */
async function personaApply(experiments: Experiments, clientId: string, instructions: string) {
  const files = await experiments.filesFor(clientId, { label: '', instructions });
  return COMMANDS['config.apply'].params.parse({ files }) as Record<string, unknown>;
}
