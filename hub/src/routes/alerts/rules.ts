import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BUILTIN_RULES } from '../../alerts/builtins.js';
import { prometheusRules } from '../../alerts/prometheus.js';
import { type AlertRule, RULE_KINDS, SEVERITIES } from '../../alerts/types.js';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient, seesFleet } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { newId } from '../../util/ids.js';
import { errorSchema } from '../schemas.js';
import { ruleSchema, toRuleJson } from './serialize.js';

const labelsSchema = z.record(
  z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
    .max(100),
  z.string().max(500),
);
const editable = {
  enabled: z.boolean(),
  name: z.string().trim().min(1).max(200),
  threshold: z.number().finite().nullable(),
  forSec: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400),
  keepFiringSec: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400),
  severity: z.enum(SEVERITIES as [string, ...string[]]),
  labels: labelsSchema,
  annotations: z.record(z.enum(['summary', 'description', 'runbook_url']), z.string().max(2000)),
};

const ruleParams = z.object({ id: z.string().min(1).max(64) });

/** Rules: list (a client sees fleet rules and its own), edit (admin), add scoped ones, Prometheus export. */
export const alertRuleRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const engine = ctx.alerts.engine;
  const visible = (u: ReturnType<typeof requireUser>, r: AlertRule) =>
    seesFleet(u) ||
    r.scope === 'fleet' ||
    (r.scope === 'client' && r.scopeId !== null && canSeeClient(u, r.scopeId)) ||
    (r.scope === 'instance' && r.scopeId !== null && canSeeClient(u, ctx.fleet.get(r.scopeId)?.clientId ?? ''));
  const json = (r: AlertRule) => toRuleJson(r, BUILTIN_RULES[r.kind].thresholdUnit);

  app.get('/alert-rules', { schema: { tags: ['alerts'], response: { 200: z.array(ruleSchema) } } }, async (req) => {
    const u = requireUser(req);
    return [...engine.rules.values()].filter((r) => visible(u, r)).map(json);
  });

  app.get(
    '/alert-rules/prometheus',
    { schema: { tags: ['alerts'], response: { 200: z.string() } } },
    async (req, reply) => {
      requireUser(req);
      reply.type('application/yaml; charset=utf-8');
      return prometheusRules([...engine.rules.values()]);
    },
  );

  app.post(
    '/alert-rules',
    {
      schema: {
        tags: ['alerts'],
        body: z
          .object({
            kind: z.enum(RULE_KINDS),
            scope: z.enum(['fleet', 'client', 'instance']),
            scopeId: z.string().min(1).max(64).optional(),
          })
          .extend(
            Object.fromEntries(Object.entries(editable).map(([k, v]) => [k, v.optional()])) as {
              [K in keyof typeof editable]: z.ZodOptional<(typeof editable)[K]>;
            },
          ),
        response: { 201: ruleSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const b = req.body;
      if ((b.scope === 'fleet') !== (b.scopeId === undefined))
        throw new HttpError(400, HUB_ERR.VALIDATION, 'scopeId names the client or instance, and only for those scopes');
      if (b.scope === 'instance' && !ctx.fleet.get(b.scopeId as string)) throw notFound('instance');
      if (b.scope === 'client' && !(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [b.scopeId])).length)
        throw notFound('client');
      const d = BUILTIN_RULES[b.kind];
      const id = newId('rule');
      await ctx.db.query(
        `INSERT INTO alert_rules (id, kind, name, enabled, builtin, threshold, for_sec, keep_firing_sec, severity, labels,
           annotations, scope, scope_id) VALUES ($1,$2,$3,$4,false,$5,$6,$7,$8,$9::jsonb,$10::jsonb,$11,$12)`,
        [
          id,
          b.kind,
          b.name ?? d.name,
          b.enabled ?? true,
          b.threshold === undefined ? d.threshold : b.threshold,
          b.forSec ?? d.forSec,
          b.keepFiringSec ?? d.keepFiringSec,
          b.severity ?? d.severity,
          JSON.stringify(b.labels ?? {}),
          JSON.stringify(b.annotations ?? {}),
          b.scope,
          b.scopeId ?? null,
        ],
      );
      await engine.reloadRules();
      await audit(ctx.db, `user:${u.id}`, 'alert_rule.create', id, null);
      return reply.code(201).send(json(engine.rules.get(id) as AlertRule));
    },
  );

  app.patch(
    '/alert-rules/:id',
    {
      schema: {
        tags: ['alerts'],
        params: ruleParams,
        body: z.object(editable).partial().strict(),
        response: { 200: ruleSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const cur = engine.rules.get(req.params.id);
      if (!cur || !visible(u, cur)) throw notFound('alert rule');
      assertRole(u, 'admin');
      const next = { ...cur, ...req.body };
      await ctx.db.query(
        `UPDATE alert_rules SET enabled=$2, name=$3, threshold=$4, for_sec=$5, keep_firing_sec=$6, severity=$7,
           labels=$8::jsonb, annotations=$9::jsonb, updated_at=now() WHERE id=$1`,
        [
          cur.id,
          next.enabled,
          next.name,
          next.threshold,
          next.forSec,
          next.keepFiringSec,
          next.severity,
          JSON.stringify(next.labels),
          JSON.stringify(next.annotations),
        ],
      );
      await engine.reloadRules();
      await audit(ctx.db, `user:${u.id}`, 'alert_rule.update', cur.id, null, req.body);
      ctx.alerts.kick();
      return json(engine.rules.get(cur.id) as AlertRule);
    },
  );

  app.delete(
    '/alert-rules/:id',
    {
      schema: {
        tags: ['alerts'],
        params: ruleParams,
        response: { 204: z.null(), 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const cur = engine.rules.get(req.params.id);
      if (!cur || !visible(u, cur)) throw notFound('alert rule');
      assertRole(u, 'admin');
      if (cur.builtin) throw new HttpError(400, HUB_ERR.VALIDATION, 'a built-in rule is disabled, not deleted');
      await ctx.db.query('DELETE FROM alert_rules WHERE id = $1', [cur.id]);
      await engine.reloadRules();
      ctx.alerts.kick();
      return reply.code(204).send(null);
    },
  );
};
