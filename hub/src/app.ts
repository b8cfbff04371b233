import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { HttpError, HUB_ERR } from './auth/errors.js';
import { authPlugin } from './auth/plugin.js';
import type { HubContext } from './context.js';
import { databaseUnavailable } from './db/unavailable.js';
import { timeRequests } from './metrics/http.js';
import { agentOpsRoutes } from './routes/agent-ops/index.js';
import { alertRoutes } from './routes/alerts/index.js';
import { authRoutes } from './routes/auth/index.js';
import { billingRoutes, stripeWebhookRoute } from './routes/billing/index.js';
import { clientRoutes } from './routes/clients/index.js';
import { commandRoutes } from './routes/commands/index.js';
import { scheduledChangeRoutes } from './routes/commands/scheduled.js';
import { dataRoutes } from './routes/data/index.js';
import { deployDownloadRoutes } from './routes/deployments/downloads.js';
import { deploymentRoutes } from './routes/deployments/index.js';
import { withCommonErrors } from './routes/error-responses.js';
import { experimentRoutes } from './routes/experiments/index.js';
import { weeklyReportRoutes } from './routes/experiments/weekly-report.js';
import { instanceRoutes } from './routes/instances/index.js';
import { kbRoutes } from './routes/kb/index.js';
import { onboardingRoutes } from './routes/onboarding/index.js';
import { onboardingHelpRoutes } from './routes/onboarding-help/index.js';
import { brandRoutes } from './routes/partners/brand-routes.js';
import { partnerRoutes } from './routes/partners/index.js';
import { remoteOpsRoutes } from './routes/remote-ops.js';
import { ssoRoutes } from './routes/sso/index.js';
import { supportRoutes } from './routes/support/index.js';
import { systemRoutes } from './routes/system/index.js';
import { telemetryRoutes } from './routes/telemetry/index.js';
import { ticketRoutes } from './routes/tickets/index.js';
import { timelineRoutes } from './routes/timeline/index.js';
import { tokenRoutes } from './routes/tokens/index.js';
import { userRoutes } from './routes/users/index.js';
import { clientWebhookRoutes } from './routes/webhooks/index.js';
import { securityPlugin } from './security/plugin.js';
import { proxyTrust } from './security/proxy.js';
import { registerDashboard } from './web/spa.js';

export { dashboardDir } from './web/spa.js';

/**
 * Builds the Fastify app (no listen), so tests can use app.inject(). Every route has zod schemas;
 * errors always come out as `{"error":{"code","message"}}` without stack traces.
 */
export async function buildApp(ctx: HubContext): Promise<FastifyInstance> {
  const app = Fastify({
    // Request lines are noise at fleet scale; errors still log at error level.
    loggerInstance: ctx.log.child({ mod: 'http' }, { level: ctx.log.isLevelEnabled('debug') ? 'debug' : 'warn' }),
    bodyLimit: 1024 * 1024,
    trustProxy: proxyTrust(ctx.config.trustProxy),
    routerOptions: { maxParamLength: 200 },
    // Registering the API compiles every route's schemas: over a minute on a loaded 2-core server,
    // where the 10 s default made the hub exit at start.
    pluginTimeout: 180_000,
  }).withTypeProvider<ZodTypeProvider>();
  timeRequests(app as unknown as FastifyInstance, ctx.stats);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpError)
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
    if (hasZodFastifySchemaValidationErrors(err) || err.validation) {
      const detail = (err.validation ?? [])
        .slice(0, 3)
        .map((v) =>
          `${v.instancePath || (v.params as { issue?: { path?: unknown[] } })?.issue?.path?.join('.') || ''} ${v.message}`.trim(),
        )
        .join('; ');
      return reply.code(400).send({
        error: {
          code: HUB_ERR.VALIDATION,
          message: `${err.validationContext ?? 'request'}: ${detail || err.message}`,
        },
      });
    }
    if (databaseUnavailable(err)) {
      req.log.warn({ err: err.message }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({
          error: { code: HUB_ERR.UNAVAILABLE, message: 'the database is not reachable right now; try again shortly' },
        });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({
      error: {
        code: status === 500 ? HUB_ERR.INTERNAL : (err.code ?? HUB_ERR.VALIDATION),
        message: status === 500 ? 'internal error' : err.message,
      },
    });
  });

  await app.register(securityPlugin, { ctx });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Deep Signal hub API',
        version: '1.0.0',
        description: 'Fleet telemetry, instances and signed commands.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: withCommonErrors(jsonSchemaTransform),
  });
  // The OpenAPI document lists every route and schema: served unless turned off (DS_API_DOCS),
  // and off by default in production.
  if (ctx.config.apiDocs ?? process.env.NODE_ENV !== 'production')
    await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, { db: ctx.db });

  await app.register(
    async (api) => {
      await api.register(authRoutes, { ctx });
      await api.register(clientRoutes, { ctx });
      await api.register(userRoutes, { ctx });
      await api.register(partnerRoutes, { ctx });
      await api.register(tokenRoutes, { ctx });
      await api.register(dataRoutes, { ctx });
      await api.register(ssoRoutes, { ctx });
      await api.register(instanceRoutes, { ctx });
      await api.register(telemetryRoutes, { ctx });
      await api.register(commandRoutes, { ctx });
      await api.register(scheduledChangeRoutes, { ctx, scheduled: ctx.scheduledChanges });
      await api.register(supportRoutes, { ctx });
      await api.register(ticketRoutes, { ctx });
      await api.register(kbRoutes, { ctx });
      await api.register(onboardingRoutes, { ctx });
      await api.register(onboardingHelpRoutes, { ctx });
      await api.register(remoteOpsRoutes, { ctx });
      await api.register(alertRoutes, { ctx });
      if (ctx.clientWebhooks) await api.register(clientWebhookRoutes, { ctx, hooks: ctx.clientWebhooks });
      if (ctx.billing) await api.register(billingRoutes, { ctx, billing: ctx.billing });
      await api.register(deploymentRoutes, { ctx });
      await api.register(timelineRoutes, { ctx });
      await api.register(agentOpsRoutes, { ctx });
      await api.register(brandRoutes, { ctx });
      if (ctx.experiments) await api.register(experimentRoutes, { ctx, experiments: ctx.experiments });
      if (ctx.weeklyReports) await api.register(weeklyReportRoutes, { ctx, reports: ctx.weeklyReports });
    },
    { prefix: '/api/v1' },
  );
  await app.register(systemRoutes, { ctx });
  if (ctx.billing) await app.register(stripeWebhookRoute, { ctx, billing: ctx.billing });
  await app.register(deployDownloadRoutes, { ctx });

  // The dashboard export, its SPA/404 fallback and JSON 404s for API paths (web/spa.ts).
  await registerDashboard(app as unknown as FastifyInstance, ctx);
  return app as unknown as FastifyInstance;
}
