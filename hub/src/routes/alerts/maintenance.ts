import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient, seesFleet } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { isTimeZone, type MaintenanceWindow } from '../../maintenance/index.js';
import { errorSchema, idParams } from '../schemas.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const fields = {
  name: z.string().trim().min(1).max(200),
  timeZone: z.string().min(1).max(64).refine(isTimeZone, 'an IANA time zone, e.g. Europe/Berlin'),
  startDate: day,
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'),
  durationMin: z
    .number()
    .int()
    .min(1)
    .max(7 * 1440),
  days: z.array(z.number().int().min(0).max(6)).max(7),
  untilDate: day.nullable(),
  ruleIds: z.array(z.string().max(64)).max(50),
};

const windowSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  name: z.string(),
  timeZone: z.string(),
  startDate: z.string(),
  startTime: z.string(),
  durationMin: z.number(),
  days: z.array(z.number()),
  untilDate: z.string().nullable(),
  ruleIds: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
  /** The open occurrence now, or the next start. */
  activeUntil: z.string().nullable(),
  nextStart: z.string().nullable(),
});

/** Maintenance windows per client: operators for any client, a client owner for its own. */
export const maintenanceRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const m = ctx.maintenance;
  const json = (w: MaintenanceWindow) => {
    const now = new Date(ctx.alerts.now());
    const open = m.activeWindow(w.clientId, now);
    const next = m.nextWindowStart(w.clientId, now);
    return {
      ...w,
      activeUntil: open?.window.id === w.id ? open.end.toISOString() : null,
      nextStart: next?.window.id === w.id ? next.start.toISOString() : null,
    };
  };
  const find = (u: ReturnType<typeof requireUser>, id: string) => {
    const w = m.get(id);
    if (!w || !canSeeClient(u, w.clientId)) throw notFound('maintenance window');
    return w;
  };

  app.get(
    '/maintenance-windows',
    {
      schema: {
        tags: ['alerts'],
        querystring: z.object({ clientId: z.string().max(64).optional() }),
        response: { 200: z.array(windowSchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      // The list is filtered to what the caller sees; a named client narrows it.
      const clientId = req.query.clientId ?? (seesFleet(u) ? null : u.clientId);
      return m
        .list(clientId)
        .filter((w) => canSeeClient(u, w.clientId))
        .map(json);
    },
  );

  app.post(
    '/maintenance-windows',
    {
      schema: {
        tags: ['alerts'],
        body: z.object({
          ...fields,
          clientId: z.string().min(1).max(64),
          days: fields.days.default([]),
          untilDate: fields.untilDate.default(null),
          ruleIds: fields.ruleIds.default([]),
        }),
        response: { 201: windowSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const b = req.body;
      if (!canSeeClient(u, b.clientId)) throw notFound('client');
      assertRole(u, 'admin', 'support', 'client_owner', 'partner_admin');
      if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [b.clientId])).length) throw notFound('client');
      if (b.untilDate && b.untilDate < b.startDate)
        throw new HttpError(400, HUB_ERR.VALIDATION, 'untilDate is before startDate');
      const w = await m.create({ ...b, createdBy: u.email });
      await audit(ctx.db, `user:${u.id}`, 'maintenance.create', w.id, w.clientId);
      ctx.alerts.kick();
      return reply.code(201).send(json(w));
    },
  );

  app.patch(
    '/maintenance-windows/:id',
    {
      schema: {
        tags: ['alerts'],
        params: idParams,
        body: z.object(fields).partial().strict(),
        response: { 200: windowSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const w = find(u, req.params.id);
      assertRole(u, 'admin', 'support', 'client_owner', 'partner_admin');
      const next = await m.update(w.id, req.body);
      if (!next) throw notFound('maintenance window');
      await audit(ctx.db, `user:${u.id}`, 'maintenance.update', w.id, w.clientId);
      ctx.alerts.kick();
      return json(next);
    },
  );

  app.delete(
    '/maintenance-windows/:id',
    { schema: { tags: ['alerts'], params: idParams, response: { 204: z.null(), 403: errorSchema, 404: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      const w = find(u, req.params.id);
      assertRole(u, 'admin', 'support', 'client_owner', 'partner_admin');
      await m.remove(w.id);
      await audit(ctx.db, `user:${u.id}`, 'maintenance.delete', w.id, w.clientId);
      ctx.alerts.kick();
      return reply.code(204).send(null);
    },
  );
};
