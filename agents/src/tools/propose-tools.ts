import { createHash } from 'node:crypto';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import type { BetaRunnableTool } from '@anthropic-ai/sdk/lib/tools/BetaRunnableTool';
import { z } from 'zod';
import { type HubClient, HubError } from '../hub-client.js';
import type { NewProposal } from '../hub-types.js';
import { forModel } from './trim.js';

/** What the hub made of one of the model's proposals, as the report and the model see it. */
export interface ModelProposal {
  title: string;
  commands: NewProposal['commands'];
  /** `issued`: auto-approved and executed; `proposed`: waits for an admin; `recorded`: dry-run; `refused`. */
  decision: 'issued' | 'proposed' | 'recorded' | 'refused' | 'error';
  proposalId?: string;
  status?: string;
  code?: string;
  message?: string;
  commandIds?: string[];
}

/** The hub's proposal status in the words the model and the report use. */
export function decisionOf(status: string): ModelProposal['decision'] {
  if (status === 'pending' || status === 'approved') return 'proposed';
  if (status === 'dry_run') return 'recorded';
  if (status === 'refused' || status === 'rejected') return 'refused';
  return 'issued';
}

export interface WriteToolOptions {
  runId: string | null;
  /** Where each proposal's outcome is recorded for the run's report. */
  proposals: ModelProposal[];
  /** The idempotency key of a plan: the agent's own rule keys where the plan is one of theirs. */
  idempotencyKey?: (commands: NewProposal['commands']) => string | undefined;
}

const command = z.object({
  instanceId: z.string().min(1).max(100),
  type: z
    .string()
    .min(1)
    .max(60)
    .describe('a command type, e.g. openclaw.restart, openclaw.update, credentials.rotate'),
  params: z.record(z.string(), z.unknown()).default({}).describe("the command's params ({} when it takes none)"),
});

const planKey = (commands: NewProposal['commands']) =>
  createHash('sha256').update(JSON.stringify(commands)).digest('base64url').slice(0, 24);

/**
 * The model's only ways to change anything: `propose_action` posts a plan to the hub
 * (`POST /agent-proposals`), whose policy runs it, queues it for an admin or refuses it — the
 * model is told which; `post_finding` records what it found. Neither executes a command.
 */
export function hubWriteTools(hub: HubClient, o: WriteToolOptions): BetaRunnableTool[] {
  return [
    betaZodTool({
      name: 'propose_action',
      description:
        "Propose a plan of commands to the hub. The hub's policy decides: it may execute it at once (issued), " +
        'keep it for an admin (proposed), record it only (recorded, dry-run) or refuse it (refused, with a code). ' +
        'You cannot execute anything yourself. Propose only what the evidence supports.',
      inputSchema: z.object({
        title: z.string().min(3).max(200),
        commands: z.array(command).min(1).max(20),
        expectedEffect: z.string().min(3).max(1000),
        risk: z.enum(['low', 'medium', 'high']),
        reasoning: z.string().min(3).max(4000).describe('the evidence you read and why this plan follows'),
        findingId: z.string().max(100).optional(),
      }),
      run: async (a) => {
        const window = Math.floor(Date.now() / 900_000);
        const p: NewProposal = {
          ...a,
          ...(o.runId ? { runId: o.runId } : {}),
          idempotencyKey: o.idempotencyKey?.(a.commands) ?? `model-${planKey(a.commands)}-${window}`,
        };
        const out: ModelProposal = { title: a.title, commands: a.commands, decision: 'error' };
        o.proposals.push(out);
        try {
          const v = await hub.propose(p);
          Object.assign(out, {
            decision: decisionOf(v.status),
            proposalId: v.id,
            status: v.status,
            commandIds: v.outcomes.map((x) => x.commandId),
            ...(v.refusal ? { code: v.refusal.code, message: v.refusal.message } : {}),
          });
        } catch (e) {
          // A policy refusal is an answer, not a failure: the model learns the rule it ran into.
          if (!(e instanceof HubError) || !e.code.startsWith('HUB_ERR_POLICY_')) {
            out.message = (e as Error).message;
            throw e;
          }
          Object.assign(out, { decision: 'refused', code: e.code, message: e.message });
        }
        const { title: _t, commands: _c, ...answer } = out;
        return forModel(answer);
      },
    }),
    betaZodTool({
      name: 'post_finding',
      description: 'Record a problem you found that the rules did not report (kind, severity, what, evidence).',
      inputSchema: z.object({
        instanceId: z.string().max(100).optional(),
        kind: z.string().regex(/^[a-z][a-z0-9_]{2,59}$/),
        severity: z.enum(['info', 'warning', 'critical']),
        what: z.string().min(3).max(2000),
        evidence: z.record(z.string(), z.unknown()).default({}),
      }),
      run: async (a) => {
        const f = await hub.postFinding({
          ...a,
          ...(o.runId ? { runId: o.runId } : {}),
          evidence: { ...a.evidence, by: 'model' },
        });
        return forModel({ findingId: f.id });
      },
    }),
  ];
}
