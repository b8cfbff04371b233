import type { ModelProposal } from '../tools/propose-tools.js';
/** Thresholds and timings of the orchestrator's rules. */
export interface OrchestratorPolicy {
  /** OpenClaw must be down/not ready this long (as seen by this agent) before a restart. */
  graceSec: number;
  /** No `openclaw.restart` is issued to an instance within this long of the previous one (anyone's). */
  cooldownSec: number;
  /** Root-disk use above this percentage is a finding. */
  diskPct: number;
  /** Memory use above this percentage is a finding. */
  memoryPct: number;
  /** How long to wait for an issued restart to reach a final state (0: do not wait). */
  waitSec: number;
  /** Report what would be done, issue nothing. */
  dryRun: boolean;
  /** An offline instance whose server is not deleted at the provider is dead after this long. */
  failoverAfterSec: number;
  /** CPU or memory above this percentage over the whole pressure window: a bigger server. */
  pressurePct: number;
  pressureWindowSec: number;
  /** CPU and memory below these over the whole idle window, on a type above the smallest: a smaller one. */
  idleCpuPct: number;
  idleMemoryPct: number;
  idleWindowSec: number;
}

export const DEFAULT_POLICY: OrchestratorPolicy = {
  graceSec: 120,
  cooldownSec: 900,
  diskPct: 90,
  memoryPct: 90,
  waitSec: 120,
  dryRun: false,
  failoverAfterSec: 600,
  pressurePct: 85,
  pressureWindowSec: 1800,
  idleCpuPct: 10,
  idleMemoryPct: 30,
  idleWindowSec: 86_400,
};

/** What a finding is about. */
export type FindingKind =
  | 'openclaw_down'
  | 'openclaw_absent'
  | 'restart_failed'
  | 'disk_high'
  | 'memory_high'
  | 'offline'
  | 'never_connected'
  | 'server_dead'
  | 'cpu_pressure'
  | 'memory_pressure'
  | 'idle_oversized'
  | 'openclaw_behind'
  | 'sidecar_behind'
  // incident rules (incident-rules.ts)
  | 'crash_loop'
  | 'provider_key_rejected'
  | 'channel_down'
  | 'memory_leak'
  | 'token_spend_runaway';

/** What the orchestrator proposes: restarts, and the hub actions and updates of the fleet rules. */
export type ActionType =
  | 'openclaw.restart'
  | 'agent.pause'
  | 'instance.replace'
  | 'instance.resize'
  | 'openclaw.update'
  | 'sidecar.update';

/** What the orchestrator did (or would do) about a down OpenClaw, a leak or a runaway spend. */
export interface RestartAction {
  type: ActionType;
  /**
   * issued: proposed and executed by the hub (auto-approved); proposed: waiting for an admin;
   * recorded: the hub keeps the agent in dry-run; refused: the hub's policy said no (`detail`
   * has the HUB_ERR_POLICY_* code); would_issue: this agent's own --dry-run (nothing posted);
   * waiting_grace: down for less than the grace period; cooldown: a restart was issued within
   * the cooldown; in_flight: a restart has not finished; escalated: a crash loop, left to a
   * person; error: the hub could not be reached or refused the call.
   */
  decision:
    | 'issued'
    | 'proposed'
    | 'recorded'
    | 'refused'
    | 'would_issue'
    | 'waiting_grace'
    | 'cooldown'
    | 'in_flight'
    | 'escalated'
    | 'error';
  /** The hub's proposal, once posted. */
  proposalId?: string;
  commandId?: string;
  /** Final (or last seen) state of an issued command. */
  finalStatus?: string;
  detail: string;
}

/** One observation about one instance. */
export interface Finding {
  instanceId: string;
  hostname: string;
  clientId: string;
  kind: FindingKind;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  /** What the agent saw, posted with the finding. */
  evidence?: Record<string, unknown>;
  action?: RestartAction;
  /** The hub's id of the posted finding, or why posting failed. */
  findingId?: string;
  reportError?: string;
}

/** The result of one pass over the fleet. */
export interface OrchestratorReport {
  at: string;
  hub: string;
  dryRun: boolean;
  instances: number;
  counts: Record<string, number>;
  findings: Finding[];
  /** Restarts actually sent in this pass. */
  issued: string[];
  /** The hub's record of this pass (none with --dry-run or when the hub refused it). */
  runId?: string | null;
  runError?: string | null;
  /** Reads of the incident rules that failed (those rules skipped that instance this pass). */
  readErrors?: string[];
  /** The model's report when one is configured and the rules found something. */
  llmSummary?: string | null;
  llmError?: string | null;
  /** Plans the model proposed and what the hub did with each. */
  modelProposals?: ModelProposal[];
  /** The hub tools the model called, in order. */
  modelToolCalls?: string[];
}
