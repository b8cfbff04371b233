import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertClient, assertRole, clientFilter, seesFleet } from '../../auth/scope.js';
import { getInvoice, listInvoices, PERIOD_RE } from '../../billing/invoices.js';
import { marginCsv, marginReport } from '../../billing/margin.js';
import { billingOverview } from '../../billing/overview.js';
import { HARD_LIMITS, listPlans, periodOf, toPlan } from '../../billing/plans.js';
import type { BillingService } from '../../billing/service.js';
import { clientUsage, fleetUsage } from '../../billing/usage.js';
import { brandedInvoicePdf } from '../../brands/invoice.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { idParams } from '../schemas.js';
import { invoiceReviewRoutes } from './review.js';

const range = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
const period = z.string().regex(PERIOD_RE, 'YYYY-MM');
const DAY = 86_400_000;

/** [from, to) from the query; default: this month so far. At most 400 days. */
function window(q: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  if (!(from < to)) throw new HttpError(400, HUB_ERR.VALIDATION, 'from must be before to');
  if (to.getTime() - from.getTime() > 400 * DAY)
    throw new HttpError(400, HUB_ERR.VALIDATION, 'at most 400 days at once');
  return { from, to };
}

const billingBody = z
  .object({
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'ISO country code')
      .nullable()
      .optional(),
    vatId: z.string().max(32).nullable().optional(),
    billingEmail: z.email().max(254).nullable().optional(),
    companyName: z.string().max(200).nullable().optional(),
    address: z.string().max(500).nullable().optional(),
    budgetSoftCents: z.number().int().min(0).max(1e10).nullable().optional(),
    budgetHardCents: z.number().int().min(0).max(1e10).nullable().optional(),
    hardLimit: z.enum(HARD_LIMITS).nullable().optional(),
  })
  .strict();

const COLS: Record<string, string> = {
  country: 'country',
  vatId: 'vat_id',
  billingEmail: 'billing_email',
  companyName: 'company_name',
  address: 'address',
  budgetSoftCents: 'budget_soft_cents',
  budgetHardCents: 'budget_hard_cents',
  hardLimit: 'hard_limit',
};

const toBilling = (r: Record<string, unknown> | undefined) => ({
  country: (r?.country as string) ?? null,
  vatId: (r?.vat_id as string) ?? null,
  billingEmail: (r?.billing_email as string) ?? null,
  companyName: (r?.company_name as string) ?? null,
  address: (r?.address as string) ?? null,
  budgetSoftCents: r?.budget_soft_cents == null ? null : Number(r.budget_soft_cents),
  budgetHardCents: r?.budget_hard_cents == null ? null : Number(r.budget_hard_cents),
  hardLimit: (r?.hard_limit as string) ?? null,
  enforcement: r?.enforcement ?? null,
  pausedForDunning: (r?.paused_for_dunning as string) ?? null,
});

/** Usage, plans, budgets, invoices, payments and margins (billing/). */
export const billingRoutes: FastifyPluginAsyncZod<{ ctx: HubContext; billing: BillingService }> = async (
  app,
  { ctx, billing },
) => {
  const actorOf = (u: { id: string }) => `user:${u.id}`;
  await app.register(invoiceReviewRoutes, { ctx, billing });

  app.get(
    '/clients/:id/usage',
    { schema: { tags: ['billing'], params: idParams, querystring: range } },
    async (req) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      const c = await ctx.db.query('SELECT id FROM clients WHERE id = $1', [req.params.id]);
      if (!c[0]) throw notFound('client');
      const w = window(req.query, billing.clock());
      return clientUsage(ctx.db, req.params.id, w.from, w.to);
    },
  );

  app.get('/clients/:id/billing', { schema: { tags: ['billing'], params: idParams } }, async (req) => {
    const u = requireUser(req);
    assertClient(u, req.params.id, 'client');
    const allowance = await billing.planAllowance(req.params.id);
    if (!allowance) throw notFound('client');
    const now = billing.clock();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const [usage, forecast, row, invoices, plans] = await Promise.all([
      clientUsage(ctx.db, req.params.id, from, now),
      billing.forecast(req.params.id),
      ctx.db.query('SELECT * FROM client_billing WHERE client_id = $1', [req.params.id]),
      listInvoices(ctx.db, req.params.id),
      listPlans(ctx.db),
    ]);
    return {
      allowance,
      plan: plans.find((p) => p.id === allowance.plan) ?? null,
      usage,
      forecast,
      billing: toBilling(row[0]),
      invoices: invoices.map(({ billTo: _b, ...i }) => i),
    };
  });

  app.put(
    '/clients/:id/billing',
    { schema: { tags: ['billing'], params: idParams, body: billingBody } },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const c = await ctx.db.query('SELECT id FROM clients WHERE id = $1', [req.params.id]);
      if (!c[0]) throw notFound('client');
      const entries = Object.entries(req.body).filter(([, v]) => v !== undefined);
      const vals = entries.map(([k, v]) => (k === 'country' && typeof v === 'string' ? v.toUpperCase() : v));
      const cols = entries.map(([k]) => COLS[k]);
      await ctx.db.query(
        `INSERT INTO client_billing (client_id${cols.map((c) => `, ${c}`).join('')}) VALUES ($1${cols.map((_, i) => `, $${i + 2}`).join('')})
         ON CONFLICT (client_id) DO UPDATE SET updated_at = now()${cols.map((c) => `, ${c} = EXCLUDED.${c}`).join('')}`,
        [req.params.id, ...vals],
      );
      await audit(ctx.db, actorOf(u), 'client.billing', req.params.id, req.params.id, req.body);
      // A raised budget may lift a hard limit at once rather than at the next check.
      await billing.checkBudgets();
      const row = await ctx.db.query('SELECT * FROM client_billing WHERE client_id = $1', [req.params.id]);
      return toBilling(row[0]);
    },
  );

  app.patch(
    '/clients/:id',
    {
      schema: {
        tags: ['clients'],
        params: idParams,
        body: z
          .object({
            plan: z.string().min(1).max(64).optional(),
            status: z.enum(['onboarding', 'active', 'paused', 'churned']).optional(),
          })
          .strict()
          .refine((b) => b.plan !== undefined || b.status !== undefined, 'give plan and/or status'),
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const r = await billing.changeClient(req.params.id, req.body, actorOf(u));
      return {
        id: String(r.id),
        name: String(r.name),
        industry: String(r.industry),
        plan: String(r.plan),
        status: String(r.status),
        createdAt: new Date(r.created_at as string).toISOString(),
      };
    },
  );

  app.get('/plans', { schema: { tags: ['billing'] } }, async (req) => {
    requireUser(req);
    return listPlans(ctx.db);
  });

  app.patch(
    '/plans/:id',
    {
      schema: {
        tags: ['billing'],
        params: idParams,
        body: z
          .object({
            name: z.string().min(1).max(80).optional(),
            currency: z
              .string()
              .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO currency code such as EUR')
              .optional(),
            priceCents: z.number().int().min(0).max(1e9).optional(),
            includedMessages: z.number().int().min(0).max(1e10).optional(),
            includedTokens: z.number().int().min(0).max(1e13).optional(),
            overagePer1kMessagesCents: z.number().int().min(0).max(1e7).optional(),
            models: z.array(z.string().min(3).max(200)).max(50).optional(),
            hardLimit: z.enum(HARD_LIMITS).optional(),
            fallbackModel: z.string().min(3).max(200).nullable().optional(),
          })
          .strict(),
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const map: Record<string, string> = {
        name: 'name',
        currency: 'currency',
        priceCents: 'price_cents',
        includedMessages: 'included_messages',
        includedTokens: 'included_tokens',
        overagePer1kMessagesCents: 'overage_per_1k_messages_cents',
        models: 'models',
        hardLimit: 'hard_limit',
        fallbackModel: 'fallback_model',
      };
      const entries = Object.entries(req.body).filter(([, v]) => v !== undefined);
      const sets = entries.map(([k], i) => `${map[k]} = $${i + 2}`);
      const vals = entries.map(([k, v]) => (k === 'models' ? JSON.stringify(v) : v));
      const rows = await ctx.db.query(
        `UPDATE billing_plans SET updated_at = now()${sets.map((s) => `, ${s}`).join('')} WHERE id = $1 RETURNING *`,
        [req.params.id, ...vals],
      );
      if (!rows[0]) throw notFound('plan');
      await audit(ctx.db, actorOf(u), 'plan.update', req.params.id, null, req.body);
      return toPlan(rows[0]);
    },
  );

  app.get('/usage/fleet', { schema: { tags: ['billing'], querystring: range } }, async (req) => {
    const u = requireUser(req);
    if (!seesFleet(u)) throw new HttpError(403, HUB_ERR.FORBIDDEN, 'fleet usage is for the operator');
    const w = window(req.query, billing.clock());
    return fleetUsage(ctx.db, w.from, w.to);
  });

  app.get('/billing/forecast', { schema: { tags: ['billing'] } }, async (req) => {
    const u = requireUser(req);
    if (!seesFleet(u)) throw new HttpError(403, HUB_ERR.FORBIDDEN, 'the fleet forecast is for the operator');
    return billing.forecast(null);
  });

  app.get('/billing/overview', { schema: { tags: ['billing'] } }, async (req) => {
    const u = requireUser(req);
    if (!seesFleet(u)) throw new HttpError(403, HUB_ERR.FORBIDDEN, 'billing overview is for the operator');
    return billingOverview(ctx.db, billing.clock());
  });

  app.get(
    '/billing/margins',
    {
      schema: {
        tags: ['billing'],
        querystring: z.object({ period: period.optional(), format: z.enum(['json', 'csv']).default('json') }),
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      if (!seesFleet(u)) throw new HttpError(403, HUB_ERR.FORBIDDEN, 'margins are for the operator');
      const now = billing.clock();
      const r = await marginReport(ctx.db, ctx.config, req.query.period ?? periodOf(now), now);
      if (req.query.format === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="margins-${r.period}.csv"`)
          .send(marginCsv(r));
      return r;
    },
  );

  app.post(
    '/billing/run',
    { schema: { tags: ['billing'], body: z.object({ period: period.optional() }).strict() } },
    async (req) => {
      const u = requireUser(req);
      // The billing agent runs it too (its token's `billing:review` scope lets it POST here).
      assertRole(u, 'admin', 'service');
      return billing.monthlyRun(req.body.period, actorOf(u));
    },
  );

  app.post(
    '/clients/:id/invoices',
    { schema: { tags: ['billing'], params: idParams, body: z.object({ period }).strict() } },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const inv = await billing.issue(req.params.id, req.body.period, actorOf(u));
      return reply.code(201).send(inv);
    },
  );

  app.get('/clients/:id/invoices', { schema: { tags: ['billing'], params: idParams } }, async (req) => {
    const u = requireUser(req);
    assertClient(u, req.params.id, 'client');
    return listInvoices(ctx.db, req.params.id);
  });

  app.get('/invoices', { schema: { tags: ['billing'] } }, async (req) => {
    const u = requireUser(req);
    return listInvoices(ctx.db, clientFilter(u));
  });

  const visibleInvoice = async (u: Parameters<typeof assertClient>[0], id: string) => {
    const inv = await getInvoice(ctx.db, id);
    if (!inv) throw notFound('invoice');
    assertClient(u, inv.clientId, 'invoice');
    return inv;
  };

  app.get('/invoices/:id', { schema: { tags: ['billing'], params: idParams } }, async (req) =>
    visibleInvoice(requireUser(req), req.params.id),
  );

  app.get('/invoices/:id/pdf', { schema: { tags: ['billing'], params: idParams } }, async (req, reply) => {
    const inv = await visibleInvoice(requireUser(req), req.params.id);
    const pdf = await brandedInvoicePdf(ctx.db, inv);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="${inv.number}.pdf"`)
      .send(pdf);
  });

  app.post(
    '/invoices/:id/credit-notes',
    {
      schema: {
        tags: ['billing'],
        params: idParams,
        body: z
          .object({
            reason: z.string().min(1).max(500),
            lines: z
              .array(
                z
                  .object({ description: z.string().min(1).max(300), amount: z.number().int().min(1).max(1e10) })
                  .strict(),
              )
              .min(1)
              .max(50)
              .optional(),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      return reply.code(201).send(await billing.creditNote(req.params.id, req.body, actorOf(u)));
    },
  );
};

/**
 * Stripe's webhook, outside /api/v1: Stripe calls it without a login, and it is trusted only by
 * its Stripe-Signature (checked on the raw body with the SDK's constructEvent).
 */
export const stripeWebhookRoute: FastifyPluginAsyncZod<{ ctx: HubContext; billing: BillingService }> = async (
  app,
  { ctx, billing },
) => {
  const rejected = ctx.stats.counter('ds_billing_webhooks_rejected_total', 'Stripe webhooks refused (signature)');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.post('/webhooks/stripe', { config: { rateLimit: { max: 600, timeWindow: '1 minute' } } }, async (req, reply) => {
    const sig = req.headers['stripe-signature'];
    if (!billing.stripe || !ctx.config.stripeWebhookSecret)
      throw new HttpError(503, HUB_ERR.UNAVAILABLE, 'Stripe is not configured');
    if (typeof sig !== 'string' || !Buffer.isBuffer(req.body))
      throw new HttpError(400, HUB_ERR.VALIDATION, 'a JSON body with a Stripe-Signature header is required');
    let ev: ReturnType<NonNullable<BillingService['stripe']>['verify']>;
    try {
      // Real time, not the billing clock: the signature's age is a network matter.
      ev = billing.stripe.verify(req.body, sig, new Date());
    } catch (e) {
      rejected.inc();
      throw new HttpError(400, 'HUB_ERR_BAD_SIGNATURE', `webhook rejected: ${(e as Error).message}`);
    }
    const outcome = await billing.stripeEvent(ev);
    return reply.send({ received: true, outcome });
  });
};
