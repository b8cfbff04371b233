import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HubContext } from '../../context.js';
import { alertListRoutes } from './alerts.js';
import { channelRoutes } from './channels.js';
import { maintenanceRoutes } from './maintenance.js';
import { alertRuleRoutes } from './rules.js';

/** Alerting API: rules, alerts, silences, maintenance windows, notification channels. */
export const alertRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  await app.register(alertRuleRoutes, { ctx });
  await app.register(alertListRoutes, { ctx });
  await app.register(channelRoutes, { ctx });
  await app.register(maintenanceRoutes, { ctx });
};
