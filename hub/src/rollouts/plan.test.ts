import { describe, expect, it } from 'vitest';
import { planWaves, thresholdPassed } from './plan.js';

describe('rollout plan', () => {
  it('puts one canary first, then waves of the given size', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(planWaves(ids, { waveSize: 2 })).toEqual([['a'], ['b', 'c'], ['d', 'e'], ['f']]);
    expect(planWaves(ids, { waveSize: 1 })).toEqual([['a'], ['b'], ['c'], ['d'], ['e'], ['f']]);
    expect(planWaves(ids, { wavePercent: 50 })).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f']]);
    expect(planWaves(['x'], { waveSize: 10 })).toEqual([['x']]);
    expect(planWaves([], { waveSize: 3 })).toEqual([]);
  });

  it('aborts only past the threshold and after the minimum count', () => {
    const rule = { maxFailureRate: 0.25, minExecuted: 4 };
    expect(thresholdPassed({ failed: 2, succeeded: 1 }, rule).passed).toBe(false); // 3 < minExecuted
    expect(thresholdPassed({ failed: 1, succeeded: 3 }, rule).passed).toBe(false); // 25 % is not past 25 %
    expect(thresholdPassed({ timed_out: 1, rejected: 1, succeeded: 2, running: 5 }, rule)).toMatchObject({
      passed: true,
      executed: 4,
      failures: 2,
    });
    expect(thresholdPassed({ skipped: 9, canceled: 3 }, { maxFailureRate: 0, minExecuted: 0 }).passed).toBe(false);
  });
});
