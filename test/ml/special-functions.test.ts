import { describe, expect, it } from "vitest";
import { chiSquaredSurvival, logGamma, regularizedGammaQ } from "../../src/ml/special-functions.js";
import { riskRef } from "./risk-inference-reference.js";

describe("special functions", () => {
  it("chiSquaredSurvival(x, df) equals scipy's chi2.sf to 1e-12 relative", () => {
    let worst = 0;
    for (const { x, df, sf } of riskRef.chi2_sf as { x: number; df: number; sf: number }[]) {
      const v = chiSquaredSurvival(x, df);
      worst = Math.max(worst, sf === 0 ? Math.abs(v) : Math.abs(v - sf) / sf);
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it("chiSquaredSurvival(x, 1) is the two-sided normal tail and 1 at x ≤ 0", () => {
    expect(chiSquaredSurvival(1.959963984540054 ** 2, 1)).toBeCloseTo(0.05, 14);
    expect(chiSquaredSurvival(0, 3)).toBe(1);
    expect(chiSquaredSurvival(-1, 3)).toBe(1);
    expect(chiSquaredSurvival(2, 0)).toBeNaN();
  });

  it("logGamma(x) equals scipy's gammaln and regularizedGammaQ(1, x) = exp(−x)", () => {
    for (const { x, lgamma } of riskRef.log_gamma as { x: number; lgamma: number }[]) {
      expect(Math.abs(logGamma(x) - lgamma)).toBeLessThan(1e-13 * Math.max(1, Math.abs(lgamma)));
    }
    for (const x of [0.1, 1, 5, 40]) expect(regularizedGammaQ(1, x)).toBeCloseTo(Math.exp(-x), 15);
    expect(logGamma(0)).toBeNaN();
  });
});
