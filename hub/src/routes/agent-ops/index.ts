import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { HubContext } from '../../context.js';
import { opsAgentRoutes } from './agents.js';
import { agentProposalRoutes } from './proposals.js';
import { agentReportRoutes } from './reports.js';
import { securityFactRoutes } from './security.js';

/** Agent Ops: agents' identities and policy, findings, proposals, runs, the security agent's facts. */
export const agentOpsRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  await app.register(opsAgentRoutes, { ctx });
  await app.register(agentReportRoutes, { ctx });
  await app.register(agentProposalRoutes, { ctx });
  await app.register(securityFactRoutes, { ctx });
};
