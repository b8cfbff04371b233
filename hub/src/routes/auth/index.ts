import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import { seesFleet } from '../../auth/scope.js';
import { createSession, deleteSession, SESSION_COOKIE, SESSION_TTL_MS, tokenFrom } from '../../auth/sessions.js';
import { checkLogin } from '../../auth/users.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { ipAllowed } from '../../security/ip.js';
import { errorSchema, userSchema } from '../schemas.js';
import { passwordResetRoutes } from './password-reset.js';
import { securityAdminRoutes } from './security-admin.js';

/** `Secure` when the request came over HTTPS (directly or, with DS_TRUST_PROXY, via the proxy). */
export function sessionCookie(token: string, secure: boolean, maxAgeSec = SESSION_TTL_MS / 1000): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
}

/** Login (bearer token + httpOnly session cookie) with lockout and rate limit, logout, who am I. */
export const authRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.post(
    '/auth/login',
    {
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        body: z.object({ email: z.string().min(3).max(254), password: z.string().min(1).max(1024) }),
        response: { 200: z.object({ token: z.string(), user: userSchema }), 401: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const email = req.body.email.toLowerCase();
      const lockedMs = await ctx.logins.lockedFor(email, req.ip);
      if (lockedMs > 0) {
        await audit(ctx.db, `ip:${req.ip}`, 'auth.login_locked', email, null);
        throw new HttpError(
          429,
          HUB_ERR.LOCKED,
          `too many failed logins; try again in ${Math.ceil(lockedMs / 60_000)} min`,
        );
      }
      const user = await checkLogin(ctx.db, email, req.body.password);
      // Service accounts use API tokens only.
      if (!user || user.role === 'service') {
        const locked = await ctx.logins.failed(email, req.ip);
        await audit(ctx.db, `ip:${req.ip}`, locked ? 'auth.lockout' : 'auth.login_failed', email, null);
        throw new HttpError(401, HUB_ERR.BAD_LOGIN, 'wrong email or password');
      }
      const list = seesFleet(user)
        ? await ctx.allowlists.admin()
        : user.clientId
          ? await ctx.allowlists.client(user.clientId)
          : [];
      if (!ipAllowed(list, req.ip)) {
        await audit(ctx.db, `user:${user.id}`, 'auth.login_ip_refused', user.id, user.clientId, { ip: req.ip });
        throw new HttpError(403, HUB_ERR.IP_NOT_ALLOWED, `logins from ${req.ip} are not allowed for this account`);
      }
      await ctx.logins.succeeded(email, req.ip);
      const token = await createSession(ctx.db, user.id);
      await audit(ctx.db, `user:${user.id}`, 'auth.login', user.id, user.clientId, { ip: req.ip, method: 'password' });
      reply.header('set-cookie', sessionCookie(token, req.protocol === 'https'));
      return { token, user };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], response: { 204: z.null() } } }, async (req, reply) => {
    const token = tokenFrom(req.headers);
    // API tokens are revoked through /tokens, not by logging out.
    if (token && !token.startsWith('dsa_')) await deleteSession(ctx.db, token);
    if (req.user) await audit(ctx.db, `user:${req.user.id}`, 'auth.logout', req.user.id, req.user.clientId);
    reply.header('set-cookie', sessionCookie('', req.protocol === 'https', 0));
    return reply.code(204).send(null);
  });

  app.get('/auth/me', { schema: { tags: ['auth'], response: { 200: userSchema, 401: errorSchema } } }, async (req) => {
    const u = requireUser(req);
    return { id: u.id, email: u.email, role: u.role, clientId: u.clientId };
  });

  await app.register(passwordResetRoutes, { ctx });
  await app.register(securityAdminRoutes, { ctx });
};
