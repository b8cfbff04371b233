import type { HubClient } from '../hub-client.js';
import type { NewProposal } from '../hub-types.js';
import type { Llm } from '../llm.js';
import { hubReadTools } from './hub-read-tools.js';
import { hubWriteTools, type ModelProposal } from './propose-tools.js';

/** Model turns (Messages API calls) one investigation may take. */
export const MAX_MODEL_CALLS = 12;

/** What the model added to a run: its report text, the plans it proposed and the tools it used. */
export interface Investigation {
  llmSummary: string | null;
  llmError: string | null;
  modelProposals: ModelProposal[];
  modelToolCalls: string[];
}

export interface InvestigationRequest {
  system: string;
  /** The rules' findings of this run and what was already done about them. */
  facts: unknown;
  runId: string | null;
  /** Read tools only: nothing is posted. */
  dryRun: boolean;
  idempotencyKey?: (commands: NewProposal['commands']) => string | undefined;
  maxCalls?: number;
}

const RULES =
  'You work only through the tools, which are calls to the hub API. Read freely to check the facts. ' +
  'You never execute anything: to change something, call propose_action with the plan, its expected ' +
  "effect, risk and reasoning; the hub's policy decides and tells you whether it was issued, is " +
  'waiting for an admin, was recorded (dry run) or refused (with the code). Do not propose again what ' +
  'the rules already proposed. When a tool answers with an error, adapt or stop. End with a short ' +
  'report for the on-call operator (at most 6 sentences): what you checked, what you proposed and ' +
  "what the hub did, what needs a human. Use only facts from the findings and the tools' answers.";

/**
 * Hands the rules' findings to the model with the hub tools: it may investigate and propose,
 * and its final text is the run's summary. A failing model (errors after the SDK's retries,
 * 4xx, a bad answer) never fails the run: the rules' report stands and the error is returned.
 */
export async function investigate(llm: Llm, hub: HubClient, r: InvestigationRequest): Promise<Investigation> {
  const modelProposals: ModelProposal[] = [];
  const tools = [
    ...hubReadTools(hub),
    ...(r.dryRun
      ? []
      : hubWriteTools(hub, { runId: r.runId, proposals: modelProposals, idempotencyKey: r.idempotencyKey })),
  ];
  const system = `${r.system}\n\n${RULES}${r.dryRun ? '\nThis is a dry run: you can read, not propose.' : ''}`;
  try {
    const res = await llm.runTools({
      system,
      prompt: `Findings of this run (JSON):\n${JSON.stringify(r.facts, null, 1)}`,
      tools,
      maxIterations: r.maxCalls ?? MAX_MODEL_CALLS,
    });
    const cut = res.stopReason === 'tool_use' ? ` (stopped after ${res.calls} model calls)` : '';
    return {
      llmSummary: res.text ? `${res.text}${cut}` : null,
      llmError: res.text ? null : `model ${llm.model}: no report text${cut}`,
      modelProposals,
      modelToolCalls: res.toolCalls,
    };
  } catch (e) {
    return {
      llmSummary: null,
      llmError: `model ${llm.model}: ${(e as Error).message}`.slice(0, 300),
      modelProposals,
      modelToolCalls: [],
    };
  }
}
