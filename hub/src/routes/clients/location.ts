import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertRole } from '../../auth/scope.js';
import { HetznerError } from '../../cloud/hetzner/errors.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { locationChoices, setClientLocation, UnknownLocation } from '../../deploy/region.js';
import { clientLocationSchema, errorSchema, idParams } from '../schemas.js';

const choicesSchema = z.object({
  locations: z.array(
    z.object({
      name: z.string(),
      city: z.string(),
      country: z.string(),
      description: z.string(),
      networkZone: z.string(),
    }),
  ),
  default: z.string(),
});

/** The hub's Hetzner trouble or a bad name as a readable API error. */
export function locationError(e: unknown): never {
  if (e instanceof UnknownLocation) throw new HttpError(400, HUB_ERR.VALIDATION, e.message);
  if (e instanceof HetznerError) throw new HttpError(503, HUB_ERR.UNAVAILABLE, e.describe());
  throw e;
}

/**
 * Data residency: the Hetzner location (city, country) a client's servers run in. Onboarding
 * offers the choice; an admin changes it here. New deployments of the client go there, and its
 * backups to that region's store when one is configured. Servers already running stay where they
 * are (moving one is `POST /instances/:id/server/move`).
 */
export const clientLocationRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/locations',
    {
      config: { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['clients'],
        summary: 'Locations a client can choose (Hetzner: city and country) and the default; empty without deploys',
        response: { 200: choicesSchema, 503: errorSchema },
      },
    },
    async () => locationChoices(ctx.deployments, ctx.config.deployLocation).catch(locationError),
  );

  app.put(
    '/clients/:id/location',
    {
      schema: {
        tags: ['clients'],
        params: idParams,
        body: z.object({ location: z.string().trim().min(1).max(32) }),
        response: { 200: clientLocationSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema, 503: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertRole(u, 'admin');
      if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [req.params.id]))[0]) throw notFound('client');
      const l = await setClientLocation(
        ctx.db,
        ctx.deployments,
        ctx.config.deployLocation,
        req.params.id,
        req.body.location,
      ).catch(locationError);
      await audit(ctx.db, `user:${u.id}`, 'client.location', req.params.id, req.params.id, { location: l.name });
      return l;
    },
  );
};
