import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidMatcher } from '../../alerts/matchers.js';
import { toSilence } from '../../alerts/store.js';
import type { Alert } from '../../alerts/types.js';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient, clientFilter, seesFleet, targetClient } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { newId } from '../../util/ids.js';
import { errorSchema, idParams, isoDate } from '../schemas.js';
import { alertSchema, matcherSchema, silenceSchema, toAlertJson, toSilenceJson } from './serialize.js';

const historySchema = z.object({
  alertId: z.string(),
  ruleId: z.string(),
  clientId: z.string().nullable(),
  instanceId: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  value: z.number().nullable(),
  t: z.string(),
});

/** Alerts (scoped to the caller's client), their history, acknowledgements and silences. */
export const alertListRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const engine = ctx.alerts.engine;
  const mine = (u: ReturnType<typeof requireUser>, a: Alert) =>
    seesFleet(u) || (a.clientId !== null && canSeeClient(u, a.clientId));

  app.get(
    '/alerts',
    {
      schema: {
        tags: ['alerts'],
        querystring: z.object({
          state: z.enum(['pending', 'firing', 'resolved', 'nodata', 'silenced']).optional(),
          clientId: z.string().max(64).optional(),
          instanceId: z.string().max(64).optional(),
          ruleId: z.string().max(64).optional(),
        }),
        response: { 200: z.array(alertSchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const q = req.query;
      const now = ctx.alerts.now();
      const out = [];
      for (const a of engine.alerts.values()) {
        if (!mine(u, a)) continue;
        if (q.clientId && a.clientId !== q.clientId) continue;
        if (q.instanceId && a.instanceId !== q.instanceId) continue;
        if (q.ruleId && a.ruleId !== q.ruleId) continue;
        const m = a.state === 'firing' ? engine.muting(a, now) : null;
        const muted = !!m && (m.silencedBy.length > 0 || m.inhibitedBy !== null || m.maintenance !== null);
        if (q.state === 'silenced' ? !muted : q.state !== undefined && a.state !== q.state) continue;
        out.push(toAlertJson(a, m));
      }
      const rank: Record<string, number> = { firing: 0, pending: 1, nodata: 2, resolved: 3 };
      return out.sort(
        (x, y) => (rank[x.state] ?? 9) - (rank[y.state] ?? 9) || (y.activeAt ?? '').localeCompare(x.activeAt ?? ''),
      );
    },
  );

  app.get(
    '/alerts/summary',
    {
      schema: {
        tags: ['alerts'],
        response: {
          200: z.object({
            firing: z.number(),
            pending: z.number(),
            silenced: z.number(),
            bySeverity: z.record(z.string(), z.number()),
          }),
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      let firing = 0;
      let pending = 0;
      let silenced = 0;
      const bySeverity: Record<string, number> = {};
      for (const f of engine.firing()) {
        if (!mine(u, f.alert)) continue;
        if (f.muted) silenced++;
        else {
          firing++;
          bySeverity[f.alert.severity] = (bySeverity[f.alert.severity] ?? 0) + 1;
        }
      }
      for (const a of engine.alerts.values()) if (a.state === 'pending' && mine(u, a)) pending++;
      return { firing, pending, silenced, bySeverity };
    },
  );

  app.get(
    '/alerts/history',
    {
      schema: {
        tags: ['alerts'],
        querystring: z.object({
          since: isoDate.optional(),
          instanceId: z.string().max(64).optional(),
          clientId: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: z.array(historySchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const q = req.query;
      const clients = clientFilter(u, q.clientId);
      const rows = await ctx.db.query(
        `SELECT * FROM alert_history WHERE ($1::text[] IS NULL OR client_id = ANY($1::text[])) AND ($2::text IS NULL OR instance_id = $2)
           AND ($3::timestamptz IS NULL OR t >= $3) AND ($5 OR client_id IS NOT NULL)
         ORDER BY t DESC, id DESC LIMIT $4`,
        [clients, q.instanceId ?? null, q.since ?? null, q.limit, seesFleet(u)],
      );
      return rows.map((r) => ({
        alertId: String(r.alert_id),
        ruleId: String(r.rule_id),
        clientId: (r.client_id as string | null) ?? null,
        instanceId: (r.instance_id as string | null) ?? null,
        from: String(r.from_state),
        to: String(r.to_state),
        value: r.value === null ? null : Number(r.value),
        t: new Date(r.t as string).toISOString(),
      }));
    },
  );

  app.get(
    '/alerts/:id',
    { schema: { tags: ['alerts'], params: idParams, response: { 200: alertSchema, 404: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      const a = engine.alerts.get(req.params.id);
      if (!a || !mine(u, a)) throw notFound('alert');
      return toAlertJson(a, a.state === 'firing' ? engine.muting(a) : null);
    },
  );

  /** Records (or clears) who is on a firing alert; repeats of its group stop while all of it is acknowledged. */
  const setAck = async (req: FastifyRequest, id: string, ack: boolean) => {
    const u = requireUser(req);
    const a = engine.alerts.get(id);
    if (!a || !mine(u, a)) throw notFound('alert');
    assertRole(u, 'admin', 'support', 'client_owner', 'partner_admin');
    if (ack && a.state !== 'firing')
      throw new HttpError(409, HUB_ERR.CONFLICT, `only a firing alert is acknowledged (this one is ${a.state})`);
    if (!(await engine.acknowledge(a, ack ? u.email : null, new Date(ctx.alerts.now()))))
      throw new HttpError(409, HUB_ERR.CONFLICT, `only a firing alert is acknowledged (this one is ${a.state})`);
    await audit(ctx.db, `user:${u.id}`, ack ? 'alert.ack' : 'alert.unack', a.id, a.clientId);
    // The next cycle stops the repeats and tells PagerDuty, without waiting for the timer.
    ctx.alerts.kick();
    return toAlertJson(a, a.state === 'firing' ? engine.muting(a) : null);
  };
  const ackSchema = {
    tags: ['alerts'],
    params: idParams,
    response: { 200: alertSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
  };
  app.post('/alerts/:id/ack', { schema: ackSchema }, (req) => setAck(req, req.params.id, true));
  app.delete('/alerts/:id/ack', { schema: ackSchema }, (req) => setAck(req, req.params.id, false));

  app.get(
    '/silences',
    {
      schema: {
        tags: ['alerts'],
        querystring: z.object({ all: z.coerce.boolean().default(false) }),
        response: { 200: z.array(silenceSchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const now = ctx.alerts.now();
      const rows = await ctx.db.query(
        `SELECT * FROM alert_silences WHERE ($1 OR ends_at > $2) AND ($3::text[] IS NULL OR client_id = ANY($3::text[]))
         ORDER BY ends_at DESC LIMIT 500`,
        [req.query.all, new Date(now).toISOString(), clientFilter(u)],
      );
      return rows.map((r) => toSilenceJson(toSilence(r), now));
    },
  );

  app.post(
    '/silences',
    {
      schema: {
        tags: ['alerts'],
        body: z.object({
          matchers: z.array(matcherSchema).min(1).max(20),
          startsAt: isoDate.optional(),
          endsAt: isoDate,
          comment: z.string().trim().min(1).max(1000),
          clientId: z.string().min(1).max(64).optional(),
        }),
        response: { 201: silenceSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin', 'support', 'client_owner', 'partner_admin');
      const b = req.body;
      const bad = invalidMatcher(b.matchers);
      if (bad) throw new HttpError(400, HUB_ERR.VALIDATION, bad);
      const now = ctx.alerts.now();
      const startsAt = b.startsAt ? Date.parse(b.startsAt) : now;
      const endsAt = Date.parse(b.endsAt);
      if (endsAt <= Math.max(startsAt, now))
        throw new HttpError(400, HUB_ERR.VALIDATION, 'endsAt must be in the future and after startsAt');
      // A client's silence only ever covers its own alerts.
      const clientId = targetClient(u, b.clientId);
      const rows = await ctx.db.query(
        `INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, client_id)
         VALUES ($1,$2::jsonb,$3,$4,$5,$6,$7) RETURNING *`,
        [newId('sil'), JSON.stringify(b.matchers), new Date(startsAt), new Date(endsAt), u.email, b.comment, clientId],
      );
      await engine.reloadSilences();
      await audit(ctx.db, `user:${u.id}`, 'silence.create', String(rows[0].id), clientId, { comment: b.comment });
      ctx.alerts.kick();
      return reply.code(201).send(toSilenceJson(toSilence(rows[0]), now));
    },
  );

  app.delete(
    '/silences/:id',
    {
      schema: {
        tags: ['alerts'],
        params: idParams,
        response: { 200: silenceSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const now = ctx.alerts.now();
      const cur = (await ctx.db.query('SELECT * FROM alert_silences WHERE id = $1', [req.params.id]))[0];
      if (!cur || !(seesFleet(u) || (cur.client_id && canSeeClient(u, String(cur.client_id)))))
        throw notFound('silence');
      assertRole(u, 'admin', 'support', 'client_owner', 'partner_admin');
      // Expiring keeps the record (who silenced what, and when it ended).
      const rows = await ctx.db.query(
        'UPDATE alert_silences SET ends_at = LEAST(ends_at, $2) WHERE id = $1 RETURNING *',
        [req.params.id, new Date(now)],
      );
      await engine.reloadSilences();
      await audit(ctx.db, `user:${u.id}`, 'silence.expire', req.params.id, (cur.client_id as string | null) ?? null);
      ctx.alerts.kick();
      return toSilenceJson(toSilence(rows[0]), now);
    },
  );
};
