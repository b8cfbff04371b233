import type { Role } from '@deepsignal/protocol';

/** Command types that take `drain` (they restart the gateway or change what it runs on). */
export const DRAIN_TYPES = new Set([
  'openclaw.restart',
  'openclaw.update',
  'config.apply',
  'model.set',
  'change.rollback',
]);

/**
 * Fills `drain` when the caller gave none: people get the sidecar's default (on); ops agents
 * (service accounts) get the hub's `DS_AGENT_DRAIN` setting.
 */
export function withDrainDefault(
  type: string,
  params: Record<string, unknown>,
  role: Role,
  agentDrain: boolean,
): Record<string, unknown> {
  if (!DRAIN_TYPES.has(type) || params.drain !== undefined || role !== 'service') return params;
  return { ...params, drain: agentDrain };
}
