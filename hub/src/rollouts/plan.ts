/** Who a rollout targets. */
export type RolloutTarget =
  | { all: true }
  | { ids: string[] }
  | { selector: { plan?: string; label?: string; openclawVersion?: string } };

/** Item states besides the command states: not started yet, or skipped because it was offline. */
export const ITEM_PENDING = 'pending';
export const ITEM_SKIPPED = 'skipped';

/** Command outcomes that count as executed, and those of them that count as failures. [AWS IoT Jobs] */
export const EXECUTED = ['succeeded', 'failed', 'rejected', 'timed_out'] as const;
export const FAILURES = ['failed', 'rejected', 'timed_out'] as const;
/** Item states after which nothing more happens to the item. */
export const ITEM_FINAL = new Set<string>([...EXECUTED, 'canceled', ITEM_SKIPPED]);

/**
 * Splits the targets into waves: a canary wave of one instance first (when there is more than
 * one target), then waves of `waveSize` (or `wavePercent` of the targets, at least one).
 */
export function planWaves(ids: readonly string[], size: { waveSize?: number; wavePercent?: number }): string[][] {
  if (ids.length === 0) return [];
  const per = Math.max(1, size.waveSize ?? Math.ceil((ids.length * (size.wavePercent ?? 100)) / 100));
  const waves: string[][] = [];
  let rest = [...ids];
  if (per > 1 && rest.length > 1) {
    waves.push(rest.slice(0, 1));
    rest = rest.slice(1);
  }
  for (let i = 0; i < rest.length; i += per) waves.push(rest.slice(i, i + per));
  return waves;
}

/** Count of items per state. */
export type Counts = Record<string, number>;

/**
 * Whether the failure rate (failed + rejected + timed out over executed) has passed the
 * threshold, once at least `minExecuted` commands have finished.
 */
export function thresholdPassed(
  counts: Counts,
  rule: { maxFailureRate: number; minExecuted: number },
): { passed: boolean; executed: number; failures: number; rate: number } {
  const executed = EXECUTED.reduce((s, k) => s + (counts[k] ?? 0), 0);
  const failures = FAILURES.reduce((s, k) => s + (counts[k] ?? 0), 0);
  const rate = executed === 0 ? 0 : failures / executed;
  return {
    passed: executed > 0 && executed >= rule.minExecuted && rate > rule.maxFailureRate,
    executed,
    failures,
    rate,
  };
}
