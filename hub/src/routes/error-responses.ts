import type { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { ERROR_EXAMPLE, errorSchema } from './schemas.js';

type Transform = typeof jsonSchemaTransform;
type RouteSchema = { body?: unknown; querystring?: unknown; params?: unknown; response?: Record<string, unknown> };

/** Anonymous API routes that need no login (the security plugin's list). */
const isPublic = (url: string, config: unknown) =>
  (config as { public?: boolean } | undefined)?.public === true ||
  url.startsWith('/api/v1/auth/login') ||
  url.startsWith('/api/v1/auth/logout') ||
  url.startsWith('/api/v1/auth/password-reset') ||
  url.startsWith('/api/v1/auth/sso/');

const described = (description: string) => errorSchema.meta({ description, examples: [ERROR_EXAMPLE] });

/** The errors any API route can answer besides those it declares (its own declaration wins). */
function commonErrors(url: string, schema: RouteSchema, config: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (schema.body || schema.querystring || schema.params) out[400] = described('The request does not match the schema');
  if (!isPublic(url, config)) {
    out[401] = described('No valid session or API token');
    out[403] = described("The caller's role, token scopes or IP allowlist do not allow this call");
    out[429] = described('Over a rate limit (see the RateLimit and Retry-After fields)');
  }
  if (url.includes('/:')) out[404] = described("Unknown id, or another client's");
  out[503] = described('The database is not reachable right now; retry shortly');
  return out;
}

/**
 * The OpenAPI transform with the common errors of every API route added: 400 for a request its
 * schema refuses, 401 without a login, 403 (role, token scope, IP allowlist, CSRF), 404 for an
 * unknown or another client's id, 429 over a rate limit, 503 while the database is down. Only the document changes: the route's
 * own response schemas (and so what it may answer) stay as declared.
 */
export function withCommonErrors(transform: Transform): Transform {
  return (input) => {
    if (!input.url.startsWith('/api/')) return transform(input);
    const schema = (input.schema ?? {}) as RouteSchema;
    const response = { ...commonErrors(input.url, schema, input.route.config), ...(schema.response ?? {}) };
    return transform({ ...input, schema: { ...schema, response } as typeof input.schema });
  };
}
