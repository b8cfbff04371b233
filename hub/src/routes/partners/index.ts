import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HubContext } from '../../context.js';
import { partnerBrandRoutes } from './brand.js';
import { partnerDomainRoutes } from './domains.js';
import { publicBrandRoutes } from './public-brand.js';

/** White-label: partners' brands and custom domains, and the brand of the host a page is on. */
export const brandRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  await app.register(partnerBrandRoutes, { ctx });
  await app.register(partnerDomainRoutes, { ctx });
  await app.register(publicBrandRoutes, { ctx });
};
