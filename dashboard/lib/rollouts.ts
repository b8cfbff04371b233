import type { CommandState } from './types';

/** Who a rollout targets. */
export type RolloutTarget =
  | { all: true }
  | { ids: string[] }
  | { selector: { plan?: string; label?: string; openclawVersion?: string } };

/** Body of POST /rollouts. */
export interface RolloutRequest {
  type: string;
  params: Record<string, unknown>;
  target: RolloutTarget;
  waveSize?: number;
  wavePercent?: number;
  pauseBetweenSec: number;
  maxFailureRate: number;
  minExecuted: number;
}

/** GET /rollouts/:id. */
export interface Rollout {
  id: string;
  status: string;
  type?: string;
  params?: Record<string, unknown>;
  target?: unknown;
  currentWave?: number;
  createdAt?: string;
  waves: {
    index: number;
    instances: { instanceId: string; commandId: string | null; status: CommandState | string }[];
  }[];
  counts: Record<string, number>;
}

/** Commands that make sense across many instances. */
export const ROLLOUT_COMMANDS = [
  { type: 'openclaw.update', label: 'Update OpenClaw', param: 'version', placeholder: 'e.g. 2026.9.6' },
  { type: 'model.set', label: 'Change model', param: 'model', placeholder: 'provider/model' },
  { type: 'openclaw.restart', label: 'Restart OpenClaw' },
  { type: 'agent.pause', label: 'Pause agents' },
  { type: 'agent.resume', label: 'Resume agents' },
  { type: 'ping', label: 'Ping' },
] as const;

export const ROLLOUT_FINAL = new Set(['succeeded', 'completed', 'done', 'failed', 'aborted', 'canceled']);
