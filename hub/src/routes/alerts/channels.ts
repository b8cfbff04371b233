import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sealConfig } from '../../alerts/channel-secrets.js';
import type { Channel } from '../../alerts/channels.js';
import { invalidMatcher } from '../../alerts/matchers.js';
import type { Notification } from '../../alerts/notifier.js';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient, managesClient, seesFleet, targetClient } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { assertPublicUrl, PublicAddressError } from '../../security/public-address.js';
import { newId } from '../../util/ids.js';
import { newWebhookSecret } from '../../webhooks/index.js';
import { errorSchema, idParams } from '../schemas.js';
import { channelSchema, matcherSchema, toChannelJson } from './serialize.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).max(2000);
const configFor = {
  pagerduty: z.object({ routingKey: z.string().trim().min(1).max(100) }).strict(),
  webhook: z
    .object({
      url: httpUrl,
      secret: z
        .string()
        .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/)
        .optional(),
    })
    .strict(),
  email: z.object({ to: z.email().max(320) }).strict(),
  slack: z.object({ url: httpUrl }).strict(),
} as const;

const routeSchema = z
  .object({
    severities: z
      .array(z.enum(['critical', 'error', 'warning', 'info']))
      .max(4)
      .optional(),
    clientIds: z.array(z.string().max(64)).max(500).optional(),
    ruleIds: z.array(z.string().max(64)).max(100).optional(),
    matchers: z.array(matcherSchema).max(20).optional(),
  })
  .strict();

const grouping = {
  groupBy: z.array(z.string().regex(/^([a-zA-Z_][a-zA-Z0-9_]*|\.\.\.)$/)).max(10),
  groupWaitSec: z.number().int().min(0).max(3600),
  groupIntervalSec: z.number().int().min(0).max(86_400),
  repeatIntervalSec: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400),
};

const deliverySchema = z.object({
  id: z.string(),
  kind: z.string(),
  action: z.string(),
  status: z.string(),
  attempts: z.number(),
  nextAttemptAt: z.string(),
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  response: z.string().nullable(),
  summary: z.string(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});

const toDelivery = (r: Record<string, unknown>) => {
  const p = r.payload as Notification;
  const first = p.alerts?.[0];
  return {
    id: String(r.id),
    kind: String(r.kind),
    action: String(r.action),
    status: String(r.status),
    attempts: Number(r.attempts),
    nextAttemptAt: new Date(r.next_attempt_at as string).toISOString(),
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: (r.last_error as string | null) ?? null,
    response: (r.response as string | null) ?? null,
    summary: `${p.status ?? ''} ${p.alerts?.length ?? 0}: ${first?.annotations?.summary ?? first?.ruleId ?? ''}`.trim(),
    createdAt: new Date(r.created_at as string).toISOString(),
    sentAt: r.sent_at ? new Date(r.sent_at as string).toISOString() : null,
  };
};

/** A notification that says it is a test, in the shape real ones have. */
function testNotification(c: Channel, now: number): Notification {
  return {
    groupKey: 'test',
    groupLabels: { alertname: 'test' },
    dedupKey: `ds-test-${c.id}`,
    status: 'firing',
    alerts: [
      {
        id: 'alr-test',
        ruleId: 'test',
        status: 'firing',
        severity: 'info',
        labels: { alertname: 'test', channel: c.name },
        annotations: {
          summary: `Test notification from Deep Signal to ${c.name}`,
          description: 'If you can read this, the channel works.',
        },
        value: null,
        clientId: c.clientId,
        instanceId: null,
        startsAt: new Date(now).toISOString(),
        endsAt: null,
        url: null,
      },
    ],
  };
}

/**
 * Notification channels. Operators (admin) manage any; a partner's admin its clients', a client
 * owner its own client's email and webhook channels, which only ever receive that client's alerts.
 */
export const channelRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const alerts = ctx.alerts;
  const find = (u: ReturnType<typeof requireUser>, id: string) => {
    const c = alerts.channels.find((x) => x.id === id);
    if (!c || !(seesFleet(u) || (c.clientId && canSeeClient(u, c.clientId)))) throw notFound('notification channel');
    return c;
  };
  /** Webhook and Slack URLs must reach a public address over https (DS_ALERTS_ALLOW_PRIVATE_TARGETS relaxes it). */
  const checkTarget = async (type: Channel['type'], config: Record<string, unknown>) => {
    if (type !== 'webhook' && type !== 'slack') return;
    try {
      await assertPublicUrl(String(config.url), { allowPrivate: ctx.config.alertsAllowPrivateTargets });
    } catch (e) {
      if (e instanceof PublicAddressError) throw new HttpError(400, HUB_ERR.VALIDATION, `config.url: ${e.message}`);
      throw e;
    }
  };
  const mayEdit = (u: ReturnType<typeof requireUser>, clientId: string | null) => {
    if (u.role === 'admin') return;
    if (clientId && managesClient(u, clientId)) return;
    assertRole(u, 'admin');
  };

  app.get(
    '/notification-channels',
    { schema: { tags: ['alerts'], response: { 200: z.array(channelSchema) } } },
    async (req) => {
      const u = requireUser(req);
      return alerts.channels
        .filter((c) => seesFleet(u) || (c.clientId && canSeeClient(u, c.clientId)))
        .map(toChannelJson);
    },
  );

  app.post(
    '/notification-channels',
    {
      schema: {
        tags: ['alerts'],
        body: z
          .object({
            type: z.enum(['pagerduty', 'webhook', 'email', 'slack']),
            name: z.string().trim().min(1).max(200),
            clientId: z.string().min(1).max(64).optional(),
            enabled: z.boolean().default(true),
            config: z.record(z.string(), z.unknown()),
            route: routeSchema.default({}),
          })
          .extend(
            Object.fromEntries(Object.entries(grouping).map(([k, v]) => [k, v.optional()])) as {
              [K in keyof typeof grouping]: z.ZodOptional<(typeof grouping)[K]>;
            },
          ),
        response: { 201: channelSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const b = req.body;
      const clientId = targetClient(u, b.clientId);
      mayEdit(u, clientId);
      if (clientId && !(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [clientId])).length)
        throw notFound('client');
      if (!seesFleet(u) && b.type !== 'email' && b.type !== 'webhook')
        throw new HttpError(400, HUB_ERR.VALIDATION, 'a client subscribes an email address or a webhook');
      const cfg = configFor[b.type].safeParse(b.config);
      if (!cfg.success)
        throw new HttpError(
          400,
          HUB_ERR.VALIDATION,
          `config: ${cfg.error.issues[0]?.path.join('.')} ${cfg.error.issues[0]?.message}`,
        );
      await checkTarget(b.type, cfg.data);
      const bad = invalidMatcher(b.route.matchers ?? []);
      if (bad) throw new HttpError(400, HUB_ERR.VALIDATION, bad);
      const config: Record<string, unknown> = { ...cfg.data };
      let secret: string | undefined;
      if (b.type === 'webhook') {
        secret = (config.secret as string | undefined) ?? newWebhookSecret();
        config.secret = secret;
      }
      const id = newId('nch');
      await ctx.db.query(
        `INSERT INTO notification_channels (id, client_id, type, name, enabled, config, route, group_by, group_wait_sec,
           group_interval_sec, repeat_interval_sec, created_by)
         VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7::jsonb,$8::jsonb,$9,$10,$11,$12)`,
        [
          id,
          clientId,
          b.type,
          b.name,
          b.enabled,
          JSON.stringify(sealConfig(ctx.secrets, id, b.type, config)),
          JSON.stringify(b.route),
          JSON.stringify(b.groupBy ?? ['alertname', 'client']),
          b.groupWaitSec ?? 10,
          b.groupIntervalSec ?? 60,
          b.repeatIntervalSec ?? 14_400,
          u.email,
        ],
      );
      await alerts.reloadChannels();
      await audit(ctx.db, `user:${u.id}`, 'notification_channel.create', id, clientId, { type: b.type });
      const c = alerts.channels.find((x) => x.id === id) as Channel;
      return reply.code(201).send({ ...toChannelJson(c), ...(secret ? { secret } : {}) });
    },
  );

  app.get(
    '/notification-channels/:id',
    { schema: { tags: ['alerts'], params: idParams, response: { 200: channelSchema, 404: errorSchema } } },
    async (req) => toChannelJson(find(requireUser(req), req.params.id)),
  );

  app.patch(
    '/notification-channels/:id',
    {
      schema: {
        tags: ['alerts'],
        params: idParams,
        body: z
          .object({
            name: z.string().trim().min(1).max(200),
            enabled: z.boolean(),
            config: z.record(z.string(), z.unknown()),
            route: routeSchema,
            ...grouping,
          })
          .partial()
          .strict(),
        response: { 200: channelSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const c = find(u, req.params.id);
      mayEdit(u, c.clientId);
      const b = req.body;
      let config = c.config;
      if (b.config) {
        const cfg = configFor[c.type].safeParse({
          ...(c.type === 'webhook' ? { secret: c.config.secret } : {}),
          ...b.config,
        });
        if (!cfg.success)
          throw new HttpError(
            400,
            HUB_ERR.VALIDATION,
            `config: ${cfg.error.issues[0]?.path.join('.')} ${cfg.error.issues[0]?.message}`,
          );
        await checkTarget(c.type, cfg.data);
        config = cfg.data;
      }
      const bad = invalidMatcher(b.route?.matchers ?? []);
      if (bad) throw new HttpError(400, HUB_ERR.VALIDATION, bad);
      await ctx.db.query(
        `UPDATE notification_channels SET name=$2, enabled=$3, config=$4::jsonb, route=$5::jsonb, group_by=$6::jsonb,
           group_wait_sec=$7, group_interval_sec=$8, repeat_interval_sec=$9 WHERE id=$1`,
        [
          c.id,
          b.name ?? c.name,
          b.enabled ?? c.enabled,
          JSON.stringify(sealConfig(ctx.secrets, c.id, c.type, config)),
          JSON.stringify(b.route ?? c.route),
          JSON.stringify(b.groupBy ?? c.groupBy),
          b.groupWaitSec ?? c.groupWaitSec,
          b.groupIntervalSec ?? c.groupIntervalSec,
          b.repeatIntervalSec ?? c.repeatIntervalSec,
        ],
      );
      await alerts.reloadChannels();
      await audit(ctx.db, `user:${u.id}`, 'notification_channel.update', c.id, c.clientId);
      return toChannelJson(find(u, c.id));
    },
  );

  app.delete(
    '/notification-channels/:id',
    { schema: { tags: ['alerts'], params: idParams, response: { 204: z.null(), 403: errorSchema, 404: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      const c = find(u, req.params.id);
      mayEdit(u, c.clientId);
      await ctx.db.query('DELETE FROM notification_channels WHERE id = $1', [c.id]);
      await ctx.db.query('DELETE FROM notification_groups WHERE channel_id = $1', [c.id]);
      await alerts.reloadChannels();
      await audit(ctx.db, `user:${u.id}`, 'notification_channel.delete', c.id, c.clientId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/notification-channels/:id/test',
    {
      schema: {
        tags: ['alerts'],
        params: idParams,
        response: { 200: deliverySchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const c = find(u, req.params.id);
      mayEdit(u, c.clientId);
      const now = alerts.now();
      const id = newId('dlv');
      const payload = testNotification(c, now);
      // One try, answered now; it is in the delivery log like any other.
      const rows = await ctx.db.query(
        `INSERT INTO notification_outbox (id, channel_id, kind, action, payload, status, next_attempt_at)
         VALUES ($1,$2,'test','trigger',$3::jsonb,'sending',$4) RETURNING *`,
        [id, c.id, JSON.stringify(payload), new Date(now)],
      );
      await alerts.delivery.deliver({
        id,
        channel_id: c.id,
        kind: 'test',
        action: 'trigger',
        payload,
        attempts: alerts.delivery.options.maxAttempts - 1,
      });
      const done = await ctx.db.query('SELECT * FROM notification_outbox WHERE id = $1', [id]);
      return toDelivery(done[0] ?? rows[0]);
    },
  );

  app.get(
    '/notification-channels/:id/deliveries',
    {
      schema: {
        tags: ['alerts'],
        params: idParams,
        querystring: z.object({
          status: z.enum(['pending', 'sent', 'failed']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.array(deliverySchema), 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const c = find(u, req.params.id);
      const rows = await ctx.db.query(
        `SELECT * FROM notification_outbox WHERE channel_id = $1 AND ($2::text IS NULL OR status = $2)
         ORDER BY created_at DESC LIMIT $3`,
        [c.id, req.query.status ?? null, req.query.limit],
      );
      return rows.map(toDelivery);
    },
  );
};
