import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import type { BetaRunnableTool } from '@anthropic-ai/sdk/lib/tools/BetaRunnableTool';
import { API_METRICS } from '@deepsignal/protocol';
import { z } from 'zod';
import type { HubClient } from '../hub-client.js';
import { forModel } from './trim.js';

const instanceId = z.string().min(1).max(100).describe('instance id, e.g. ins_…, as list_instances gives it');
const hours = (def: number, max: number) =>
  z.number().int().min(1).max(max).default(def).describe(`how many hours back (default ${def}, at most ${max})`);
const ago = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

/**
 * The model's read tools: each one GET call of the hub's API with the agent's own token, so the
 * hub's scopes and tenancy apply to the model exactly as to the agent. A refused or failed call
 * throws, and the tool runner hands it back to the model as a `tool_result` with `is_error`.
 */
export function hubReadTools(hub: HubClient): BetaRunnableTool[] {
  return [
    betaZodTool({
      name: 'list_instances',
      description:
        'Every instance of the fleet the agent may see: id, client, hostname, status, OpenClaw state, latest metrics.',
      inputSchema: z.object({ clientId: z.string().max(100).optional().describe('only this client') }),
      run: async (a) =>
        forModel(await hub.listInstances(a.clientId ? { clientId: a.clientId } : {}), { maxItems: 100 }),
    }),
    betaZodTool({
      name: 'get_instance',
      description:
        "One instance's health now: status, last seen, OpenClaw up/ready/error, latest metrics, sidecar and OpenClaw versions.",
      inputSchema: z.object({ instanceId }),
      run: async (a) => forModel(await hub.getInstance(a.instanceId)),
    }),
    betaZodTool({
      name: 'metrics_history',
      description: `One metric of an instance over time (points of [time, value]). Metrics: ${API_METRICS.join(', ')}.`,
      inputSchema: z.object({
        instanceId,
        metric: z.enum(API_METRICS),
        hours: hours(1, 168),
        step: z
          .string()
          .regex(/^\d{1,4}[smhd]$/)
          .optional()
          .describe('bucket like 1m, 5m, 1h'),
      }),
      run: async (a) => {
        const s = await hub.metrics(a.instanceId, { name: a.metric, from: ago(a.hours), step: a.step });
        return forModel({ ...s, points: s.points.slice(-120) }, { maxItems: 120 });
      },
    }),
    betaZodTool({
      name: 'recent_logs',
      description: 'Recent log lines of an instance (sidecar and OpenClaw), newest first; filter by level or words.',
      inputSchema: z.object({
        instanceId,
        level: z.enum(['debug', 'info', 'warn', 'error']).optional().describe('this level and above'),
        query: z.string().max(200).optional().describe('words the line contains'),
        hours: hours(1, 72),
        limit: z.number().int().min(1).max(100).default(30),
      }),
      run: async (a) =>
        forModel(await hub.logs(a.instanceId, { level: a.level, q: a.query, from: ago(a.hours), limit: a.limit }), {
          maxItems: a.limit,
        }),
    }),
    betaZodTool({
      name: 'command_history',
      description: 'Commands sent to an instance (restarts, updates…) with their state and error, newest first.',
      inputSchema: z.object({
        instanceId,
        type: z.string().max(60).optional().describe('only this command type, e.g. openclaw.restart'),
        limit: z.number().int().min(1).max(50).default(10),
      }),
      run: async (a) => forModel(await hub.listCommands(a.instanceId, { type: a.type, limit: a.limit })),
    }),
    betaZodTool({
      name: 'list_findings',
      description: 'Findings the ops agents already posted (kind, severity, what, evidence), newest first.',
      inputSchema: z.object({
        agent: z.string().max(40).optional(),
        instanceId: instanceId.optional(),
        limit: z.number().int().min(1).max(50).default(20),
      }),
      run: async (a) => forModel(await hub.listFindings(a)),
    }),
    betaZodTool({
      name: 'list_proposals',
      description:
        'Proposals the agents made and what the hub did with them (pending, approved, refused, succeeded…), newest first.',
      inputSchema: z.object({
        agent: z.string().max(40).optional(),
        status: z.string().max(120).optional().describe('comma-separated, e.g. pending,approved'),
        limit: z.number().int().min(1).max(50).default(20),
      }),
      run: async (a) => forModel(await hub.listProposals(a)),
    }),
    betaZodTool({
      name: 'kb_suggest',
      description: 'Knowledge-base articles matching some words (title, slug, rank).',
      inputSchema: z.object({ query: z.string().min(2).max(500) }),
      run: async (a) => forModel(await hub.kbSuggest(a.query)),
    }),
    betaZodTool({
      name: 'list_tickets',
      description: "Support tickets (the hub answers only where the agent's scope allows), most urgent first.",
      inputSchema: z.object({
        state: z.enum(['open', 'waiting_on_client', 'snoozed', 'resolved', 'closed']).optional(),
      }),
      run: async (a) => forModel(await hub.tickets(a.state ? { state: a.state } : {}), { maxItems: 30 }),
    }),
  ];
}
