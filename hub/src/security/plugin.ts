import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError, HUB_ERR } from '../auth/errors.js';
import { seesFleet } from '../auth/scope.js';
import { tokenFrom, userForToken, viaCookie } from '../auth/sessions.js';
import type { HubContext } from '../context.js';
import { ApiRateLimiter, parseApiRateLimits } from './api-rate-limit.js';
import { ipAllowed, isLoopback } from './ip.js';
import { originHost } from './proxy.js';
import { RedisRateWindows } from './rate-windows.js';
import { assertTenantIds, ownerResolvers } from './tenancy.js';
import { throttleStore } from './throttle-store.js';

/** A route as registered (collected with Fastify's onRoute hook; the route walker test reads it). */
export interface RouteEntry {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the security plugin, for audits and the route walker. */
    routeTable: RouteEntry[];
  }
  interface FastifyContextConfig {
    /** An API route anonymous callers may reach (everything else answers 401 without a login). */
    public?: boolean;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Cookie-authenticated unsafe requests must carry this header (a cross-site form cannot). */
export const CSRF_HEADER = 'x-ds-csrf';
/** Unsafe calls that need no CSRF header: they do not act on the session's behalf. */
const CSRF_EXEMPT = new Set([
  '/api/v1/auth/login',
  '/api/v1/auth/logout',
  '/api/v1/auth/password-reset',
  '/api/v1/auth/password-reset/confirm',
]);
/** API routes anyone may call (besides routes with `config: { public: true }`). */
const PUBLIC_ROUTES = new Set([...CSRF_EXEMPT]);
const COMMAND_ROUTE = '/api/v1/instances/:id/commands';
/** The support agent's write-back (triage note, draft, proposal): scope `support:triage`. */
const TRIAGE_ROUTE = '/api/v1/tickets/:id/triage';
/** The billing agent's review and runs: scope `billing:review`. */
const BILLING_REVIEW_ROUTES = new Set([
  '/api/v1/billing/holds',
  '/api/v1/billing/run',
  '/api/v1/billing/reminders/run',
]);
/** A draft knowledge-base article from a resolved ticket (an editor publishes it): scope `kb:propose`. */
const KB_PROPOSE_ROUTE = '/api/v1/tickets/:id/article';
/** What an ops agent writes (findings, proposals, runs, its own token rotation): scope `agent:report`. */
const AGENT_REPORT_ROUTES = new Set([
  '/api/v1/agent-findings',
  '/api/v1/agent-proposals',
  '/api/v1/agent-runs',
  '/api/v1/agent-runs/:id/finish',
  '/api/v1/ops-agents/:name/token/rotate',
  '/api/v1/experiments/:id/winner-proposal',
  '/api/v1/learning/persona-proposals',
]);

/** The onboarding agent's write-backs (answers, checks, welcome mails): scope `onboarding:help`. */
const ONBOARDING_HELP_ROUTES = new Set([
  '/api/v1/onboarding/help/:id/answer',
  '/api/v1/onboarding/checks/:check',
  '/api/v1/onboarding/welcome/:day',
]);

/** The matched route's path (`/api/v1/clients/:id`), else the decoded request path (404s). */
export function routePath(req: FastifyRequest): string {
  if (req.routeOptions.url) return req.routeOptions.url;
  const raw = req.url.split('?')[0];
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * What an API token's scopes allow: `read` for reads, `command:<type>` to issue that type,
 * `support:triage`, `billing:review`, `kb:propose`, `onboarding:help` and `agent:report` for the agents' write-backs.
 */
export function scopeAllows(scopes: readonly string[], method: string, route: string | undefined, body: unknown) {
  if (SAFE.has(method)) return scopes.includes('read');
  if (method === 'POST' && route === COMMAND_ROUTE) {
    const type = (body as { type?: unknown } | null)?.type;
    return typeof type === 'string' && scopes.includes(`command:${type}`);
  }
  if (method === 'POST' && route === TRIAGE_ROUTE) return scopes.includes('support:triage');
  if (method === 'POST' && route && BILLING_REVIEW_ROUTES.has(route)) return scopes.includes('billing:review');
  if (method === 'POST' && route === KB_PROPOSE_ROUTE) return scopes.includes('kb:propose');
  if (method === 'POST' && route && AGENT_REPORT_ROUTES.has(route)) return scopes.includes('agent:report');
  if (method === 'POST' && route && ONBOARDING_HELP_ROUTES.has(route)) return scopes.includes('onboarding:help');
  return false;
}

/**
 * Security around every request: security headers (helmet), CORS closed unless DS_CORS_ORIGINS,
 * rate limits (per route), and for authenticated API calls, in this order: IP allowlist (admin
 * side or the caller's client), CSRF for cookie sessions, API-token scopes, and the tenant check
 * on every id the request names. Runs before schema validation, so a foreign id is a 404 before
 * anything else is said about the request.
 */
export const securityPlugin = fp(async (app: FastifyInstance, { ctx }: { ctx: HubContext }) => {
  const routes: RouteEntry[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (r) => {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) routes.push({ method: m, url: r.url });
  });

  // The dashboard export and Swagger UI use inline scripts: the strict CSP goes on API answers.
  await app.register(helmet, { contentSecurityPolicy: false, global: true });
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/')) {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      reply.header('cache-control', 'no-store');
    }
  });
  const origins = (ctx.config.corsOrigins ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  await app.register(cors, { origin: origins.length ? origins : false, credentials: true });
  // Several hubs behind a balancer count a key's requests, and an address's logins, together on the
  // Redis their live stream already shares; one hub counts in its memory.
  const windowSec = ctx.config.apiRateWindowSec;
  const sharedWindows = ctx.config.redisUrl
    ? new RedisRateWindows(ctx.config.redisUrl, ctx.config.shareGroup, windowSec, ctx.log.child({ mod: 'api' }))
    : undefined;
  await sharedWindows?.ready();
  await app.register(rateLimit, {
    global: false,
    ...(sharedWindows ? { store: throttleStore(sharedWindows) } : {}),
    errorResponseBuilder: (_req, c) =>
      new HttpError(429, HUB_ERR.RATE_LIMITED, `too many requests; try again in ${Math.ceil(c.ttl / 1000)} s`),
  });

  const resolvers = ownerResolvers(ctx);
  const keyLimits = new ApiRateLimiter(
    ctx.db,
    parseApiRateLimits(ctx.config.apiRateLimits),
    windowSec,
    ctx.stats,
    Date.now,
    sharedWindows,
  );
  app.addHook('onClose', () => keyLimits.close());

  const checkIp = async (req: FastifyRequest) => {
    const u = req.user;
    if (!u) return;
    const list = seesFleet(u)
      ? await ctx.allowlists.admin()
      : u.clientId
        ? await ctx.allowlists.client(u.clientId)
        : [];
    if (!ipAllowed(list, req.ip))
      throw new HttpError(403, HUB_ERR.IP_NOT_ALLOWED, `requests from ${req.ip} are not allowed for this account`);
  };

  app.addHook('preValidation', async (req, reply) => {
    // Decide by the route the router matched, never by the raw URL: `/%6detrics` or `/%61pi/…`
    // reach the same handlers as `/metrics` and `/api/…`.
    const path = routePath(req);
    if (path === '/metrics') return guardMetrics(req);
    if (!path.startsWith('/api/')) return;
    if (!req.user) {
      // Anonymous callers learn nothing about a route's body or ids: 401 before validation.
      const cfg = req.routeOptions.config;
      if (
        req.routeOptions.url &&
        !cfg?.public &&
        !PUBLIC_ROUTES.has(req.routeOptions.url) &&
        !req.routeOptions.url.startsWith('/api/v1/auth/sso/')
      )
        throw new HttpError(401, HUB_ERR.UNAUTHORIZED, 'log in first (Authorization: Bearer <token>)');
      return;
    }
    // Client API keys are counted first: a refused call still spends from the key's budget.
    await keyLimits.take(req.user, reply);
    await checkIp(req);
    if (!SAFE.has(req.method) && viaCookie(req.headers) && !CSRF_EXEMPT.has(path)) {
      const origin = req.headers.origin;
      if (!req.headers[CSRF_HEADER] || (origin !== undefined && originHost(origin) !== req.headers.host))
        throw new HttpError(403, HUB_ERR.CSRF, `cookie sessions must send the ${CSRF_HEADER} header on ${req.method}`);
    }
    const u = req.user;
    if (u.scopes && !scopeAllows(u.scopes, req.method, req.routeOptions.url, req.body))
      throw new HttpError(403, HUB_ERR.SCOPE, 'this API token’s scopes do not allow this call');
    await assertTenantIds(req, resolvers);
  });

  /**
   * GET /metrics carries every instance and client id: operators (token or cookie) may read it, and
   * anonymous scrapers only from loopback or the admin allowlist; client users never.
   */
  async function guardMetrics(req: FastifyRequest) {
    const user = await userForToken(ctx.db, tokenFrom(req.headers));
    if (user) {
      if (!seesFleet(user) || (user.scopes && !user.scopes.includes('read')))
        throw new HttpError(403, HUB_ERR.FORBIDDEN, 'operators only');
      req.user = user;
      return checkIp(req);
    }
    const admin = await ctx.allowlists.admin();
    if (isLoopback(req.ip) || (admin.length > 0 && ipAllowed(admin, req.ip))) return;
    throw new HttpError(401, HUB_ERR.UNAUTHORIZED, 'log in as an operator to read /metrics');
  }
});
