import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HUB_ERR } from '../auth/errors.js';
import type { HubContext } from '../context.js';
import { placeholderPage } from '../placeholder.js';

/** The dashboard's static export (Next `output: 'export'`, `trailingSlash: true`), if it was built. */
export function dashboardDir(ctx: Pick<HubContext, 'config'>): string | null {
  const dir = resolve(ctx.config.dashboardDir ?? join(process.cwd(), 'dashboard/out'));
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

/** Paths that belong to the API side: their misses are JSON errors, never HTML. */
const isApiPath = (path: string) =>
  path === '/api' ||
  path.startsWith('/api/') ||
  path === '/metrics' ||
  path === '/healthz' ||
  path.startsWith('/docs/');

/**
 * Serves the dashboard export and decides what a miss returns:
 * - real files as they are (`/`, `/fleet/` -> `fleet/index.html`, `/_next/static/…` cached for a
 *   year since their names carry a content hash; HTML is revalidated every time);
 * - `/fleet` (no slash) -> 308 to `/fleet/` with the query kept, as trailingSlash expects;
 * - dynamic pages take ids in the query (`/instance/?id=…`), so any other path is unknown:
 *   the export's `404.html` with status 404 (index.html if the export has none);
 * - API paths and non-GET requests: the JSON error shape of the API.
 * Without an export, `/` shows a placeholder that says how to build it.
 */
export async function registerDashboard(app: FastifyInstance, ctx: Pick<HubContext, 'config'>): Promise<void> {
  const dir = dashboardDir(ctx);
  if (dir) {
    await app.register(fastifyStatic, {
      root: dir,
      wildcard: false,
      index: ['index.html'],
      redirect: false,
      setHeaders(res, path) {
        res.header(
          'cache-control',
          path.includes(`${join(dir, '_next', 'static')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    const [path, query] = splitUrl(req.url);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(path)) {
      return reply.code(404).send({ error: { code: HUB_ERR.NOT_FOUND, message: `no route ${req.method} ${path}` } });
    }
    if (!dir)
      return reply
        .code(path === '/' ? 200 : 404)
        .type('text/html')
        .send(placeholderPage());
    // Browsers and tools ask for /favicon.ico whatever the page declares: give them the SVG icon.
    if (path === '/favicon.ico' && existsSync(join(dir, 'icon.svg')))
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').sendFile('icon.svg');
    const clean = path.replace(/\/+$/, '');
    // A folder page asked without its trailing slash.
    if (clean && !clean.includes('..') && existsSync(join(dir, clean, 'index.html'))) {
      // One leading slash only: `//fleet/` would be a protocol-relative URL (another host).
      if (!path.endsWith('/')) return reply.redirect(`/${clean.replace(/^[/\\]+/, '')}/${query}`, 308);
      return reply.header('cache-control', 'no-cache').sendFile(join(clean, 'index.html').replace(/^\//, ''));
    }
    const notFound = existsSync(join(dir, '404.html')) ? '404.html' : 'index.html';
    return reply.code(404).header('cache-control', 'no-cache').sendFile(notFound);
  });
}

function splitUrl(url: string): [string, string] {
  const i = url.indexOf('?');
  let path = i < 0 ? url : url.slice(0, i);
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep it encoded: it will not match a file
  }
  return [path, i < 0 ? '' : url.slice(i)];
}
