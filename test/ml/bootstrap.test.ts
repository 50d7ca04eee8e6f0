import { describe, expect, it } from "vitest";
import { bootstrapInterval } from "../../src/ml/bootstrap.js";
import { averagePrecision, rocAuc } from "../../src/ml/metrics/ranking.js";
import { sd } from "../../src/ml/stats.js";
import { riskRef } from "./risk-inference-reference.js";

const b = riskRef.bootstrap;
const y = Float64Array.from(b.y);
const score = Float64Array.from(b.score);

describe("bootstrapInterval(y, score, statistic, options)", () => {
  for (const [name, statistic] of [
    ["roc_auc", rocAuc],
    ["average_precision", averagePrecision],
  ] as const) {
    it(`equals a numpy RandomState loop with scikit-learn's ${name} draw for draw`, () => {
      const ref = b.stats[name];
      const got = bootstrapInterval(y, score, statistic, { replicates: b.B, seed: b.seed, level: b.level });
      expect(got.valid).toBe(b.B);
      expect(Math.abs(got.estimate - ref.estimate)).toBeLessThan(1e-12);
      expect(Math.abs(got.lower - ref.lower)).toBeLessThan(1e-12);
      expect(Math.abs(got.upper - ref.upper)).toBeLessThan(1e-12);
      expect(Math.abs(got.se - sd(ref.replicates))).toBeLessThan(1e-12);
    });
  }

  it("contains the point estimate, and narrows when the test set is four times larger", () => {
    const small = bootstrapInterval(y, score, rocAuc, { replicates: 300, seed: 1 });
    expect(small.lower).toBeLessThan(small.estimate);
    expect(small.upper).toBeGreaterThan(small.estimate);
    const y4 = Float64Array.from([...y, ...y, ...y, ...y]);
    const s4 = Float64Array.from([...score, ...score, ...score, ...score]);
    const big = bootstrapInterval(y4, s4, rocAuc, { replicates: 300, seed: 1 });
    expect(big.estimate).toBeCloseTo(small.estimate, 12);
    // the width scales like 1/√n: about half
    const ratio = (big.upper - big.lower) / (small.upper - small.lower);
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(0.7);
  });

  it("is deterministic by seed and keeps both classes, at the observed counts, in every resample", () => {
    const seen: number[] = [];
    const stat = (yy: Float64Array, ss: Float64Array): number => {
      seen.push(yy.reduce((s, v) => s + v, 0));
      return rocAuc(yy, ss);
    };
    const a = bootstrapInterval(y, score, stat, { replicates: 50, seed: 3 });
    const positives = y.reduce((s, v) => s + v, 0);
    expect(seen.every((v) => v === positives)).toBe(true);
    expect(bootstrapInterval(y, score, rocAuc, { replicates: 50, seed: 3 })).toEqual(a);
    expect(bootstrapInterval(y, score, rocAuc, { replicates: 50, seed: 4 }).lower).not.toBe(a.lower);
  });

  it("leaves NaN replicates out and refuses a single class", () => {
    let k = 0;
    const r = bootstrapInterval(y, score, () => (++k % 5 === 0 ? NaN : k), { replicates: 20 });
    expect(r.valid).toBe(16);
    expect(() => bootstrapInterval(Float64Array.from([0, 0]), Float64Array.from([0.1, 0.2]), rocAuc)).toThrow(/both classes/);
  });
});
