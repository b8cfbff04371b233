import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient } from '../../auth/scope.js';
import type { HubContext } from '../../context.js';
import { isoWeek, type WeeklyReports } from '../../experiments/weekly-report.js';
import { idParams, isoDate } from '../schemas.js';

/** A client's weekly report (dashboard), and sending it now (operators). */
export const weeklyReportRoutes: FastifyPluginAsyncZod<{ ctx: HubContext; reports: WeeklyReports }> = async (
  app,
  { ctx, reports },
) => {
  const ownClient = async (req: Parameters<typeof requireUser>[0], id: string) => {
    const rows = await ctx.db.query('SELECT id FROM clients WHERE id = $1', [id]);
    if (!rows[0] || !canSeeClient(requireUser(req), id)) throw notFound('client');
  };

  app.get(
    '/clients/:id/weekly-report',
    {
      schema: {
        tags: ['experiments'],
        summary: "A client's weekly report (the week containing `at`, default this week)",
        params: idParams,
        querystring: z.object({ at: isoDate.optional() }),
      },
    },
    async (req) => {
      await ownClient(req, req.params.id);
      return reports.get(req.params.id, req.query.at ? new Date(req.query.at) : new Date());
    },
  );

  app.post(
    '/clients/:id/weekly-report/send',
    {
      schema: {
        tags: ['experiments'],
        summary: "Mails the client's report of the week containing `at` to its owners, once per week",
        params: idParams,
        body: z.object({ at: isoDate.optional() }).strict().nullish(),
      },
    },
    async (req) => {
      assertRole(requireUser(req), 'admin');
      await ownClient(req, req.params.id);
      const week = isoWeek(req.body?.at ? new Date(req.body.at) : new Date());
      return { week: week.week, sent: await reports.send(req.params.id, week) };
    },
  );
};
