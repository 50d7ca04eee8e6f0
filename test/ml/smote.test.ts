import { describe, expect, it } from "vitest";
import { fromRows } from "../../src/ml/matrix.js";
import { RandomState } from "../../src/ml/numpy-random.js";
import { smote } from "../../src/ml/smote.js";
import { isSparse, sparseTakeRows, sparseToDense } from "../../src/ml/sparse.js";
import { f64, maxAbsDiff, ref, refCsr, refDense } from "./reference.js";

describe("smote(X, y, options)", () => {
  for (const c of ref.smote_dense) {
    it(`equals imbalanced-learn's SMOTE on dense data (seed ${c.seed}, k ${c.k}, strategy ${c.strategy})`, () => {
      const { X, y } = refDense();
      const samplingStrategy = c.strategy === "auto" ? "auto" : c.strategy;
      const out = smote(X, y, { seed: c.seed, kNeighbors: c.k, samplingStrategy });
      expect(out.X.rows).toBe(c.rows);
      expect(Array.from(out.y)).toEqual(c.y);
      expect(out.X.data.subarray(0, X.data.length)).toEqual(X.data);
      expect(maxAbsDiff(out.X.data.subarray(X.data.length), c.synthetic)).toBeLessThan(1e-12);
    });
  }

  it("equals imbalanced-learn's SMOTE on sparse continuous data and returns CSR", () => {
    const c = ref.smote_sparse;
    const X = refCsr(c.X);
    const out = smote(X, f64(c.y), { seed: c.seed });
    expect(isSparse(out.X)).toBe(true);
    const expected = refCsr(c.resampled);
    expect(out.X.rows).toBe(expected.rows);
    expect(Array.from(out.y)).toEqual(c.y_resampled);
    expect(Array.from(out.X.indptr)).toEqual(Array.from(expected.indptr));
    expect(Array.from(out.X.indices)).toEqual(Array.from(expected.indices));
    expect(maxAbsDiff(out.X.values, expected.values)).toBeLessThan(1e-12);
  });

  it("puts each synthetic one-hot row on a segment to one of its k nearest minority rows (ties)", () => {
    const X = refCsr(ref.onehot.X);
    const y = f64(ref.onehot.y);
    const k = 5;
    const out = smote(X, y, { seed: 0, kNeighbors: k });
    expect(out.X.rows).toBe(ref.smote_onehot.rows);
    expect(out.y.reduce((s, v) => s + v, 0)).toBe(ref.smote_onehot.positives);
    const minority = Int32Array.from(Array.from(y.keys()).filter((i) => y[i] === 1));
    const Xc = sparseToDense(sparseTakeRows(X, minority));
    const m = minority.length;
    const p = X.cols;
    const dist = (a: number, b: number) => {
      let d = 0;
      for (let j = 0; j < p; ++j) d += (Xc.data[a * p + j] - Xc.data[b * p + j]) ** 2;
      return d;
    };
    // Same draws as imbalanced-learn: which minority row, then the step along the segment.
    const rs = new RandomState(0);
    const nNew = out.X.rows - X.rows;
    const draws = rs.randint(0, m * k, nNew);
    const steps = rs.uniform(nNew);
    const synth = sparseToDense(
      sparseTakeRows(
        out.X,
        Array.from({ length: nNew }, (_, s) => X.rows + s),
      ),
    );
    for (let s = 0; s < nNew; ++s) {
      const i = Math.floor(draws[s] / k);
      const u = steps[s];
      const kth = Array.from({ length: m }, (_, j) => dist(i, j)).sort((a, b) => a - b)[k];
      let found = false;
      for (let j = 0; j < m && !found; ++j) {
        if (dist(i, j) > kth) continue;
        let ok = true;
        for (let l = 0; l < p && ok; ++l) {
          const a = Xc.data[i * p + l];
          ok = Math.abs(synth.data[s * p + l] - (a + u * (Xc.data[j * p + l] - a))) < 1e-12;
        }
        found = ok;
      }
      expect(found).toBe(true);
    }
  });

  it("returns a copy when the classes are already balanced", () => {
    const X = fromRows([[0], [1], [2], [3]]);
    const out = smote(X, f64([0, 1, 0, 1]), { kNeighbors: 1 });
    expect(out.X.rows).toBe(4);
    expect(out.X.data).not.toBe(X.data);
  });

  it("rejects too few minority rows and bad ratios", () => {
    const X = fromRows([[0], [1], [2], [3], [4]]);
    expect(() => smote(X, f64([0, 0, 0, 1, 1]))).toThrow(/needs at least 6 minority rows/);
    expect(() => smote(X, f64([0, 0, 0, 1, 1]), { kNeighbors: 1, samplingStrategy: 0.5 })).toThrow(/would remove/);
  });
});
