import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, HttpError, HUB_ERR } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, seesFleet } from '../../auth/scope.js';
import { clearHold, holdInvoice, listHolds, previewPeriod } from '../../billing/invoice-review.js';
import { PERIOD_RE } from '../../billing/invoices.js';
import { periodOf } from '../../billing/plans.js';
import type { BillingService } from '../../billing/service.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';

const period = z.string().regex(PERIOD_RE, 'YYYY-MM');
const lastPeriod = (now: Date) => periodOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));

/**
 * Review before invoices go out: a preview of the period's invoices, holds with their reason and
 * numbers (the billing agent's token needs `billing:review`), and an operator's clearing, which
 * issues the invoice. The reminder run is here too, so the billing agent can drive the schedule.
 */
export const invoiceReviewRoutes: FastifyPluginAsyncZod<{ ctx: HubContext; billing: BillingService }> = async (
  app,
  { ctx, billing },
) => {
  const operatorOnly = (u: ReturnType<typeof requireUser>) => {
    if (!seesFleet(u)) throw new HttpError(403, HUB_ERR.FORBIDDEN, 'invoice review is for the operator');
  };

  app.get(
    '/billing/invoice-preview',
    {
      schema: {
        tags: ['billing'],
        summary:
          "What each billable client's invoice for the period would be (net), with plan changes and usage history",
        querystring: z.object({ period: period.optional() }),
      },
    },
    async (req) => {
      const u = requireUser(req);
      operatorOnly(u);
      const now = billing.clock();
      const p = req.query.period ?? lastPeriod(now);
      // The last period the invoice run covered (null on a hub that has not started billing yet).
      const last = await ctx.db.query<{ value: unknown }>(
        `SELECT value FROM hub_settings WHERE key = 'billing.lastRun'`,
      );
      const lastRun = last[0] ? String(last[0].value) : null;
      return { period: p, lastRun, invoices: await previewPeriod(ctx.db, ctx.config, p, now) };
    },
  );

  app.get(
    '/billing/holds',
    {
      schema: {
        tags: ['billing'],
        querystring: z.object({
          all: z.enum(['true', 'false']).default('false'),
          clientId: z.string().max(100).optional(),
        }),
      },
    },
    async (req) => {
      const u = requireUser(req);
      operatorOnly(u);
      return listHolds(ctx.db, { all: req.query.all === 'true', clientId: req.query.clientId });
    },
  );

  app.post(
    '/billing/holds',
    {
      schema: {
        tags: ['billing'],
        summary: 'Hold an invoice not issued yet, with the reason and the numbers behind it',
        body: z
          .object({
            clientId: z.string().min(1).max(100),
            period,
            reason: z.string().trim().min(1).max(2000),
            evidence: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      if (u.role !== 'admin' && u.role !== 'service') throw forbidden('admins and the billing agent hold invoices');
      const r = await holdInvoice(ctx.db, req.body, u.email);
      if (r.created)
        await audit(
          ctx.db,
          `user:${u.id}`,
          'invoice.hold',
          `${req.body.clientId}/${req.body.period}`,
          req.body.clientId,
          {
            reason: req.body.reason,
          },
        );
      return reply.code(r.created ? 201 : 200).send(r.hold);
    },
  );

  app.post(
    '/billing/holds/:clientId/:period/clear',
    {
      schema: {
        tags: ['billing'],
        summary: "Clear a hold (admin) and, unless `issue` is false, issue the period's invoice",
        params: z.object({ clientId: z.string().min(1).max(100), period }),
        body: z
          .object({ note: z.string().trim().max(2000).optional(), issue: z.boolean().default(true) })
          .strict()
          .default({ issue: true }),
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const { clientId, period: p } = req.params;
      const hold = await clearHold(ctx.db, clientId, p, u.email, req.body.note ?? null);
      await audit(ctx.db, `user:${u.id}`, 'invoice.hold_clear', `${clientId}/${p}`, clientId, { note: req.body.note });
      const invoice = req.body.issue ? await billing.issue(clientId, p, `user:${u.id}`) : null;
      return { hold, invoice };
    },
  );

  app.post(
    '/billing/reminders/run',
    {
      schema: {
        tags: ['billing'],
        summary: 'Send the payment reminders that are due now',
      },
    },
    async (req) => {
      const u = requireUser(req);
      if (u.role !== 'admin' && u.role !== 'service') throw forbidden('admins and the billing agent run reminders');
      return billing.dunning();
    },
  );
};
