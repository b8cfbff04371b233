/**
 * Thresholds of the orchestrator's incident rules (crash loop, provider key refused, dead channel,
 * memory leak, runaway token spend). Defaults suit a 60 s pass; a fast schedule (the scenario
 * suite in bench/) shrinks the windows with it.
 */
export interface IncidentPolicy {
  /** This many `openclaw.restart`s within the window, and OpenClaw down again: a crash loop. */
  crashLoopRestarts: number;
  crashLoopWindowSec: number;
  /** Error lines that say the provider refused the key (401), within the window, for a finding. */
  authFailures: number;
  authWindowSec: number;
  /** A disconnected channel counts once the gateway has been up this long (channels take a moment to connect). */
  channelGraceSec: number;
  /** Memory trend: least-squares over this window, sampled at this step. */
  memoryWindowSec: number;
  memoryStepSec: number;
  /** At least this many points, this fit (R²) and this rise (percentage points) over the window. */
  memoryMinPoints: number;
  memoryMinR2: number;
  memoryMinRisePct: number;
  /** ... and at this slope the memory threshold is reached within this long. */
  memoryHorizonSec: number;
  /** Token spend: the last `spendRecentSec` against the `spendBaselineSec` before it. */
  spendRecentSec: number;
  spendBaselineSec: number;
  /** Recent tokens per second at least this many times the baseline's, and at least `spendMinTokens` in total. */
  spendFactor: number;
  spendMinTokens: number;
  /** The baseline needs this many replies, else there is nothing to compare with. */
  spendMinBaselineReplies: number;
}

export const DEFAULT_INCIDENT_POLICY: IncidentPolicy = {
  crashLoopRestarts: 3,
  crashLoopWindowSec: 6 * 3600,
  authFailures: 5,
  authWindowSec: 600,
  channelGraceSec: 300,
  memoryWindowSec: 3600,
  memoryStepSec: 60,
  memoryMinPoints: 20,
  memoryMinR2: 0.8,
  memoryMinRisePct: 5,
  memoryHorizonSec: 6 * 3600,
  spendRecentSec: 900,
  spendBaselineSec: 6 * 3600,
  spendFactor: 5,
  spendMinTokens: 100_000,
  spendMinBaselineReplies: 10,
};
