import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../auth/plugin.js';
import { assertClient, assertRole } from '../../auth/scope.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { assertOwnerOrAdmin } from '../clients/access.js';
import { errorSchema, idParams } from '../schemas.js';
import type { DomainClaims } from './domain-claims.js';

/** An email domain as SSO settings and claims take it. */
export const DOMAIN = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'a domain like example.com');

const claimView = z.object({
  clientId: z.string(),
  domain: z.string(),
  status: z.enum(['pending', 'verified', 'expired']),
  /** The TXT record that proves the claim: name and value. */
  txtName: z.string(),
  txtValue: z.string(),
  expiresAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  verifiedBy: z.string().nullable(),
  createdAt: z.string(),
});
const domainParams = idParams.extend({ domain: DOMAIN });

/**
 * A client's claims on SSO email domains. Claiming gives a token to publish as
 * `_deepsignal-challenge.<domain>` TXT `deepsignal-verification=<token>`; `…/verify` makes the hub
 * look it up, `…/approve` is the operator's word instead. Unproven claims lapse after 7 days.
 * Several clients may hold pending claims on a domain; only one can be verified, and only a
 * verified claim routes logins. Withdrawing (owner) or revoking (admin) frees the domain.
 */
export const ssoDomainRoutes: FastifyPluginAsyncZod<{ ctx: HubContext; claims: DomainClaims }> = async (
  app,
  { ctx, claims },
) => {
  const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

  app.get(
    '/clients/:id/sso/domains',
    { schema: { tags: ['sso'], params: idParams, response: { 200: z.array(claimView), 404: errorSchema } } },
    async (req) => {
      assertClient(requireUser(req), req.params.id, 'client');
      return claims.list(req.params.id);
    },
  );

  app.post(
    '/clients/:id/sso/domains',
    {
      schema: {
        tags: ['sso'],
        params: idParams,
        body: z.object({ domain: DOMAIN }),
        response: { 200: claimView, 201: claimView, ...errors },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      const { claim, created } = await claims.claim(req.params.id, req.body.domain);
      if (created) await audit(ctx.db, `user:${u.id}`, 'sso.domain_claim', claim.domain, req.params.id);
      return reply.code(created ? 201 : 200).send(claim);
    },
  );

  app.post(
    '/clients/:id/sso/domains/:domain/verify',
    {
      schema: {
        tags: ['sso'],
        params: domainParams,
        response: { 200: claimView, 422: errorSchema, 502: errorSchema, ...errors },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      const claim = await claims.verifyByDns(req.params.id, req.params.domain);
      await audit(ctx.db, `user:${u.id}`, 'sso.domain_verify', claim.domain, req.params.id, { via: 'dns' });
      return claim;
    },
  );

  app.post(
    '/clients/:id/sso/domains/:domain/approve',
    { schema: { tags: ['sso'], params: domainParams, response: { 200: claimView, ...errors } } },
    async (req) => {
      const u = requireUser(req);
      assertClient(u, req.params.id, 'client');
      assertRole(u, 'admin');
      const claim = await claims.approve(req.params.id, req.params.domain, u.id);
      await audit(ctx.db, `user:${u.id}`, 'sso.domain_verify', claim.domain, req.params.id, { via: 'operator' });
      return claim;
    },
  );

  app.delete(
    '/clients/:id/sso/domains/:domain',
    { schema: { tags: ['sso'], params: domainParams, response: { 204: z.null(), ...errors } } },
    async (req, reply) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      const claim = await claims.remove(req.params.id, req.params.domain);
      await audit(ctx.db, `user:${u.id}`, 'sso.domain_remove', claim.domain, req.params.id, { was: claim.status });
      return reply.code(204).send(null);
    },
  );

  // The operator's view across clients: who claims a domain, who holds it.
  app.get(
    '/sso/domains',
    {
      schema: {
        tags: ['sso'],
        querystring: z.object({ domain: DOMAIN.optional() }),
        response: { 200: z.array(claimView), 403: errorSchema },
      },
    },
    async (req) => {
      assertRole(requireUser(req), 'admin', 'support');
      return claims.all(req.query.domain);
    },
  );
};
