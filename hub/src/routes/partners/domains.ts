import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { PartnerDomains } from '../../brands/domains.js';
import { wellKnownFetch } from '../../brands/well-known.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { errorSchema } from '../schemas.js';
import { txtLookup } from '../sso/domain-claims.js';
import { DOMAIN } from '../sso/domains.js';
import { dnsServers } from '../sso/oidc.js';
import { assertPartnerAccess } from './access.js';
import { partnerParams } from './brand.js';

const domainView = z.object({
  domain: z.string(),
  status: z.enum(['pending', 'verified']),
  txtName: z.string(),
  token: z.string(),
  wellKnownUrl: z.string(),
  verifiedBy: z.enum(['dns', 'http']).nullable(),
  verifiedAt: z.string().nullable(),
  createdAt: z.string(),
});
const domainParams = partnerParams.extend({ domain: DOMAIN });
const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema };

/**
 * A partner's custom domains: add one on the operator's allowlist (DS_PARTNER_DOMAINS), publish
 * the token as `_deepsignal.<domain>` TXT or at `http://<domain>/.well-known/deepsignal-verify`,
 * then `…/verify`. Only verified domains are served in the partner's brand.
 */
export const partnerDomainRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const servers = dnsServers(ctx.config.dnsServers);
  const domains = new PartnerDomains(
    ctx.db,
    ctx.config.partnerDomains,
    txtLookup(servers),
    wellKnownFetch({
      dnsServers: servers,
      port: ctx.config.partnerVerifyHttpPort,
      allowPrivate: ctx.config.partnerVerifyAllowPrivate,
    }),
  );
  /** Counts a refusal by its HTTP status before passing it on. */
  const counted = async <T>(reason: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof HttpError && (e.statusCode === 409 || e.statusCode === 422))
        ctx.stats.brandRefusals.inc({ reason });
      throw e;
    }
  };

  app.get(
    '/partners/:partnerId/domains',
    { schema: { tags: ['partners'], params: partnerParams, response: { 200: z.array(domainView), ...errors } } },
    async (req) => {
      await assertPartnerAccess(ctx, requireUser(req), req.params.partnerId, 'read');
      return domains.list(req.params.partnerId);
    },
  );

  app.post(
    '/partners/:partnerId/domains',
    {
      schema: {
        tags: ['partners'],
        params: partnerParams,
        body: z.object({ domain: DOMAIN }),
        response: { 200: domainView, 201: domainView, ...errors },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      await assertPartnerAccess(ctx, u, req.params.partnerId, 'write');
      const { domain, created } = await counted('domain', () => domains.add(req.params.partnerId, req.body.domain));
      if (created) await audit(ctx.db, `user:${u.id}`, 'partner.domain_add', domain.domain, null);
      return reply.code(created ? 201 : 200).send(domain);
    },
  );

  app.post(
    '/partners/:partnerId/domains/:domain/verify',
    { schema: { tags: ['partners'], params: domainParams, response: { 200: domainView, ...errors } } },
    async (req) => {
      const u = requireUser(req);
      await assertPartnerAccess(ctx, u, req.params.partnerId, 'write');
      const d = await counted('verification', () => domains.verify(req.params.partnerId, req.params.domain));
      await audit(ctx.db, `user:${u.id}`, 'partner.domain_verify', d.domain, null, { by: d.verifiedBy });
      return d;
    },
  );

  app.delete(
    '/partners/:partnerId/domains/:domain',
    { schema: { tags: ['partners'], params: domainParams, response: { 204: z.null(), ...errors } } },
    async (req, reply) => {
      const u = requireUser(req);
      await assertPartnerAccess(ctx, u, req.params.partnerId, 'write');
      await domains.remove(req.params.partnerId, req.params.domain);
      await audit(ctx.db, `user:${u.id}`, 'partner.domain_remove', req.params.domain.toLowerCase(), null);
      return reply.code(204).send(null);
    },
  );
};
