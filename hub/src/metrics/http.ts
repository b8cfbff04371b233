import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HubStats } from '../stats.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The `route` label: the route's template for the API and system routes (`/api/v1/instances/:id`,
 * never the raw URL or an id), `dashboard` for the dashboard's files (each file of the export is a
 * route of its own), `unknown` when no route matched (404s and the dashboard's fallback).
 */
export function routeLabel(req: FastifyRequest): string {
  const url = req.routeOptions.url;
  if (!url || req.is404) return 'unknown';
  if (url.startsWith('/api/') || url.startsWith('/docs') || url === '/metrics' || url === '/healthz') return url;
  return 'dashboard';
}

/**
 * Times every HTTP response into `ds_http_request_duration_seconds`, labelled by a known method
 * (else `OTHER`), the route label above and the status class (`2xx` … `5xx`): bounded sets only.
 */
export function timeRequests(app: FastifyInstance, stats: HubStats): void {
  app.addHook('onResponse', async (req, reply) => {
    stats.httpRequests.observe(
      {
        method: METHODS.has(req.method) ? req.method : 'OTHER',
        route: routeLabel(req),
        status_class: `${Math.floor(reply.statusCode / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
  });
}
