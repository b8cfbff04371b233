import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { canSeeClient, seesFleet } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import { TIMELINE_KINDS } from '../../timeline/registry.js';
import { decodeCursor, timelineCsv, timelinePage } from '../../timeline/service.js';
import { errorSchema, idParams, isoDate } from '../schemas.js';

const entrySchema = z.object({
  id: z.string(),
  t: z.string(),
  kind: z.string(),
  title: z.string(),
  actor: z.string().nullable(),
  status: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  link: z.string().nullable(),
});

/** Default window: the last 30 days. */
const DEFAULT_WINDOW_MS = 30 * 86400_000;

/** One timeline per instance: commands, console sessions, changes, backups, status, audit. */
export const timelineRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/instances/:id/timeline',
    {
      schema: {
        tags: ['timeline'],
        summary: "An instance's history in time order, newest first (paged with `cursor`)",
        params: idParams,
        querystring: z.object({
          from: isoDate.optional(),
          to: isoDate.optional(),
          kinds: z
            .string()
            .max(200)
            .optional()
            .describe(`comma-separated kinds: ${TIMELINE_KINDS.join(', ')}`),
          cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: {
          200: z.object({ entries: z.array(entrySchema), nextCursor: z.string().nullable() }),
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const s = ctx.fleet.get(req.params.id);
      if (!s || !canSeeClient(u, s.clientId)) throw notFound('instance');
      const q = req.query;
      const to = q.to ? new Date(q.to) : new Date(Date.now() + 60_000);
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
      if (from >= to) throw new HttpError(400, HUB_ERR.VALIDATION, '`from` must be before `to`');
      const kinds = q.kinds
        ?.split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      const unknown = kinds?.filter((k) => !TIMELINE_KINDS.includes(k)) ?? [];
      if (unknown.length)
        throw new HttpError(
          400,
          HUB_ERR.VALIDATION,
          `unknown kinds: ${unknown.join(', ')} (known: ${TIMELINE_KINDS.join(', ')})`,
        );
      const cursor = q.cursor ? decodeCursor(q.cursor) : null;
      if (q.cursor && !cursor) throw new HttpError(400, HUB_ERR.VALIDATION, 'cursor: not a timeline cursor');
      const page = await timelinePage(ctx.db, {
        instanceId: s.id,
        from,
        to,
        kinds,
        cursor,
        limit: q.limit,
        client: !seesFleet(u),
      });
      if (q.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="deepsignal-timeline-${s.id}.csv"`)
          .serializer((p: unknown) => p as string)
          .send(timelineCsv(page.entries) as never);
      return page;
    },
  );
};
