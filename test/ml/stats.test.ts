import { describe, expect, it } from "vitest";
import { mean, normalQuantile, sd, wilsonInterval, Z95 } from "../../src/ml/stats.js";
import { ref } from "./reference.js";

describe("stats", () => {
  it("wilsonInterval(k, n) matches the textbook formula and edge cases", () => {
    // Newcombe (1998), Table I: 81/263 → 0.2553 to 0.3662; 0/10 → 0 to 0.2775.
    const [lo, hi] = wilsonInterval(81, 263);
    expect(lo).toBeCloseTo(0.2553, 4);
    expect(hi).toBeCloseTo(0.3662, 4);
    const [lo0, hi0] = wilsonInterval(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(0, 0)).toEqual([NaN, NaN]);
  });

  it("mean and sd (n − 1) equal numpy, NaN when undefined", () => {
    expect(sd(ref.stats.sd.x)).toBeCloseTo(ref.stats.sd.sd, 13);
    expect(mean([1, 2, 6])).toBe(3);
    expect(sd([4])).toBeNaN();
    expect(mean([])).toBeNaN();
  });

  it("normalQuantile(p) equals scipy's norm.ppf", () => {
    for (const [p, q] of ref.stats.norm_ppf) expect(normalQuantile(p)).toBeCloseTo(q, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(Z95, 14);
  });
});
