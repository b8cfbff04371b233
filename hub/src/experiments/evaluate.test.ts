import type { SessionOutcome } from '@deepsignal/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE, evaluate } from './evaluate.js';

/** mulberry32: a small seeded generator, so each simulated fleet is reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const session = (i: number, resolved: boolean, sentiment: number): SessionOutcome => ({
  sessionKey: `s${i}`,
  startedAt: i,
  userTurns: 1,
  resolved,
  handedOff: !resolved,
  askedForHuman: false,
  unanswered: false,
  sentiment,
  replyLength: 200,
  cost: 0.01,
});

/**
 * A simulated fleet: sessions alternate between the variants (as the hub assigns them), each
 * resolved with its variant's probability; the experiment is evaluated each time both variants
 * have grown by a session (between looks the decision cannot change: the first test evaluates
 * after every single session and checks that), until it decides.
 */
function run(seed: number, pA: number, pB: number) {
  const r = rng(seed);
  const a: SessionOutcome[] = [];
  const b: SessionOutcome[] = [];
  for (let i = 0; ; i++) {
    const toB = i % 2 === 1;
    const ok = r() < (toB ? pB : pA);
    (toB ? b : a).push(session(i, ok, ok ? 0.3 : -0.2 + (r() - 0.5) * 0.2));
    if (!toB || a.length % DEFAULT_RULE.minPerVariant !== 0) continue;
    const e = evaluate(a, b, DEFAULT_RULE, 0);
    if (e.decision !== 'continue') return e;
  }
}

describe('A/B decision', () => {
  it('a known effect (B resolves 65 % vs 50 %): B wins, and only once significant', () => {
    const r = rng(7);
    const a: SessionOutcome[] = [];
    const b: SessionOutcome[] = [];
    let decided = null as ReturnType<typeof evaluate> | null;
    for (let i = 0; i < 2 * DEFAULT_RULE.maxPerVariant && !decided; i++) {
      const toB = i % 2 === 1;
      const ok = r() < (toB ? 0.65 : 0.5);
      (toB ? b : a).push(session(i, ok, ok ? 0.3 : -0.2));
      const e = evaluate(a, b, DEFAULT_RULE, 0);
      if (e.decision === 'continue') {
        expect(e.winner).toBeNull();
        // Before the first look nothing is tested at all, however lopsided the start.
        if (Math.min(a.length, b.length) < DEFAULT_RULE.minPerVariant) expect(e.resolution).toBeNull();
        else expect(e.resolution?.p).toBeGreaterThanOrEqual(e.alphaPerLook);
      } else decided = e;
    }
    expect(decided?.decision).toBe('winner');
    expect(decided?.winner).toBe('B');
    expect(decided?.resolution?.p).toBeLessThan(decided?.alphaPerLook ?? 0);
    expect(decided?.alphaPerLook).toBeCloseTo(0.005, 6);
  });

  it('a known effect is found in most simulated fleets (power), always for B', () => {
    const results = Array.from({ length: 40 }, (_, s) => run(1000 + s, 0.5, 0.65));
    const winners = results.filter((e) => e.decision === 'winner');
    expect(winners.every((e) => e.winner === 'B')).toBe(true);
    expect(winners.length).toBeGreaterThanOrEqual(36);
  });

  it('no effect: over 300 simulated fleets a winner is declared at most at the alpha rate', () => {
    const results = Array.from({ length: 300 }, (_, s) => run(s + 1, 0.55, 0.55));
    const falseWinners = results.filter((e) => e.decision === 'winner').length;
    // Bonferroni over 10 looks keeps it below alpha = 5 % (15 of 300); binomial noise allowed.
    expect(falseWinners / results.length).toBeLessThanOrEqual(DEFAULT_RULE.alpha);
    expect(results.every((e) => e.decision !== 'continue')).toBe(true);
    expect(results.filter((e) => e.decision === 'no_winner')[0]?.reason).toMatch(/horizon/);
  });

  it('stops without a winner when the time limit passes', () => {
    const e = evaluate([session(1, true, 0)], [session(2, false, 0)], DEFAULT_RULE, 30);
    expect(e.decision).toBe('no_winner');
    expect(e.reason).toMatch(/28 days/);
  });

  it('refuses a winner whose users are significantly less happy', () => {
    const a = Array.from({ length: 100 }, (_, i) => session(i, i % 2 === 0, 0.5 + (i % 5) * 0.01));
    const b = Array.from({ length: 100 }, (_, i) => session(i, i % 10 !== 0, -0.5 + (i % 5) * 0.01));
    const e = evaluate(a, b, DEFAULT_RULE, 0);
    expect(e.decision).toBe('no_winner');
    expect(e.reason).toMatch(/sentiment/);
  });
});
