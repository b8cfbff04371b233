import type { NewProposal } from '../hub-types.js';
import type { ModelProposal } from '../tools/propose-tools.js';

/** A problem one of the security checks found, with what to propose about it. */
export interface SecurityFinding {
  /** Names the problem, not the run: the same problem seen again is not posted again. */
  dedupeKey: string;
  check: 'versions' | 'keys' | 'access' | 'anomalies';
  instanceId?: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  what: string;
  evidence: Record<string, unknown>;
  /** A plan for the hub's policy (runs, waits for approval or a maintenance window, or is refused). */
  proposal?: Omit<NewProposal, 'runId' | 'findingId' | 'idempotencyKey'>;
  /** Filled in when posted: the hub's finding id, or `seen` when an earlier run posted it. */
  posted?: { findingId: string | null; seen: boolean; error?: string };
  /** What the hub made of the proposal: its status, or why it was refused. */
  proposed?: { proposalId?: string; status: string; detail?: string };
}

/** One security pass: what it found and posted, and the model's report when one is configured. */
export interface SecurityReport {
  at: string;
  dryRun: boolean;
  instances: number;
  /** Every problem seen this run; `posted.seen` marks those an earlier run already posted. */
  findings: SecurityFinding[];
  /** Findings posted now (new problems). */
  newFindings: number;
  /** A check that could not run (the others still did). */
  errors: { check: SecurityFinding['check']; error: string }[];
  runId: string | null;
  /** The model's report, when one is configured and the checks found something new. */
  llmSummary?: string | null;
  llmError?: string | null;
  modelProposals?: ModelProposal[];
  modelToolCalls?: string[];
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
