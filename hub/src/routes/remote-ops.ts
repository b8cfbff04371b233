import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HubContext } from '../context.js';
import { auditRoutes } from './audit/index.js';
import { backupRoutes } from './backups/index.js';
import { consoleRoutes } from './console/index.js';
import { rolloutRoutes } from './rollouts/index.js';

/** Routes of remote operations: rollouts and announcements, audit, console, backups. */
export const remoteOpsRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  await app.register(rolloutRoutes, { ctx });
  await app.register(auditRoutes, { ctx });
  await app.register(consoleRoutes, { ctx });
  await app.register(backupRoutes, { ctx });
};
