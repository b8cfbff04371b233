import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { assertPublicUrl, PublicAddressError } from '../../security/public-address.js';
import { newId } from '../../util/ids.js';
import { CLIENT_EVENT_TYPES, PING_EVENT } from '../../webhooks/client-events.js';
import { type ClientWebhooks, EVENT_KIND } from '../../webhooks/client-hooks.js';
import { newWebhookSecret } from '../../webhooks/index.js';
import { sealSecret, toView } from '../../webhooks/subscriptions.js';
import { errorSchema } from '../schemas.js';
import { deliverySchema, subscriptionSchema, toDelivery } from './views.js';

/** Subscriptions per client: enough for a few integrations, not a fan-out amplifier. */
const MAX_PER_CLIENT = 20;

const clientParams = z.object({ clientId: z.string().min(1).max(64) });
const hookParams = clientParams.extend({ id: z.string().min(1).max(64) });
const deliveryParams = hookParams.extend({ deliveryId: z.string().min(1).max(64) });
const url = z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).max(2000);
const events = z
  .array(z.enum(CLIENT_EVENT_TYPES))
  .min(1)
  .max(CLIENT_EVENT_TYPES.length)
  .transform((l) => [...new Set(l)]);
const description = z.string().trim().max(500).nullable();
const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

/**
 * Event webhooks of a client, managed by its owner or an admin. Another client's webhook, or a
 * client the caller cannot see, is a 404.
 */
export const clientWebhookRoutes: FastifyPluginAsyncZod<{ ctx: HubContext; hooks: ClientWebhooks }> = async (
  app,
  { ctx, hooks },
) => {
  const tags = ['webhooks'];
  const owner = async (req: Parameters<typeof requireUser>[0], clientId: string) => {
    const u = requireUser(req);
    if (!canSeeClient(u, clientId)) throw notFound('client');
    if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [clientId])).length) throw notFound('client');
    assertRole(u, 'admin', 'client_owner');
    return u;
  };
  const hookOf = (clientId: string, id: string) => {
    const s = hooks.find(clientId, id);
    if (!s) throw notFound('webhook');
    return s;
  };
  /** The URL must reach a public address (DS_WEBHOOKS_ALLOW_PRIVATE_TARGETS relaxes it). */
  const checkTarget = async (target: string) => {
    try {
      await assertPublicUrl(target, { allowPrivate: ctx.config.webhooksAllowPrivateTargets });
    } catch (e) {
      if (e instanceof PublicAddressError) throw new HttpError(400, HUB_ERR.VALIDATION, `url: ${e.message}`);
      throw e;
    }
  };
  const deliveryRow = async (subscriptionId: string, id: string) =>
    (
      await ctx.db.query('SELECT * FROM notification_outbox WHERE id = $1 AND channel_id = $2 AND kind = $3', [
        id,
        subscriptionId,
        EVENT_KIND,
      ])
    )[0];

  app.get(
    '/clients/:clientId/webhooks',
    { schema: { tags, params: clientParams, response: { 200: z.array(subscriptionSchema), ...errors } } },
    async (req) => {
      await owner(req, req.params.clientId);
      return hooks.ofClient(req.params.clientId).map(toView);
    },
  );

  app.post(
    '/clients/:clientId/webhooks',
    {
      schema: {
        tags,
        params: clientParams,
        body: z.object({ url, events, description: description.optional() }).strict(),
        response: { 201: subscriptionSchema.extend({ secret: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      const u = await owner(req, req.params.clientId);
      const { clientId } = req.params;
      if (hooks.ofClient(clientId).length >= MAX_PER_CLIENT)
        throw new HttpError(409, HUB_ERR.CONFLICT, `a client has at most ${MAX_PER_CLIENT} webhooks`);
      await checkTarget(req.body.url);
      const id = newId('whk');
      const secret = newWebhookSecret();
      await ctx.db.query(
        `INSERT INTO webhook_subscriptions (id, client_id, url, description, events, secret, created_by)
         VALUES ($1,$2,$3,$4,$5::jsonb,$6,$7)`,
        [
          id,
          clientId,
          req.body.url,
          req.body.description || null,
          JSON.stringify(req.body.events),
          sealSecret(ctx.secrets, id, secret),
          u.email,
        ],
      );
      await hooks.load();
      await audit(ctx.db, `user:${u.id}`, 'webhook.create', id, clientId, { url: req.body.url });
      return reply.code(201).send({ ...toView(hookOf(clientId, id)), secret });
    },
  );

  app.get(
    '/clients/:clientId/webhooks/:id',
    { schema: { tags, params: hookParams, response: { 200: subscriptionSchema, ...errors } } },
    async (req) => {
      await owner(req, req.params.clientId);
      return toView(hookOf(req.params.clientId, req.params.id));
    },
  );

  app.patch(
    '/clients/:clientId/webhooks/:id',
    {
      schema: {
        tags,
        params: hookParams,
        body: z.object({ url, events, enabled: z.boolean(), description }).partial().strict(),
        response: { 200: subscriptionSchema, ...errors },
      },
    },
    async (req) => {
      const u = await owner(req, req.params.clientId);
      const s = hookOf(req.params.clientId, req.params.id);
      const b = req.body;
      if (b.url) await checkTarget(b.url);
      // Turning it on again starts afresh: the failure run that turned it off is over.
      const reenable = b.enabled === true && !s.enabled;
      await ctx.db.query(
        `UPDATE webhook_subscriptions SET url = $2, events = $3::jsonb, enabled = $4, description = $5, updated_at = now(),
           disabled_reason = CASE WHEN $4 THEN NULL ELSE disabled_reason END,
           failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END,
           consecutive_failures = CASE WHEN $6 THEN 0 ELSE consecutive_failures END
         WHERE id = $1`,
        [
          s.id,
          b.url ?? s.url,
          JSON.stringify(b.events ?? s.events),
          b.enabled ?? s.enabled,
          b.description === undefined ? s.description : b.description || null,
          reenable,
        ],
      );
      await hooks.load();
      await audit(ctx.db, `user:${u.id}`, 'webhook.update', s.id, s.clientId, { ...b });
      return toView(hookOf(s.clientId, s.id));
    },
  );

  app.delete(
    '/clients/:clientId/webhooks/:id',
    { schema: { tags, params: hookParams, response: { 204: z.null(), ...errors } } },
    async (req, reply) => {
      const u = await owner(req, req.params.clientId);
      const s = hookOf(req.params.clientId, req.params.id);
      await ctx.db.tx(async (q) => {
        await q.query('DELETE FROM webhook_subscriptions WHERE id = $1', [s.id]);
        await q.query('DELETE FROM notification_outbox WHERE channel_id = $1 AND kind = $2', [s.id, EVENT_KIND]);
      });
      await hooks.load();
      await audit(ctx.db, `user:${u.id}`, 'webhook.delete', s.id, s.clientId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/clients/:clientId/webhooks/:id/test',
    { schema: { tags, params: hookParams, response: { 200: deliverySchema, ...errors } } },
    async (req) => {
      await owner(req, req.params.clientId);
      const s = hookOf(req.params.clientId, req.params.id);
      if (!s.enabled) throw new HttpError(409, HUB_ERR.CONFLICT, 'the webhook is disabled; turn it on first');
      const event = {
        type: PING_EVENT,
        timestamp: new Date(ctx.alerts.now()).toISOString(),
        data: { webhookId: s.id, clientId: s.clientId, message: 'A test event from Deep Signal.' },
      };
      // One try, answered now: it is in the delivery log like any other, but not retried.
      const [id] = await hooks.insert([s], event, undefined, 'sending');
      await hooks.deliverNow(id);
      return toDelivery(await deliveryRow(s.id, id));
    },
  );

  app.get(
    '/clients/:clientId/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        params: hookParams,
        querystring: z.object({
          status: z.enum(['pending', 'sending', 'sent', 'failed']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.array(deliverySchema), ...errors },
      },
    },
    async (req) => {
      await owner(req, req.params.clientId);
      const s = hookOf(req.params.clientId, req.params.id);
      const rows = await ctx.db.query(
        `SELECT * FROM notification_outbox WHERE channel_id = $1 AND kind = $2 AND ($3::text IS NULL OR status = $3)
         ORDER BY created_at DESC, id DESC LIMIT $4`,
        [s.id, EVENT_KIND, req.query.status ?? null, req.query.limit],
      );
      return rows.map(toDelivery);
    },
  );

  app.post(
    '/clients/:clientId/webhooks/:id/deliveries/:deliveryId/redeliver',
    { schema: { tags, params: deliveryParams, response: { 200: deliverySchema, ...errors } } },
    async (req) => {
      await owner(req, req.params.clientId);
      const s = hookOf(req.params.clientId, req.params.id);
      const old = await deliveryRow(s.id, req.params.deliveryId);
      if (!old) throw notFound('delivery');
      if (!s.enabled) throw new HttpError(409, HUB_ERR.CONFLICT, 'the webhook is disabled; turn it on first');
      const p = old.payload as { messageId: string; body: string };
      // A new delivery of the same message (same webhook-id and body), tried now and then retried as any.
      const [id] = await hooks.insert([s], JSON.parse(p.body), p.messageId, 'sending');
      await hooks.deliverNow(id);
      return toDelivery(await deliveryRow(s.id, id));
    },
  );
};
