import { describe, expect, it } from 'vitest';
import { normalCdf, regularizedBeta, studentTwoSided, twoProportionZ, welchT } from './stats.js';

describe('experiment statistics', () => {
  it('normal CDF matches tables', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
    expect(normalCdf(-2.5758)).toBeCloseTo(0.005, 4);
  });

  it('two-proportion z-test matches a worked example', () => {
    // 45/100 vs 60/100: pooled 0.525, z = 0.15 / sqrt(0.525·0.475·0.02) = 2.124, p = 0.0337
    const r = twoProportionZ(45, 100, 60, 100);
    expect(r.statistic).toBeCloseTo(2.124, 2);
    expect(r.p).toBeCloseTo(0.0337, 3);
    expect(r.diff).toBeCloseTo(0.15, 6);
    expect(twoProportionZ(0, 0, 1, 1).p).toBe(1);
  });

  it("Student's t and the incomplete beta match tables", () => {
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 8);
    // t = 2.228 with 10 df is the two-sided 5 % critical value
    expect(studentTwoSided(2.228, 10)).toBeCloseTo(0.05, 3);
    expect(studentTwoSided(2.576, 1e6)).toBeCloseTo(0.01, 3);
  });

  it("Welch's t-test: same data is p = 1, shifted data is significant", () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(welchT(a, a).p).toBeCloseTo(1, 6);
    const r = welchT(
      a,
      a.map((x) => x + 5),
    );
    expect(r.diff).toBe(5);
    // t = 5 / sqrt(6/8 + 6/8) = 4.08 with 14 df: p = 0.00112
    expect(r.p).toBeCloseTo(0.00112, 4);
    expect(welchT([1], [2, 3]).p).toBe(1);
  });
});
