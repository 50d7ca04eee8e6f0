import { describe, expect, it } from "vitest";
import { stratifiedHoldout, stratifiedKFold, temporalSplit } from "../../src/ml/model-selection.js";

const y = Float64Array.from({ length: 103 }, (_, i) => (i % 10 === 3 ? 1 : 0));

describe("stratifiedKFold(y, options)", () => {
  it("partitions the rows and keeps the class ratio in every fold", () => {
    const folds = stratifiedKFold(y, { folds: 5, seed: 1 });
    expect(folds).toHaveLength(5);
    const seen = new Int32Array(y.length);
    for (const { train, test } of folds) {
      expect(train.length + test.length).toBe(y.length);
      for (const i of test) seen[i]++;
      const pos = Array.from(test).filter((i) => y[i] === 1).length;
      expect(pos === 2 || pos === 3).toBe(true);
      expect(test.length === 20 || test.length === 21).toBe(true);
      expect(new Set([...train, ...test]).size).toBe(y.length);
    }
    expect(Array.from(seen).every((c) => c === 1)).toBe(true);
  });

  it("is deterministic per seed and differs across seeds", () => {
    const a = stratifiedKFold(y, { seed: 7 });
    expect(stratifiedKFold(y, { seed: 7 })).toEqual(a);
    expect(stratifiedKFold(y, { seed: 8 })).not.toEqual(a);
  });

  it("rejects folds outside 2..n", () => {
    expect(() => stratifiedKFold(y, { folds: 1 })).toThrow(/invalid folds/);
  });
});

describe("stratifiedHoldout(y, options)", () => {
  it("puts round(n_c·testSize) rows of each class in the test set", () => {
    const { train, test } = stratifiedHoldout(y, { testSize: 0.2, seed: 3 });
    expect(Array.from(test).filter((i) => y[i] === 1).length).toBe(2);
    expect(test.length).toBe(Math.round(93 * 0.2) + 2);
    expect(train.length + test.length).toBe(y.length);
  });
});

describe("temporalSplit(times, options)", () => {
  it("trains strictly earlier than it tests, ties going to the test set", () => {
    const times = Float64Array.from([5, 1, 3, 3, 2, 9, 7, 3]);
    const { train, test } = temporalSplit(times, { testSize: 0.5 });
    expect(Array.from(test).sort()).toEqual([0, 2, 3, 5, 6, 7]);
    expect(Math.max(...Array.from(train, (i) => times[i]))).toBeLessThan(Math.min(...Array.from(test, (i) => times[i])));
    expect(Array.from(temporalSplit(times, { testFrom: 7 }).test)).toEqual([5, 6]);
  });
});
