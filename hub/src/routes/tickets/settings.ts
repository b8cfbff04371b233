import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../auth/plugin.js';
import { assertClient, assertRole } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { DEFAULT_HOURS, validTimeZone } from '../../tickets/business-hours.js';
import { SLA_TARGETS } from '../../tickets/sla.js';
import { TICKET_CATEGORIES } from '../../tickets/types.js';
import { errorSchema, idParams } from '../schemas.js';

const hoursSchema = z.object({
  timeZone: z.string().min(1).max(64),
  dayStartHour: z.number().int().min(0).max(23),
  dayEndHour: z.number().int().min(1).max(24),
  workDays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
});

/** Support settings: auto-replies per category (admin), and each client's business hours. */
export const settingsRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/support/settings',
    {
      schema: {
        tags: ['tickets'],
        response: {
          200: z.object({
            categories: z.array(z.object({ category: z.string(), autoReply: z.boolean() })),
            slaTargets: z.record(z.string(), z.object({ firstResponseHours: z.number(), resolutionHours: z.number() })),
          }),
          403: errorSchema,
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin', 'support', 'service');
      const rows = await ctx.db.query<{ category: string; auto_reply: boolean }>(
        'SELECT * FROM support_category_settings',
      );
      const on = new Map(rows.map((r) => [r.category, r.auto_reply]));
      return {
        categories: TICKET_CATEGORIES.map((c) => ({ category: c, autoReply: on.get(c) ?? false })),
        slaTargets: SLA_TARGETS,
      };
    },
  );

  app.put(
    '/support/settings/categories/:category',
    {
      schema: {
        tags: ['tickets'],
        params: z.object({ category: z.enum(TICKET_CATEGORIES) }),
        body: z.object({ autoReply: z.boolean() }),
        response: { 200: z.object({ category: z.string(), autoReply: z.boolean() }), 403: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      await ctx.db.query(
        `INSERT INTO support_category_settings (category, auto_reply) VALUES ($1,$2)
         ON CONFLICT (category) DO UPDATE SET auto_reply = EXCLUDED.auto_reply`,
        [req.params.category, req.body.autoReply],
      );
      await audit(ctx.db, `user:${u.id}`, 'support.settings', req.params.category, null, req.body);
      return { category: req.params.category, autoReply: req.body.autoReply };
    },
  );

  app.get(
    '/clients/:id/support-hours',
    { schema: { tags: ['tickets'], params: idParams, response: { 200: hoursSchema, 404: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      const rows = await ctx.db.query<{
        time_zone: string;
        day_start_hour: number;
        day_end_hour: number;
        work_days: number[];
      }>('SELECT * FROM support_client_settings WHERE client_id = $1', [req.params.id]);
      const r = rows[0];
      return r
        ? {
            timeZone: r.time_zone,
            dayStartHour: r.day_start_hour,
            dayEndHour: r.day_end_hour,
            workDays: r.work_days.map(Number),
          }
        : { ...DEFAULT_HOURS, workDays: [...DEFAULT_HOURS.workDays] };
    },
  );

  app.put(
    '/clients/:id/support-hours',
    {
      schema: {
        tags: ['tickets'],
        params: idParams,
        body: hoursSchema
          .refine((h) => h.dayEndHour > h.dayStartHour, {
            message: 'the day ends after it starts',
            path: ['dayEndHour'],
          })
          .refine((h) => validTimeZone(h.timeZone), {
            message: 'an IANA time zone, e.g. Europe/Berlin',
            path: ['timeZone'],
          }),
        response: { 200: hoursSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      assertRole(u, 'admin');
      const exists = await ctx.db.query('SELECT id FROM clients WHERE id = $1', [req.params.id]);
      if (!exists[0]) assertClient(u, undefined, 'client');
      const h = req.body;
      await ctx.db.query(
        `INSERT INTO support_client_settings (client_id, time_zone, day_start_hour, day_end_hour, work_days)
         VALUES ($1,$2,$3,$4,$5) ON CONFLICT (client_id) DO UPDATE SET time_zone = EXCLUDED.time_zone,
         day_start_hour = EXCLUDED.day_start_hour, day_end_hour = EXCLUDED.day_end_hour, work_days = EXCLUDED.work_days`,
        [req.params.id, h.timeZone, h.dayStartHour, h.dayEndHour, [...new Set(h.workDays)].sort()],
      );
      await audit(ctx.db, `user:${u.id}`, 'support.hours', req.params.id, req.params.id, h);
      return { ...h, workDays: [...new Set(h.workDays)].sort() };
    },
  );
};
