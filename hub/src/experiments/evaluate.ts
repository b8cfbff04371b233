import type { SessionOutcome } from '@deepsignal/protocol';
import { type TestResult, twoProportionZ, welchT } from './stats.js';

/** How an experiment decides. Stored with the experiment, so a later default change does not move it. */
export interface DecisionRule {
  /** Family-wise false-positive rate over all looks (default 0.05). */
  alpha: number;
  /** Sessions per variant before the first look, and between looks (default 100). */
  minPerVariant: number;
  /** Horizon: sessions per variant at the last look (default 1000). */
  maxPerVariant: number;
  /** Stop without a winner after this many days whatever the sample (default 28). */
  maxDays: number;
}

export const DEFAULT_RULE: DecisionRule = { alpha: 0.05, minPerVariant: 100, maxPerVariant: 1000, maxDays: 28 };

/** Outcome metrics of one variant's sessions. */
export interface VariantMetrics {
  sessions: number;
  /** Share resolved without a handoff, a request for a person, a failed or a missing reply. */
  resolutionRate: number;
  /** Mean of the sessions' mean user sentiment (scored sessions only), null when none. */
  sentimentMean: number | null;
  sentimentSessions: number;
  /** Mean characters per assistant reply. */
  replyLengthMean: number;
  /** Mean cost per session (USD). */
  costMean: number;
}

/** The state of an experiment's decision at a moment. */
export interface Evaluation {
  a: VariantMetrics;
  b: VariantMetrics;
  /** The look the data reached (0: not yet the minimum sample), out of `looks`. */
  look: number;
  looks: number;
  /** alpha / looks: the threshold each look is tested at (Bonferroni over the planned looks). */
  alphaPerLook: number;
  /** Tests on the look's fixed sample (null before the first look). */
  resolution: TestResult | null;
  sentiment: (TestResult & { df: number }) | null;
  decision: 'continue' | 'winner' | 'no_winner';
  winner: 'A' | 'B' | null;
  reason: string;
}

export function metricsOf(s: readonly SessionOutcome[]): VariantMetrics {
  const n = s.length;
  const scored = s.map((x) => x.sentiment).filter((x): x is number => x !== null);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((p, q) => p + q, 0) / xs.length : 0);
  return {
    sessions: n,
    resolutionRate: n ? s.filter((x) => x.resolved).length / n : 0,
    sentimentMean: scored.length ? avg(scored) : null,
    sentimentSessions: scored.length,
    replyLengthMean: avg(s.map((x) => x.replyLength)),
    costMean: avg(s.map((x) => x.cost)),
  };
}

/**
 * The decision, with a fixed horizon split into planned looks: after every `minPerVariant`
 * sessions per variant, up to `maxPerVariant` (K looks). Each look tests the first n sessions of
 * each variant (a fixed sample, so re-evaluating between looks changes nothing) at alpha / K:
 * Bonferroni over the looks keeps the chance of declaring a winner when there is no effect at or
 * below alpha however often results are read ("peeking" is safe).
 *
 * The primary metric is resolution without handoff (two-proportion z-test); a winner is declared
 * when it differs significantly, unless the winner's sentiment is significantly worse (Welch's
 * t-test at the same threshold), which stops the experiment without a winner. Sentiment, reply
 * length and cost are reported for the operator.
 */
export function evaluate(
  sessionsA: readonly SessionOutcome[],
  sessionsB: readonly SessionOutcome[],
  rule: DecisionRule,
  elapsedDays: number,
): Evaluation {
  const looks = Math.max(1, Math.ceil(rule.maxPerVariant / rule.minPerVariant));
  const alphaPerLook = rule.alpha / looks;
  const smaller = Math.min(sessionsA.length, sessionsB.length);
  const look = Math.min(looks, Math.floor(smaller / rule.minPerVariant));
  const base = { a: metricsOf(sessionsA), b: metricsOf(sessionsB), look, looks, alphaPerLook };
  const expired = elapsedDays >= rule.maxDays;
  if (look === 0) {
    return {
      ...base,
      resolution: null,
      sentiment: null,
      decision: expired ? 'no_winner' : 'continue',
      winner: null,
      reason: expired
        ? `stopped after ${rule.maxDays} days before ${rule.minPerVariant} sessions per variant`
        : `waiting for ${rule.minPerVariant} sessions per variant (${smaller} so far)`,
    };
  }
  const n = Math.min(look * rule.minPerVariant, rule.maxPerVariant);
  const a = [...sessionsA].sort((x, y) => x.startedAt - y.startedAt).slice(0, n);
  const b = [...sessionsB].sort((x, y) => x.startedAt - y.startedAt).slice(0, n);
  const resolved = (s: SessionOutcome[]) => s.filter((x) => x.resolved).length;
  const resolution = twoProportionZ(resolved(a), a.length, resolved(b), b.length);
  const scores = (s: SessionOutcome[]) => s.map((x) => x.sentiment).filter((x): x is number => x !== null);
  const sentiment = welchT(scores(a), scores(b));
  const at = { ...base, resolution, sentiment };
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  if (resolution.p < alphaPerLook) {
    const winner = resolution.diff > 0 ? 'B' : 'A';
    const worseMood = sentiment.p < alphaPerLook && (winner === 'B' ? sentiment.diff < 0 : sentiment.diff > 0);
    if (worseMood)
      return {
        ...at,
        decision: 'no_winner',
        winner: null,
        reason: `${winner} resolves more but its users' sentiment is significantly worse`,
      };
    return {
      ...at,
      decision: 'winner',
      winner,
      reason: `${winner} resolves ${pct(Math.abs(resolution.diff))} more (p = ${resolution.p.toPrecision(2)} < ${alphaPerLook.toPrecision(2)} at look ${look}/${looks}, ${n} sessions each)`,
    };
  }
  if (look >= looks || expired)
    return {
      ...at,
      decision: 'no_winner',
      winner: null,
      reason: `no significant difference (p = ${resolution.p.toPrecision(2)}) ${expired ? `after ${rule.maxDays} days` : `at the horizon of ${rule.maxPerVariant} sessions per variant`}`,
    };
  return {
    ...at,
    decision: 'continue',
    winner: null,
    reason: `not significant at look ${look}/${looks} (p = ${resolution.p.toPrecision(2)}, needs < ${alphaPerLook.toPrecision(2)})`,
  };
}
