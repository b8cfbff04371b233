import type { FastifyInstance, RouteOptions } from 'fastify';
import { ERROR_EXAMPLE, errorSchema } from './schemas.js';

/** Anonymous API routes that need no login (the security plugin's list). */
const isPublic = (r: RouteOptions) =>
  r.config?.public === true ||
  r.url.startsWith('/api/v1/auth/login') ||
  r.url.startsWith('/api/v1/auth/password-reset');

const described = (description: string) => errorSchema.meta({ description, examples: [ERROR_EXAMPLE] });

/**
 * Documents the errors every API route can answer, whatever the route itself declares: 400 for
 * a request its schema refuses, 401 without a login, 403 (role, token scope, IP allowlist, CSRF),
 * 404 for an unknown or another client's id, 429 over a rate limit. A route's own declaration of
 * a status wins. Added when a route is registered, so the OpenAPI document at /docs lists them
 * for every route, including ones added later.
 */
export function documentErrorResponses(app: FastifyInstance): void {
  app.addHook('onRoute', (r) => {
    if (!r.url.startsWith('/api/')) return;
    r.schema ??= {};
    const schema = r.schema as { body?: unknown; querystring?: unknown; params?: unknown; response?: object };
    schema.response ??= {};
    const response = schema.response as Record<string, unknown>;
    const add = (status: number, description: string) => {
      if (!(status in response) && !(String(status) in response)) response[status] = described(description);
    };
    if (schema.body || schema.querystring || schema.params) add(400, 'The request does not match the schema');
    if (!isPublic(r)) {
      add(401, 'No valid session or API token');
      add(403, "The caller's role, token scopes or IP allowlist do not allow this call");
      add(429, 'Over the rate limit (see the RateLimit and Retry-After fields)');
    }
    if (r.url.includes('/:')) add(404, "Unknown id, or another client's");
  });
}
