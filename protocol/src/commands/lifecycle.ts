/**
 * Command lifecycle, after AWS IoT Jobs. [SPEC 6.4]
 *
 *   queued ──> delivered ──> running ──> succeeded | failed
 *     │            │            └──────> timed_out
 *     ├──> canceled (hub, only while queued)
 *     ├──> timed_out (hub, at expiry; an expired command never runs later)
 *     └──> rejected (sidecar refused it: signature, expiry, replay, unknown type…)
 */
export const COMMAND_STATES = [
  'queued',
  'delivered',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'canceled',
] as const;
export type CommandState = (typeof COMMAND_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<CommandState> = new Set([
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'canceled',
]);

const ORDER: Record<CommandState, number> = {
  queued: 0,
  delivered: 1,
  running: 2,
  succeeded: 3,
  failed: 3,
  timed_out: 3,
  rejected: 3,
  canceled: 3,
};

/**
 * Whether a command may move from one state to another. States only move forward; a terminal
 * state is final; `canceled` only from `queued`. Late or repeated reports are ignored. [SPEC 6.4]
 */
export function canTransition(from: CommandState, to: CommandState): boolean {
  if (TERMINAL_STATES.has(from)) return false;
  if (to === 'canceled') return from === 'queued';
  if (to === 'running' && from === 'running') return true; // progress updates
  return ORDER[to] > ORDER[from];
}
