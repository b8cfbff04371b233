import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { assertClient } from '../../auth/scope.js';
import { createSession } from '../../auth/sessions.js';
import { createUser } from '../../auth/users.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { ipAllowed } from '../../security/ip.js';
import { assertPublicUrl, OutboundRefused } from '../../security/outbound.js';
import { newSecret } from '../../util/ids.js';
import { sessionCookie } from '../auth/index.js';
import { publicBase } from '../auth/password-reset.js';
import { assertOwnerOrAdmin } from '../clients/access.js';
import { errorSchema, idParams } from '../schemas.js';
import { DOMAIN, ssoDomainRoutes } from './domains.js';
import { OidcLogins, SSO_SECRET } from './oidc.js';

const settingsView = z.object({
  issuer: z.string(),
  clientId: z.string(),
  allowedDomain: z.string(),
  autoProvision: z.boolean(),
  hasClientSecret: z.boolean(),
  /** The claim on allowedDomain: logins are routed only once it is verified. */
  domainStatus: z.enum(['pending', 'verified', 'expired']).nullable(),
});

/**
 * Single sign-on with OpenID Connect, configured per client (issuer, client id and secret, allowed
 * email domain, which the client must prove it holds: domains.ts) by its owner or the admin. `GET /auth/sso/start?email=`
 * (or `/auth/sso/:clientId/start`) sends the browser to the provider; the callback checks state, nonce, PKCE and the ID token, then the email domain,
 * and logs in the matching user of that client (or creates a viewer when auto-provisioning is on).
 */
export const ssoRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const logins = new OidcLogins(ctx);
  const callbackUrl = (req: FastifyRequest) => `${publicBase(ctx, req)}/api/v1/auth/sso/callback`;
  await app.register(ssoDomainRoutes, { ctx, claims: logins.domains });
  const view = async (clientId: string, s: { allowedDomain: string }) => ({
    hasClientSecret: (await ctx.secrets.list(clientId)).some((x) => x.name === SSO_SECRET),
    domainStatus: await logins.domains.status(clientId, s.allowedDomain),
  });

  app.get(
    '/clients/:id/sso',
    { schema: { tags: ['sso'], params: idParams, response: { 200: settingsView.nullable(), 404: errorSchema } } },
    async (req) => {
      assertClient(requireUser(req), req.params.id, 'client');
      const s = await logins.settings(req.params.id);
      if (!s) return null;
      return { ...s, ...(await view(req.params.id, s)) };
    },
  );

  app.put(
    '/clients/:id/sso',
    {
      schema: {
        tags: ['sso'],
        params: idParams,
        body: z.object({
          issuer: z.url().max(500),
          clientId: z.string().min(1).max(200),
          clientSecret: z.string().min(1).max(1000).optional(),
          allowedDomain: DOMAIN,
          autoProvision: z.boolean().default(false),
        }),
        response: { 200: settingsView, 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      if (!(await ctx.db.query('SELECT 1 FROM clients WHERE id = $1', [req.params.id]))[0]) throw notFound('client');
      try {
        // Checked here for a clear answer, and again on every connection (the name may change).
        await assertPublicUrl(new URL(req.body.issuer), logins.policy);
      } catch (e) {
        if (e instanceof OutboundRefused) throw new HttpError(400, HUB_ERR.VALIDATION, `issuer refused: ${e.message}`);
        throw e;
      }
      const { clientSecret, ...s } = req.body;
      s.allowedDomain = s.allowedDomain.toLowerCase();
      // A pending claim for the domain comes with the settings; it routes logins once verified.
      await logins.domains.claim(req.params.id, s.allowedDomain);
      if (clientSecret) await ctx.secrets.put(req.params.id, SSO_SECRET, clientSecret, `user:${u.id}`);
      await ctx.db.query(
        `INSERT INTO client_settings (client_id, oidc, updated_at) VALUES ($1,$2,now())
         ON CONFLICT (client_id) DO UPDATE SET oidc = EXCLUDED.oidc, updated_at = now()`,
        [req.params.id, JSON.stringify(s)],
      );
      logins.forget(req.params.id);
      await audit(ctx.db, `user:${u.id}`, 'sso.configure', req.params.id, req.params.id, s);
      return { ...s, ...(await view(req.params.id, s)) };
    },
  );

  app.delete(
    '/clients/:id/sso',
    { schema: { tags: ['sso'], params: idParams, response: { 204: z.null(), 403: errorSchema, 404: errorSchema } } },
    async (req, reply) => {
      const u = requireUser(req);
      assertOwnerOrAdmin(u, req.params.id);
      await ctx.db.query('UPDATE client_settings SET oidc = NULL WHERE client_id = $1', [req.params.id]);
      await ctx.secrets.delete(req.params.id, SSO_SECRET);
      logins.forget(req.params.id);
      await audit(ctx.db, `user:${u.id}`, 'sso.remove', req.params.id, req.params.id);
      return reply.code(204).send(null);
    },
  );

  /** Sends the browser to the client's provider, or says why it cannot. */
  const startLogin = async (clientId: string | null, req: FastifyRequest, reply: FastifyReply, missing: string) => {
    const s = clientId ? await logins.settings(clientId) : null;
    // Same answer for an unknown client and one without SSO.
    if (!clientId || !s) throw new HttpError(404, HUB_ERR.NOT_FOUND, missing);
    if ((await logins.domains.status(clientId, s.allowedDomain)) !== 'verified')
      throw new HttpError(409, HUB_ERR.SSO, 'single sign-on waits for its email domain to be verified');
    let target: string;
    try {
      target = await logins.start(clientId, s, callbackUrl(req));
    } catch (e) {
      req.log.warn({ err: (e as Error).message }, 'sso discovery failed');
      if (e instanceof OutboundRefused)
        throw new HttpError(502, HUB_ERR.SSO, `the identity provider is refused: ${e.message}`);
      throw new HttpError(502, HUB_ERR.SSO, 'the identity provider could not be reached');
    }
    return reply.redirect(target, 302);
  };

  app.get(
    '/auth/sso/:clientId/start',
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags: ['sso'], params: z.object({ clientId: z.string().min(1).max(64) }) },
    },
    async (req, reply) => startLogin(req.params.clientId, req, reply, 'single sign-on not found'),
  );

  // People know their work email, not their company's id: its domain finds the client.
  app.get(
    '/auth/sso/start',
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags: ['sso'], querystring: z.object({ email: z.email('enter a valid email').max(254) }) },
    },
    async (req, reply) => {
      const domain = req.query.email.slice(req.query.email.lastIndexOf('@') + 1);
      return startLogin(
        await logins.clientForDomain(domain),
        req,
        reply,
        'single sign-on is not set up for this email domain',
      );
    },
  );

  app.get(
    '/auth/sso/callback',
    { config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { tags: ['sso'] } },
    async (req, reply) => {
      const current = new URL(`${callbackUrl(req)}${req.url.slice(req.url.indexOf('?'))}`);
      let r: Awaited<ReturnType<OidcLogins['finish']>>;
      try {
        r = await logins.finish(current);
      } catch (e) {
        await audit(ctx.db, `ip:${req.ip}`, 'auth.sso_failed', null, null, { reason: (e as Error).message });
        throw new HttpError(401, HUB_ERR.SSO, `single sign-on failed: ${(e as Error).message}`);
      }
      const rows = await ctx.db.query<{ id: string; role: string; client_id: string | null; disabled: boolean }>(
        'SELECT id, role, client_id, disabled FROM users WHERE email = $1',
        [r.email],
      );
      let user = rows[0];
      if (user && (user.client_id !== r.clientId || user.disabled))
        throw new HttpError(403, HUB_ERR.SSO, 'this account cannot sign in here');
      if (!user) {
        if (!r.settings.autoProvision)
          throw new HttpError(403, HUB_ERR.SSO, 'ask your administrator for an invitation');
        const created = await createUser(ctx.db, {
          email: r.email,
          password: newSecret(),
          role: 'client_viewer',
          clientId: r.clientId,
        });
        await audit(ctx.db, 'system', 'user.create', created.id, r.clientId, { role: created.role, via: 'sso' });
        user = { id: created.id, role: created.role, client_id: r.clientId, disabled: false };
      }
      if (!ipAllowed(await ctx.allowlists.client(r.clientId), req.ip))
        throw new HttpError(403, HUB_ERR.IP_NOT_ALLOWED, `logins from ${req.ip} are not allowed for this account`);
      const token = await createSession(ctx.db, user.id);
      await audit(ctx.db, `user:${user.id}`, 'auth.login', user.id, r.clientId, { ip: req.ip, method: 'oidc' });
      reply.header('set-cookie', sessionCookie(token, req.protocol === 'https'));
      return reply.redirect(`${publicBase(ctx, req)}/`, 302);
    },
  );
};
