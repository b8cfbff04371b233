import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/index.js';
import { HttpError, HUB_ERR } from './errors.js';
import { type AuthUser, tokenFrom, userForToken } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, when a valid bearer token or session cookie came with the request. */
    user: AuthUser | null;
  }
}

/** Resolves the caller of every /api request from the bearer token or the session cookie. */
export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db }) => {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (req) => {
    // The matched route, not the raw URL (`/%61pi/…` routes to /api too).
    if (!(req.routeOptions.url ?? req.url).startsWith('/api/')) return;
    req.user = await userForToken(opts.db, tokenFrom(req.headers));
  });
});

/** The caller, or a 401. */
export function requireUser(req: FastifyRequest): AuthUser {
  if (!req.user) throw new HttpError(401, HUB_ERR.UNAUTHORIZED, 'log in first (Authorization: Bearer <token>)');
  return req.user;
}
