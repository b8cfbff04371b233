import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../auth/errors.js';
import { hashSecret } from '../../auth/password.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient } from '../../auth/scope.js';
import { mosquittoHash } from '../../broker/mosquitto.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import type { InstanceSnapshot } from '../../fleet/fleet.js';
import { newId, newSecret } from '../../util/ids.js';
import { errorSchema, idParams } from '../schemas.js';

const instanceSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  hostname: z.string(),
  status: z.enum(['online', 'offline', 'provisioning', 'error', 'paused']),
  lastSeen: z.string().nullable(),
  metrics: z.record(z.string(), z.number()),
  metricsAt: z.string().nullable(),
  openclaw: z.record(z.string(), z.unknown()).nullable(),
});

const view = (s: InstanceSnapshot) => ({
  id: s.id,
  clientId: s.clientId,
  hostname: s.hostname,
  status: s.status,
  lastSeen: s.lastSeen?.toISOString() ?? null,
  metrics: s.metrics as Record<string, number>,
  metricsAt: s.metricsAt?.toISOString() ?? null,
  openclaw: s.openclaw,
});

/** Instances: created by an admin (secret shown once); listed and read within the caller's scope. */
export const instanceRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.post(
    '/instances',
    {
      schema: {
        tags: ['instances'],
        body: z.object({ clientId: z.string().min(1).max(64), hostname: z.string().min(1).max(253) }),
        response: {
          201: z.object({ id: z.string(), secret: z.string(), hubPublicKey: z.string(), mqttUrl: z.string() }),
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const c = await ctx.db.query('SELECT id FROM clients WHERE id = $1', [req.body.clientId]);
      if (!c[0]) throw notFound('client');
      const id = newId('inst');
      const secret = newSecret();
      const hash = await hashSecret(secret);
      const rows = await ctx.db.tx(async (q) => {
        const r = await q.query<{
          id: string;
          client_id: string;
          hostname: string;
          presence: null;
          last_seen: null;
          paused: boolean;
          openclaw: null;
        }>(
          'INSERT INTO instances (id, client_id, hostname) VALUES ($1,$2,$3) RETURNING id, client_id, hostname, presence, last_seen, paused, openclaw',
          [id, req.body.clientId, req.body.hostname],
        );
        // The Mosquitto-format hash lets an external broker's password file be exported later.
        await q.query('INSERT INTO instance_credentials (instance_id, secret_hash, mosquitto_hash) VALUES ($1,$2,$3)', [
          id,
          hash,
          mosquittoHash(secret),
        ]);
        await audit(q, `user:${u.id}`, 'instance.create', id, req.body.clientId, { hostname: req.body.hostname });
        return r;
      });
      ctx.fleet.add(rows[0]);
      return reply.code(201).send({ id, secret, hubPublicKey: ctx.key.publicKey, mqttUrl: ctx.mqttUrl() });
    },
  );

  app.get(
    '/instances',
    {
      schema: {
        tags: ['instances'],
        querystring: z.object({ clientId: z.string().max(64).optional() }),
        response: { 200: z.array(instanceSchema) },
      },
    },
    async (req) => {
      const u = requireUser(req);
      return ctx.fleet
        .list()
        .filter((s) => canSeeClient(u, s.clientId) && (!req.query.clientId || s.clientId === req.query.clientId))
        .sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id))
        .map(view);
    },
  );

  app.get(
    '/instances/:id',
    {
      schema: {
        tags: ['instances'],
        params: idParams,
        response: {
          200: instanceSchema.extend({
            sidecarVersion: z.string().nullable(),
            openclawVersion: z.string().nullable(),
            capabilities: z.array(z.string()).nullable(),
            createdAt: z.string(),
          }),
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const s = ctx.fleet.get(req.params.id);
      if (!s || !canSeeClient(u, s.clientId)) throw notFound('instance');
      const rows = await ctx.db.query<{
        sidecar_version: string | null;
        openclaw_version: string | null;
        capabilities: string[] | null;
        created_at: string;
      }>('SELECT sidecar_version, openclaw_version, capabilities, created_at FROM instances WHERE id = $1', [s.id]);
      const r = rows[0];
      if (!r) throw notFound('instance');
      return {
        ...view(s),
        sidecarVersion: r.sidecar_version,
        openclawVersion: r.openclaw_version,
        capabilities: r.capabilities,
        createdAt: new Date(r.created_at).toISOString(),
      };
    },
  );
};
