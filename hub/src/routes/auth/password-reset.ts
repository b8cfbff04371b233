import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR } from '../../auth/errors.js';
import { hashSecret } from '../../auth/password.js';
import { deleteUserSessions, hashToken } from '../../auth/sessions.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { errorSchema } from '../schemas.js';

/** How long a reset (or invitation) link stays valid. */
export const RESET_TTL_MS = 60 * 60_000;

/** Creates a one-time link for a user and mails it; returns the link (for invitations' answers, never logged). */
export async function sendPasswordLink(
  ctx: HubContext,
  user: { id: string; email: string },
  base: string,
  kind: 'reset' | 'invite',
  ttlMs = RESET_TTL_MS,
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  await ctx.db.query('INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1,$2,$3)', [
    hashToken(token),
    user.id,
    new Date(Date.now() + ttlMs),
  ]);
  // A partner's people get the link on the partner's verified domain, never on a request's Host.
  const link = `${(await ctx.brands.forRecipients(user.email)).linkBase ?? base}/reset-password/?token=${token}`;
  await ctx.mailer.send({
    to: user.email,
    subject: kind === 'invite' ? 'Your Deep Signal account' : 'Reset your Deep Signal password',
    text:
      kind === 'invite'
        ? `You were invited to Deep Signal. Choose your password here (valid ${Math.round(ttlMs / 3_600_000)} h):\n${link}\n`
        : `Someone asked to reset your password. If it was you, open this link within an hour:\n${link}\n\nIf not, ignore this mail.`,
  });
}

/**
 * The hub's public base URL for links it mails and redirects to: DS_PUBLIC_URL, else the address
 * the hub listens on (with a wildcard bind, the local address the request arrived at). Never the
 * request's Host or X-Forwarded-Host: anyone can send those, and a reset link pointing at their
 * host would hand them the token.
 */
export function publicBase(ctx: HubContext, req: FastifyRequest): string {
  if (ctx.config.publicUrl) return ctx.config.publicUrl.replace(/\/+$/, '');
  const addr = req.server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : ctx.config.httpPort;
  const bind = ctx.config.bind;
  const wildcard = bind === '0.0.0.0' || bind === '::';
  let host = wildcard ? req.socket?.localAddress || '127.0.0.1' : bind;
  if (host.startsWith('::ffff:') && host.includes('.')) host = host.slice(7);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Password reset through a one-time link: request (always 202) and confirm. */
export const passwordResetRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.post(
    '/auth/password-reset',
    {
      config: { rateLimit: { max: 5, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        body: z.object({ email: z.string().min(3).max(254) }),
        response: { 202: z.object({ ok: z.literal(true) }), 429: errorSchema },
      },
    },
    async (req, reply) => {
      const rows = await ctx.db.query<{ id: string; email: string; client_id: string | null }>(
        "SELECT id, email, client_id FROM users WHERE email = $1 AND NOT disabled AND role <> 'service'",
        [req.body.email.toLowerCase()],
      );
      // Same answer whether or not the account exists.
      if (rows[0]) {
        await sendPasswordLink(ctx, rows[0], publicBase(ctx, req), 'reset');
        await audit(ctx.db, `ip:${req.ip}`, 'auth.password_reset_requested', rows[0].id, rows[0].client_id);
      }
      return reply.code(202).send({ ok: true });
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        body: z.object({ token: z.string().min(10).max(200), password: z.string().min(10).max(1024) }),
        response: { 204: z.null(), 400: errorSchema },
      },
    },
    async (req, reply) => {
      const hash = await hashSecret(req.body.password);
      const used = await ctx.db.query<{ user_id: string }>(
        `UPDATE password_resets SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
         RETURNING user_id`,
        [hashToken(req.body.token)],
      );
      if (!used[0]) throw new HttpError(400, HUB_ERR.BAD_TOKEN, 'this link is invalid, used or expired');
      const u = await ctx.db.query<{ email: string; client_id: string | null }>(
        'UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email, client_id',
        [used[0].user_id, hash],
      );
      await deleteUserSessions(ctx.db, used[0].user_id);
      if (u[0]) await ctx.logins.clear(u[0].email);
      await audit(ctx.db, `user:${used[0].user_id}`, 'auth.password_reset', used[0].user_id, u[0]?.client_id ?? null);
      return reply.code(204).send(null);
    },
  );
};
