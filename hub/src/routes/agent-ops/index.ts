import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HubContext } from '../../context.js';
import { opsAgentRoutes } from './agents.js';
import { agentProposalRoutes } from './proposals.js';
import { agentReportRoutes } from './reports.js';

/** Agent Ops: agents' identities and policy, findings, proposals, runs. */
export const agentOpsRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  await app.register(opsAgentRoutes, { ctx });
  await app.register(agentReportRoutes, { ctx });
  await app.register(agentProposalRoutes, { ctx });
};
