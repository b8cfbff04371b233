import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { registerFleetMetrics } from '../../fleet/gauges.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../stats.js';

const health = z.object({
  status: z.string(),
  db: z.boolean(),
  broker: z.boolean(),
  timescale: z.object({
    active: z.boolean(),
    failingJobs: z.array(
      z.object({
        jobId: z.number(),
        proc: z.string(),
        hypertable: z.string().nullable(),
        error: z.string(),
        at: z.string(),
      }),
    ),
  }),
});

/** GET /healthz and GET /metrics (Prometheus text). */
export const systemRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  registerFleetMetrics(ctx, ctx.config.metricsPerInstance);
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        response: { 200: health, 503: health },
      },
    },
    async (_req, reply) => {
      const db =
        ctx.ready() &&
        ctx.ingest.dbHealthy &&
        (await ctx.db.query('SELECT 1').then(
          () => true,
          () => false,
        ));
      const broker = ctx.broker()?.ready() ?? false;
      const ok = db && broker;
      // Failing TimescaleDB jobs do not make the hub unready (ingest and queries still work), but
      // they are reported here so monitoring sees stale rollups or unapplied retention.
      const jobs = ctx.timescaleJobs ? await ctx.timescaleJobs.check() : [];
      return reply.code(ok ? 200 : 503).send({
        status: ok ? (jobs.length ? 'degraded' : 'ok') : 'starting',
        db,
        broker,
        timescale: { active: ctx.timescale, failingJobs: jobs },
      });
    },
  );

  app.get('/metrics', { schema: { tags: ['system'], response: { 200: z.string() } } }, async (_req, reply) => {
    reply.type(PROMETHEUS_CONTENT_TYPE);
    return ctx.stats.render();
  });
};
