import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { clientFilter, seesFleet } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import { errorSchema, isoDate } from '../schemas.js';
import { toCsv } from './csv.js';

const entrySchema = z.object({
  id: z.number(),
  t: z.string(),
  actor: z.string().describe('`user:<id>`, `instance:<id>` or `system`'),
  actorEmail: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  clientId: z.string().nullable(),
  detail: z.unknown(),
});

const CSV_HEADER = ['id', 't', 'actor', 'actorEmail', 'action', 'target', 'clientId', 'detail'] as const;

/**
 * The audit trail (append-only `audit_log`): every command, rollout, console session, backup,
 * login and change of configuration or user, with actor, target, redacted params and outcome.
 * Operators see everything; a client owner sees their own client's entries; a viewer nothing.
 */
export const auditRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit entries, newest first, with filters; `format=csv` for a CSV export',
        querystring: z.object({
          actor: z
            .string()
            .max(200)
            .optional()
            .describe('part of the actor (`user:<id>`, `instance:<id>`) or its email'),
          action: z.string().max(100).optional().describe('action or its prefix, e.g. `command` or `rollout.aborted`'),
          target: z.string().max(200).optional(),
          clientId: z.string().max(64).optional(),
          from: isoDate.optional(),
          to: isoDate.optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(200),
          before: z.coerce.number().int().optional().describe('entries with an id below this (paging)'),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: { 200: z.array(entrySchema), 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      // Operators read the whole log, a partner's admin its clients' entries, a client owner its own.
      if (!seesFleet(u) && u.role !== 'client_owner' && u.role !== 'partner_admin') throw notFound('audit log');
      const clients = clientFilter(u, req.query.clientId);
      const q = req.query;
      const rows = await ctx.db.query<Record<string, unknown>>(
        `SELECT a.id, a.created_at AS t, a.actor, u.email AS actor_email, a.action, a.target, a.client_id, a.detail
         FROM audit_log a LEFT JOIN users u ON a.actor = 'user:' || u.id
         WHERE ($1::text IS NULL OR a.actor ILIKE '%' || $1 || '%' OR u.email ILIKE '%' || $1 || '%')
           AND ($2::text IS NULL OR a.action = $2 OR a.action LIKE $2 || '.%')
           AND ($3::text IS NULL OR a.target = $3)
           AND ($4::text[] IS NULL OR a.client_id = ANY($4::text[]))
           AND ($5::timestamptz IS NULL OR a.created_at >= $5)
           AND ($6::timestamptz IS NULL OR a.created_at < $6)
           AND ($7::bigint IS NULL OR a.id < $7)
         ORDER BY a.id DESC LIMIT $8`,
        [
          q.actor ?? null,
          q.action ?? null,
          q.target ?? null,
          clients,
          q.from ?? null,
          q.to ?? null,
          q.before ?? null,
          q.limit,
        ],
      );
      const entries = rows.map((r) => ({
        id: Number(r.id),
        t: new Date(r.t as string).toISOString(),
        actor: String(r.actor),
        actorEmail: (r.actor_email as string | null) ?? null,
        action: String(r.action),
        target: (r.target as string | null) ?? null,
        clientId: (r.client_id as string | null) ?? null,
        detail: r.detail ?? null,
      }));
      if (q.format === 'csv') {
        const body = toCsv(
          CSV_HEADER,
          entries.map((e) => CSV_HEADER.map((k) => e[k])),
        );
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="deepsignal-audit.csv"`)
          .serializer((p: unknown) => p as string)
          .send(body as never);
      }
      return entries;
    },
  );
};
