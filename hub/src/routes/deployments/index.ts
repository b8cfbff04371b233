import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole, canSeeClient } from '../../auth/scope.js';
import { HetznerError } from '../../cloud/hetzner/errors.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { InstanceLifecycle, LifecycleError } from '../../deploy/lifecycle.js';
import { type DeploymentService, deploymentView, StepFailure } from '../../deploy/service.js';
import { errorSchema, idParams } from '../schemas.js';

const view = z.record(z.string(), z.unknown());

/** A provider error on a request path as a hub API error in the provider's words. */
function providerError(e: unknown): never {
  if (e instanceof LifecycleError)
    throw new HttpError(
      e.status,
      e.status === 404 ? HUB_ERR.NOT_FOUND : e.status === 409 ? HUB_ERR.CONFLICT : HUB_ERR.UNAVAILABLE,
      e.message,
    );
  if (e instanceof HetznerError) throw new HttpError(e.transient ? 503 : 502, HUB_ERR.UNAVAILABLE, e.describe());
  if (e instanceof StepFailure) throw new HttpError(503, HUB_ERR.UNAVAILABLE, e.message);
  throw e;
}

/** The server as the provider has it now: deleted behind our back, powered off, running… */
async function probeServer(s: DeploymentService | undefined, serverId: unknown) {
  const checkedAt = new Date().toISOString();
  if (!s?.hetzner || serverId === null || serverId === undefined)
    return { providerStatus: 'unknown', providerCheckedAt: checkedAt };
  try {
    const x = await s.hetzner.getServer(Number(serverId));
    return { providerStatus: x ? x.status : 'deleted', providerCheckedAt: checkedAt };
  } catch {
    return { providerStatus: 'unknown', providerCheckedAt: checkedAt };
  }
}

/**
 * Deployments: an operator rents a server for a client's agent and follows it until it is live;
 * the server's data shows on the instance; release deletes the server and its tailnet device.
 */
export const deploymentRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const svc = () => {
    const s = ctx.deployments;
    if (!s) throw new HttpError(503, HUB_ERR.UNAVAILABLE, 'deployments are not running on this hub');
    return s;
  };
  const ready = (s: DeploymentService) => {
    const why = s.unavailableReason();
    if (why) throw new HttpError(503, HUB_ERR.UNAVAILABLE, why);
  };

  app.get(
    '/deploy/catalogue',
    { schema: { tags: ['deployments'], response: { 200: view, 403: errorSchema, 503: errorSchema } } },
    async (req) => {
      // Prices are no secret: the ops agents read them for resize proposals.
      assertRole(requireUser(req), 'admin', 'support', 'service');
      const s = svc();
      ready(s);
      const c = await s.catalogue().catch(providerError);
      return { ...c, defaults: { location: ctx.config.deployLocation, serverType: ctx.config.deployServerType } };
    },
  );

  app.get(
    '/deploy/pool',
    { schema: { tags: ['deployments'], response: { 200: view, 403: errorSchema, 503: errorSchema } } },
    async (req) => {
      assertRole(requireUser(req), 'admin', 'support');
      const s = svc();
      return { ...(await s.pool.view()), available: s.unavailableReason() === null };
    },
  );

  app.post(
    '/clients/:id/deployments',
    {
      schema: {
        tags: ['deployments'],
        params: idParams,
        body: z.object({
          location: z.string().min(1).max(32).optional(),
          serverType: z.string().min(1).max(32).optional(),
          /** A prepared snapshot id (or image name) instead of DS_HETZNER_IMAGE. */
          image: z
            .string()
            .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/)
            .optional(),
        }),
        response: {
          202: z.object({ id: z.string(), instanceId: z.string(), status: z.string() }),
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const s = svc();
      ready(s);
      if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [req.params.id]))[0]) throw notFound('client');
      const location = req.body.location ?? ctx.config.deployLocation;
      const serverType = req.body.serverType ?? ctx.config.deployServerType;
      const cat = await s.catalogue().catch(providerError);
      if (!cat.locations.some((l) => l.name === location))
        throw new HttpError(
          400,
          HUB_ERR.VALIDATION,
          `unknown location ${location}: one of ${cat.locations.map((l) => l.name).join(', ')}`,
        );
      if (!cat.serverTypes.some((t) => t.name === serverType))
        throw new HttpError(
          400,
          HUB_ERR.VALIDATION,
          `unknown server type ${serverType}: one of ${cat.serverTypes.map((t) => t.name).join(', ')}`,
        );
      const d = await s.create({
        clientId: req.params.id,
        location,
        serverType,
        actor: `user:${u.id}`,
        image: req.body.image,
      });
      await audit(ctx.db, `user:${u.id}`, 'deployment.create', d.id, d.clientId, {
        location,
        serverType,
        instanceId: d.instanceId,
      });
      return reply.code(202).send({ id: d.id, instanceId: d.instanceId, status: d.status });
    },
  );

  app.get(
    '/clients/:id/deployments',
    { schema: { tags: ['deployments'], params: idParams, response: { 200: z.array(view), 404: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      if (!canSeeClient(u, req.params.id)) throw notFound('client');
      return (await svc().list(req.params.id)).map(deploymentView);
    },
  );

  app.get(
    '/deployments',
    { schema: { tags: ['deployments'], response: { 200: z.array(view), 403: errorSchema } } },
    async (req) => {
      assertRole(requireUser(req), 'admin', 'support');
      return (await svc().list()).map(deploymentView);
    },
  );

  app.get(
    '/deployments/:id',
    { schema: { tags: ['deployments'], params: idParams, response: { 200: view, 404: errorSchema } } },
    async (req) => {
      const u = requireUser(req);
      const d = await svc().get(req.params.id);
      if (!d || !canSeeClient(u, d.clientId)) throw notFound('deployment');
      return deploymentView(d);
    },
  );

  app.post(
    '/deployments/:id/cancel',
    {
      schema: { tags: ['deployments'], params: idParams, response: { 200: view, 403: errorSchema, 404: errorSchema } },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const d = await svc().cancel(req.params.id);
      if (!d) throw notFound('deployment');
      await audit(ctx.db, `user:${u.id}`, 'deployment.cancel', d.id, d.clientId);
      return deploymentView(d);
    },
  );

  app.get(
    '/instances/:id/server',
    {
      schema: {
        tags: ['deployments'],
        description:
          'Where the instance runs: provider, server type, location, public IPv4, tailnet IP, server id, monthly price. With probe=true also the server as the provider has it now (providerStatus: running, off, …, deleted, or unknown when the provider did not answer).',
        params: idParams,
        querystring: z.object({ probe: z.enum(['true', 'false']).optional() }),
        response: { 200: view, 404: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const snap = ctx.fleet.get(req.params.id);
      if (!snap || !canSeeClient(u, snap.clientId)) throw notFound('instance');
      const r = (
        await ctx.db.query<Record<string, unknown>>('SELECT * FROM instance_hosts WHERE instance_id = $1', [
          req.params.id,
        ])
      )[0];
      if (!r) throw notFound('server for this instance');
      const probed = req.query.probe === 'true' ? await probeServer(ctx.deployments, r.server_id) : {};
      return {
        ...probed,
        instanceId: req.params.id,
        provider: r.provider,
        serverId: r.server_id === null ? null : Number(r.server_id),
        serverName: r.server_name,
        serverType: r.server_type,
        location: r.location,
        country: r.country,
        ipv4: r.ipv4,
        tailnetIp: r.tailnet_ip,
        tailnetName: r.tailnet_name,
        monthlyPrice: r.monthly_price === null ? null : Number(r.monthly_price),
        currency: 'EUR',
        state: r.state,
        snapshotId: r.snapshot_id === null ? null : Number(r.snapshot_id),
        deploymentId: r.deployment_id,
        operation: r.operation ?? null,
      };
    },
  );

  app.delete(
    '/instances/:id',
    {
      schema: {
        tags: ['deployments'],
        description:
          'Releases an instance: server deleted at the provider, tailnet device removed, credentials revoked.',
        params: idParams,
        response: { 200: view, 403: errorSchema, 404: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      const snap = ctx.fleet.get(req.params.id);
      if (!snap) throw notFound('instance');
      const released = await svc().release(req.params.id, `user:${u.id}`).catch(providerError);
      return { id: req.params.id, released };
    },
  );

  const life = () => InstanceLifecycle.for(ctx.db, svc());
  const adminOn = (req: Parameters<typeof requireUser>[0], id: string) => {
    const u = requireUser(req);
    assertRole(u, 'admin');
    const snap = ctx.fleet.get(id);
    if (!snap) throw notFound('instance');
    return { u, snap };
  };
  const accepted = z.object({ id: z.string(), state: z.string(), deploymentId: z.string().optional() });
  const opSchema = (body?: z.ZodType) => ({
    tags: ['deployments'],
    params: idParams,
    ...(body ? { body } : {}),
    response: { 202: accepted, 403: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema },
  });

  app.post(
    '/instances/:id/server/pause',
    { schema: { ...opSchema(), description: 'Snapshot the server, then delete it: nobody pays for an idle VPS.' } },
    async (req, reply) => {
      const { u, snap } = adminOn(req, req.params.id);
      await life().pause(req.params.id).catch(providerError);
      await audit(ctx.db, `user:${u.id}`, 'instance.server_pause', req.params.id, snap.clientId);
      return reply.code(202).send({ id: req.params.id, state: 'pausing' });
    },
  );

  app.post(
    '/instances/:id/server/resume',
    {
      schema: {
        ...opSchema(z.object({ location: z.string().min(1).max(32).optional() }).optional()),
        description: 'A new server from the snapshot (a deployment of kind resume).',
      },
    },
    async (req, reply) => {
      const { u, snap } = adminOn(req, req.params.id);
      const body = req.body as { location?: string } | undefined;
      const d = await life().resume(req.params.id, `user:${u.id}`, body?.location).catch(providerError);
      await audit(ctx.db, `user:${u.id}`, 'instance.server_resume', req.params.id, snap.clientId, {
        deploymentId: d.id,
      });
      return reply.code(202).send({ id: req.params.id, state: 'resuming', deploymentId: d.id });
    },
  );

  app.post(
    '/instances/:id/server/resize',
    {
      schema: {
        ...opSchema(z.object({ serverType: z.string().min(1).max(32) })),
        description: 'Hetzner change_type: off, change, on (a few minutes of downtime).',
      },
    },
    async (req, reply) => {
      const { u, snap } = adminOn(req, req.params.id);
      const { serverType } = req.body as { serverType: string };
      await life().resize(req.params.id, serverType).catch(providerError);
      await audit(ctx.db, `user:${u.id}`, 'instance.server_resize', req.params.id, snap.clientId, { serverType });
      return reply.code(202).send({ id: req.params.id, state: 'resizing' });
    },
  );

  app.post(
    '/instances/:id/server/move',
    {
      schema: {
        ...opSchema(z.object({ location: z.string().min(1).max(32) })),
        description: 'Snapshot, new server in another location from it, old one deleted.',
      },
    },
    async (req, reply) => {
      const { u, snap } = adminOn(req, req.params.id);
      const { location } = req.body as { location: string };
      await life().move(req.params.id, location, `user:${u.id}`).catch(providerError);
      await audit(ctx.db, `user:${u.id}`, 'instance.server_move', req.params.id, snap.clientId, { location });
      return reply.code(202).send({ id: req.params.id, state: 'moving' });
    },
  );
};
