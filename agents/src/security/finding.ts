import type { NewProposal } from '../hub-types.js';

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

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
