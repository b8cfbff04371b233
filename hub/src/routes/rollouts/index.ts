import { getCommand, mayIssue, validateParams } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient, clientFilter, seesFleet } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';
import type { HubContext } from '../../context.js';
import { withSidecarBundle } from '../../deploy/sidecar-update.js';
import { ANNOUNCEMENT_TYPE, RolloutStateError } from '../../rollouts/service.js';
import { UnknownTargetError } from '../../rollouts/targets.js';
import { errorSchema, idParams } from '../schemas.js';

/** Command types that name one instance's channel or carry secrets: never sent fleet-wide. */
const NOT_FOR_ROLLOUTS = new Set([
  'console.open',
  'console.close',
  'backup.create',
  'backup.restore',
  'credentials.rotate',
]);

const announcementParams = z
  .object({
    title: z.string().min(1).max(200),
    body: z.string().min(1).max(5000),
    level: z.enum(['info', 'warning', 'critical']).default('info'),
  })
  .strict();

const targetSchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(10_000) }).strict(),
  z
    .object({
      selector: z
        .object({
          plan: z.string().min(1).max(64).optional(),
          label: z.string().min(1).max(200).optional().describe('`key=value`, or `key` for any value'),
          openclawVersion: z.string().min(1).max(64).optional(),
        })
        .strict()
        .refine((s) => Object.keys(s).length > 0, 'name at least one of plan, label, openclawVersion'),
    })
    .strict(),
]);

const rolloutBody = z
  .object({
    type: z.string().min(1).max(64).describe(`a command type of the catalog, or "${ANNOUNCEMENT_TYPE}"`),
    params: z.record(z.string(), z.unknown()).default({}),
    target: targetSchema,
    waveSize: z.number().int().min(1).max(100_000).optional(),
    wavePercent: z.number().min(0.01).max(100).optional(),
    pauseBetweenSec: z.number().int().min(0).max(86_400).default(0),
    maxFailureRate: z.number().min(0).max(1).default(0.2).describe('fraction 0-1 of finished commands'),
    minExecuted: z.number().int().min(0).max(100_000).default(1),
    expiresInSec: z
      .number()
      .int()
      .min(5)
      .max(7 * 86400)
      .optional()
      .describe('expiry of each command, from its wave start'),
  })
  .refine((b) => (b.waveSize === undefined) !== (b.wavePercent === undefined), 'give waveSize or wavePercent');

const itemSchema = z.object({
  instanceId: z.string(),
  commandId: z.string().nullable(),
  status: z.string(),
  reason: z.string().nullable(),
});
const rolloutSummary = z.object({
  id: z.string(),
  type: z.string(),
  params: z.record(z.string(), z.unknown()),
  target: z.unknown(),
  status: z.string().describe('running | paused | aborted | completed'),
  reason: z.string().nullable(),
  waveSize: z.number(),
  pauseBetweenSec: z.number(),
  maxFailureRate: z.number(),
  minExecuted: z.number(),
  currentWave: z.number(),
  nextWaveAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  counts: z.record(z.string(), z.number()).describe('items per state: pending, skipped, queued, …, succeeded'),
  failureRate: z.number(),
});
const rolloutSchema = rolloutSummary.extend({
  waves: z.array(z.object({ index: z.number(), status: z.string(), instances: z.array(itemSchema) })),
});
const announcementSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  level: z.enum(['info', 'warning', 'critical']),
  createdAt: z.string(),
  clientIds: z.array(z.string()).nullable(),
  rolloutId: z.string().nullable(),
});

/** Only the operator side starts and steers rollouts; others get 404 as for anything not theirs. */
function operator(u: AuthUser): void {
  if (!seesFleet(u)) throw notFound('rollout');
}

/** Rollouts (batch commands in waves), announcements and instance labels. */
export const rolloutRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const { rollouts, announcements } = ctx.ops;

  app.post(
    '/rollouts',
    {
      schema: {
        tags: ['rollouts'],
        summary: 'Start a rollout: one command to many instances in waves, with an abort threshold',
        description:
          'A canary wave of one instance goes first, then waves of `waveSize` (or `wavePercent` of the targets), ' +
          '`pauseBetweenSec` apart. Once `minExecuted` commands have finished, a failure rate (failed + rejected + ' +
          'timed out over finished) above `maxFailureRate` aborts it and cancels what is still queued. Instances ' +
          'offline when their wave starts are skipped. Progress: GET /rollouts/:id and the live `rollout` event.',
        body: rolloutBody,
        response: {
          201: z.object({ id: z.string(), instances: z.number() }),
          400: errorSchema,
          403: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      operator(u);
      const b = req.body;
      let params: Record<string, unknown>;
      if (b.type === ANNOUNCEMENT_TYPE) {
        if (u.role !== 'admin') throw forbidden('only an admin broadcasts announcements');
        const p = announcementParams.safeParse(b.params);
        if (!p.success) throw new HttpError(400, HUB_ERR.BAD_PARAMS, p.error.issues[0]?.message ?? 'bad params');
        params = p.data;
      } else {
        const check = validateParams(b.type, b.params);
        if (!check.ok)
          throw new HttpError(
            400,
            check.code === 'unknown_type' ? HUB_ERR.UNKNOWN_COMMAND : HUB_ERR.BAD_PARAMS,
            check.message,
          );
        if (NOT_FOR_ROLLOUTS.has(b.type) || getCommand(b.type)?.secretParams?.length)
          throw new HttpError(400, HUB_ERR.BAD_PARAMS, `${b.type} is issued per instance, not by rollout`);
        if (!mayIssue(u.role, b.type)) throw forbidden(`your role may not issue ${b.type}`);
        params = b.type === 'sidecar.update' ? await withSidecarBundle(ctx, null, check.params) : check.params;
      }
      try {
        const r = await rollouts.create({ ...b, params }, { userId: u.id, email: u.email });
        return reply.code(201).send(r);
      } catch (e) {
        if (e instanceof UnknownTargetError) throw new HttpError(400, HUB_ERR.VALIDATION, e.message);
        throw e;
      }
    },
  );

  app.get(
    '/rollouts',
    {
      schema: {
        tags: ['rollouts'],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.array(rolloutSummary) },
      },
    },
    async (req) => {
      operator(requireUser(req));
      return rollouts.list(req.query.limit);
    },
  );

  app.get(
    '/rollouts/:id',
    {
      schema: {
        tags: ['rollouts'],
        summary: 'A rollout with its progress per wave and per instance',
        params: idParams,
        response: { 200: rolloutSchema, 404: errorSchema },
      },
    },
    async (req) => {
      operator(requireUser(req));
      const r = await rollouts.get(req.params.id);
      if (!r) throw notFound('rollout');
      return r;
    },
  );

  for (const action of ['pause', 'resume', 'abort'] as const) {
    app.post(
      `/rollouts/:id/${action}`,
      {
        schema: {
          tags: ['rollouts'],
          summary: `${action[0].toUpperCase()}${action.slice(1)} a rollout`,
          params: idParams,
          response: { 200: rolloutSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
        },
      },
      async (req) => {
        const u = requireUser(req);
        operator(u);
        if (u.role === 'support') throw forbidden('support may not steer rollouts');
        try {
          const r = await rollouts.control(req.params.id, action, { userId: u.id, email: u.email });
          if (!r) throw notFound('rollout');
          return r;
        } catch (e) {
          if (e instanceof RolloutStateError) throw new HttpError(409, HUB_ERR.CONFLICT, e.message);
          throw e;
        }
      },
    );
  }

  app.post(
    '/announcements',
    {
      schema: {
        tags: ['rollouts'],
        summary: 'Broadcast a message to client dashboards (all clients, or the given ones)',
        body: announcementParams.extend({
          clientIds: z.array(z.string().min(1).max(64)).min(1).max(10_000).optional(),
        }),
        response: { 201: announcementSchema, 403: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      if (u.role !== 'admin') throw forbidden('only an admin broadcasts announcements');
      const { clientIds, ...msg } = req.body;
      const a = await announcements.create(msg, { userId: u.id, email: u.email }, clientIds ?? null);
      return reply.code(201).send(a);
    },
  );

  app.get(
    '/announcements',
    {
      schema: {
        tags: ['rollouts'],
        summary: 'Recent announcements: a client user sees those for their client; operators see all',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
        response: { 200: z.array(announcementSchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      if (seesFleet(u)) return announcements.list(null, req.query.limit);
      const clients = clientFilter(u) ?? [];
      if (!clients.length) return [];
      // Who else an announcement reached is not the caller's business.
      return (await announcements.list(clients, req.query.limit)).map((a) => ({ ...a, clientIds: null }));
    },
  );

  app.put(
    '/instances/:id/labels',
    {
      schema: {
        tags: ['rollouts'],
        summary: "Replace an instance's labels (matched by rollout selectors as `key=value`)",
        params: idParams,
        body: z.record(z.string().regex(/^[A-Za-z0-9._/-]{1,63}$/), z.string().max(200)),
        response: { 200: z.record(z.string(), z.string()), 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const s = ctx.fleet.get(req.params.id);
      if (!s || !canSeeClient(u, s.clientId)) throw notFound('instance');
      if (u.role !== 'admin') throw forbidden();
      await ctx.db.query('UPDATE instances SET labels = $2 WHERE id = $1', [s.id, JSON.stringify(req.body)]);
      return req.body;
    },
  );
};
