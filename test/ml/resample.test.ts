import { describe, expect, it } from "vitest";
import { balancedSampleWeights, randomOverSample, randomUnderSample } from "../../src/ml/resample.js";
import { sparseFromDense } from "../../src/ml/sparse.js";
import { f64, ref, refDense } from "./reference.js";

describe("randomOverSample / randomUnderSample", () => {
  for (const c of ref.random_resample) {
    it(`equal imbalanced-learn's sample_indices_ (seed ${c.seed}, strategy ${c.strategy})`, () => {
      const { X, y } = refDense();
      const samplingStrategy = c.strategy === "auto" ? "auto" : c.strategy;
      const over = randomOverSample(X, y, { seed: c.seed, samplingStrategy });
      expect(Array.from(over.sampleIndices)).toEqual(c.over);
      expect(over.X.rows).toBe(c.over.length);
      const under = randomUnderSample(X, y, { seed: c.seed, samplingStrategy });
      expect(Array.from(under.sampleIndices)).toEqual(c.under);
      expect(Array.from(under.y)).toEqual(c.under.map((i: number) => y[i]));
    });
  }

  it("keep sparse input sparse", () => {
    const { X, y } = refDense();
    const S = sparseFromDense(X);
    const out = randomUnderSample(S, y, { seed: 1 });
    expect(out.X.rows).toBe(ref.random_resample[0].under.length);
    expect("indptr" in out.X).toBe(true);
  });
});

describe("balancedSampleWeights(y)", () => {
  it("gives n / (2·n_c) so both classes weigh n/2", () => {
    const w = balancedSampleWeights(f64([0, 0, 0, 1]));
    expect(Array.from(w)).toEqual([4 / 6, 4 / 6, 4 / 6, 2]);
  });
});
