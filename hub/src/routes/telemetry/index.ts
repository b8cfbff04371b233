import { API_METRICS, LOG_LEVELS } from '@deepsignal/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import { parseStep, queryMetric } from '../../db/metrics-query.js';
import { errorSchema, idParams, isoDate } from '../schemas.js';

const range = {
  from: isoDate.optional(),
  to: isoDate.optional(),
};

function window(q: { from?: string; to?: string }, defaultMs: number): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultMs);
  if (from >= to) throw new HttpError(400, HUB_ERR.VALIDATION, '`from` must be before `to`');
  return { from, to };
}

/** Metrics, logs and conversations of one instance, scoped to the caller's clients. */
export const telemetryRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const visible = (req: Parameters<typeof requireUser>[0], id: string) => {
    const u = requireUser(req);
    const s = ctx.fleet.get(id);
    if (!s || !canSeeClient(u, s.clientId)) throw notFound('instance');
    return s;
  };

  app.get(
    '/instances/:id/metrics',
    {
      schema: {
        tags: ['telemetry'],
        params: idParams,
        querystring: z.object({ name: z.enum(API_METRICS), ...range, step: z.string().max(10).optional() }),
        response: {
          200: z.object({
            name: z.string(),
            step: z.string(),
            resolution: z.string(),
            points: z.array(z.tuple([z.string(), z.number()])),
          }),
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const s = visible(req, req.params.id);
      const stepSec = parseStep(req.query.step);
      if (req.query.step && stepSec === null)
        throw new HttpError(400, HUB_ERR.VALIDATION, 'step looks like 10s, 5m, 1h or 1d');
      const { from, to } = window(req.query, 3_600_000);
      const r = await queryMetric(ctx.db, ctx.metricSources, {
        instanceId: s.id,
        name: req.query.name,
        from,
        to,
        stepSec,
        rawDays: ctx.config.retentionRawDays,
      });
      return { name: req.query.name, step: `${r.step}s`, resolution: r.resolution, points: r.points };
    },
  );

  app.get(
    '/instances/:id/logs',
    {
      schema: {
        tags: ['telemetry'],
        params: idParams,
        querystring: z.object({
          ...range,
          level: z.enum(LOG_LEVELS).optional(),
          q: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
        }),
        response: {
          200: z.array(z.object({ t: z.string(), level: z.string(), subsystem: z.string(), msg: z.string() })),
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const s = visible(req, req.params.id);
      const { from, to } = window(req.query, 86_400_000);
      const minLevel = req.query.level ? LOG_LEVELS.indexOf(req.query.level) : 0;
      const rows = await ctx.db.query<{ t: string; level: string; subsystem: string; msg: string }>(
        `SELECT t, level, subsystem, msg FROM log_lines WHERE instance_id = $1 AND t >= $2 AND t < $3
         AND level = ANY($4::text[]) AND ($5::text IS NULL OR msg ILIKE '%' || $5 || '%')
         ORDER BY t DESC LIMIT $6`,
        [s.id, from, to, LOG_LEVELS.slice(minLevel), req.query.q ?? null, req.query.limit],
      );
      return rows.map((r) => ({ t: new Date(r.t).toISOString(), level: r.level, subsystem: r.subsystem, msg: r.msg }));
    },
  );

  app.get(
    '/instances/:id/conversations',
    {
      schema: {
        tags: ['telemetry'],
        params: idParams,
        querystring: z.object({ ...range, limit: z.coerce.number().int().min(1).max(2000).default(200) }),
        response: {
          200: z.array(
            z.object({
              messageId: z.string(),
              t: z.string(),
              sessionKey: z.string(),
              channel: z.string(),
              role: z.string(),
              text: z.string(),
              tokensIn: z.number(),
              tokensOut: z.number(),
              cost: z.number(),
              model: z.string().nullable(),
              provider: z.string().nullable(),
              latencyMs: z.number().nullable(),
              sentiment: z.number().nullable(),
              /** Why the reply failed (OpenClaw's stopReason "error"); null for one that worked. */
              error: z.string().nullable(),
            }),
          ),
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const s = visible(req, req.params.id);
      const { from, to } = window(req.query, 7 * 86_400_000);
      const rows = await ctx.db.query<Record<string, unknown>>(
        `SELECT message_id, t, session_key, channel, role, text, tokens_in, tokens_out, cost, model, provider, latency_ms, sentiment,
           error FROM conversation_messages WHERE instance_id = $1 AND t >= $2 AND t < $3 ORDER BY t DESC LIMIT $4`,
        [s.id, from, to, req.query.limit],
      );
      return rows.map((r) => ({
        messageId: String(r.message_id),
        t: new Date(r.t as string).toISOString(),
        sessionKey: String(r.session_key),
        channel: String(r.channel),
        role: String(r.role),
        text: String(r.text),
        tokensIn: Number(r.tokens_in),
        tokensOut: Number(r.tokens_out),
        cost: Number(r.cost),
        model: (r.model as string | null) ?? null,
        provider: (r.provider as string | null) ?? null,
        latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
        sentiment: r.sentiment === null || r.sentiment === undefined ? null : Number(r.sentiment),
        error: (r.error as string | null) ?? null,
      }));
    },
  );
};
