/** Significance tests for A/B experiments: plain formulas, no library, tested against known values. */

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** A test's result: the statistic, its two-sided p-value and B's estimate minus A's. */
export interface TestResult {
  statistic: number;
  p: number;
  diff: number;
}

/** Two-proportion z-test (pooled), two-sided: successes and trials of A and of B. */
export function twoProportionZ(sa: number, na: number, sb: number, nb: number): TestResult {
  if (na === 0 || nb === 0) return { statistic: 0, p: 1, diff: 0 };
  const pa = sa / na;
  const pb = sb / nb;
  const pooled = (sa + sb) / (na + nb);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
  if (se === 0) return { statistic: 0, p: 1, diff: pb - pa };
  const z = (pb - pa) / se;
  return { statistic: z, p: 2 * (1 - normalCdf(Math.abs(z))), diff: pb - pa };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[], m: number) => xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);

/** Welch's t-test (unequal variances), two-sided, with Welch–Satterthwaite degrees of freedom. */
export function welchT(a: readonly number[], b: readonly number[]): TestResult & { df: number } {
  if (a.length < 2 || b.length < 2) return { statistic: 0, p: 1, diff: 0, df: 0 };
  const ma = mean(a);
  const mb = mean(b);
  const va = variance(a, ma) / a.length;
  const vb = variance(b, mb) / b.length;
  if (va + vb === 0) return { statistic: 0, p: ma === mb ? 1 : 0, diff: mb - ma, df: a.length + b.length - 2 };
  const t = (mb - ma) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { statistic: t, p: studentTwoSided(t, df), diff: mb - ma, df };
}

/** Two-sided p of Student's t: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTwoSided(t: number, df: number): number {
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** Regularized incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes 6.4). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < 1e-30) d = 1e-30;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 200; m++) {
    for (const num of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + num * d;
      if (Math.abs(d) < 1e-30) d = 1e-30;
      c = 1 + num / c;
      if (Math.abs(c) < 1e-30) c = 1e-30;
      d = 1 / d;
      f *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-12) break;
  }
  return (front * f) / a;
}

/** ln Γ(x), Lanczos approximation (g = 7, 9 terms). */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let s = g[0];
  for (let i = 1; i < 9; i++) s += g[i] / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}
