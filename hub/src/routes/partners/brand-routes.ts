import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../auth/plugin.js';
import type { HubContext } from '../../context.js';
import { assertPartnerAccess } from './access.js';
import { partnerBrandRoutes } from './brand.js';
import { partnerDomainRoutes } from './domains.js';
import { publicBrandRoutes } from './public-brand.js';

/** White-label: partners' brands and custom domains, and the brand of the host a page is on. */
export const brandRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  // Another partner's (or an unknown) partner id is a 404 before the body is validated, so a
  // refusal never tells an outsider what the route expects.
  app.addHook('preValidation', async (req) => {
    const partnerId = (req.params as { partnerId?: unknown }).partnerId;
    if (typeof partnerId === 'string')
      await assertPartnerAccess(ctx, requireUser(req), partnerId, req.method === 'GET' ? 'read' : 'write');
  });
  await app.register(partnerBrandRoutes, { ctx });
  await app.register(partnerDomainRoutes, { ctx });
  await app.register(publicBrandRoutes, { ctx });
};
