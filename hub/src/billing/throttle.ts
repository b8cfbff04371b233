import { type OpenclawLimits, openclawLimits } from '@deepsignal/protocol';
import type { CommandService } from '../commands/service.js';

/**
 * The "throttle" hard limit: OpenClaw's own throughput settings, sent with `config.apply` (a
 * guarded change). Chosen because each one really lowers how many model calls the agent makes
 * per unit of time, without refusing anyone:
 * - `agents.defaults.maxConcurrent: 1`: one agent run at a time across all conversations (the
 *   gateway's `main` lane, default max(8, CPUs × 4)); others wait their turn in the queue.
 * - `agents.defaults.subagents.maxConcurrent: 1`: sub-agents cannot fan a run out either.
 * - `messages.queue.mode: collect` + `cap: 5`: messages that arrive during a run are answered
 *   together in one follow-up turn rather than each steering or starting a run; past 5 queued,
 *   the oldest are summarized.
 * - `messages.inbound.debounceMs: 5000`: a burst of messages within 5 s becomes one turn.
 */
export const THROTTLE_LIMITS: OpenclawLimits = {
  maxConcurrent: 1,
  subagentsMaxConcurrent: 1,
  queueMode: 'collect',
  queueCap: 5,
  inboundDebounceMs: 5000,
};

/** Every throttle key unset: OpenClaw's defaults. */
const DEFAULTS: OpenclawLimits = Object.fromEntries(Object.keys(THROTTLE_LIMITS).map((k) => [k, null]));

/**
 * What to send to lift a throttle: the values the sidecar reported before it applied it, or —
 * when that is unknown (the throttle never finished, or failed after patching) — OpenClaw's
 * defaults. A throttle that failed before changing anything (rolled back or refused) needs nothing.
 */
export async function limitsToRestore(commands: CommandService, throttleId: string): Promise<OpenclawLimits | null> {
  const v = await commands.get(throttleId);
  if (v?.status === 'succeeded') {
    const prev = openclawLimits.safeParse((v.result as { previousLimits?: unknown } | null)?.previousLimits);
    if (prev.success) return { ...DEFAULTS, ...prev.data };
  }
  if (v && (v.status === 'rejected' || v.status === 'canceled')) return null;
  return DEFAULTS;
}
