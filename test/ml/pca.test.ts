import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pca, transformPca } from "../../src/ml/pca.js";
import { fromRows, toRows } from "../../src/ml/matrix.js";

interface PcaCase {
  data: string;
  n_components: number | null;
  components: number[][];
  explained_variance: number[];
  explained_variance_ratio: number[];
  singular_values: number[];
  mean: number[];
  n_components_: number;
  transformed_head: number[][];
}
const ref = JSON.parse(readFileSync(new URL("../reference/clustering.json", import.meta.url), "utf8")) as {
  data: Record<string, number[][]>;
  pca: PcaCase[];
};

describe("pca(X) equals scikit-learn's PCA(svd_solver='full')", () => {
  for (const [n, c] of ref.pca.entries()) {
    it(`case ${n}: ${c.data}, n_components = ${c.n_components}`, () => {
      const X = fromRows(ref.data[c.data]);
      const opts = c.n_components === null ? {} : c.n_components < 1 ? { varianceShare: c.n_components } : { components: c.n_components };
      const model = pca(X, opts);
      expect(model.nComponents).toBe(c.n_components_);
      expect(model.components.rows).toBe(c.n_components_);
      for (let k = 0; k < c.n_components_; ++k) {
        expect(Math.abs(model.explainedVarianceRatio[k] - c.explained_variance_ratio[k])).toBeLessThan(1e-8);
        expect(model.explainedVariance[k]).toBeCloseTo(c.explained_variance[k], 8);
        // a zero singular value comes out of the covariance route as sqrt(rounding), about 1e-7
        if (c.explained_variance_ratio[k] < 1e-10) expect(model.singularValues[k]).toBeLessThan(1e-6);
        else expect(model.singularValues[k]).toBeCloseTo(c.singular_values[k], 7);
      }
      for (let j = 0; j < X.cols; ++j) expect(model.mean[j]).toBeCloseTo(c.mean[j], 12);
      // axes of (numerically) zero variance are arbitrary within their null space: the one-hot blocks of the
      // mixed data each sum to 1, so only axes with variance compare
      const rows = toRows(model.components);
      for (let k = 0; k < c.n_components_; ++k) {
        if (c.explained_variance_ratio[k] < 1e-10) continue;
        for (let j = 0; j < X.cols; ++j) expect(Math.abs(rows[k][j] - c.components[k][j])).toBeLessThan(1e-6);
      }
      const head = transformPca(model, fromRows(ref.data[c.data].slice(0, 5)));
      const got = toRows(head);
      for (let i = 0; i < 5; ++i)
        for (let k = 0; k < c.n_components_; ++k) {
          if (c.explained_variance_ratio[k] < 1e-10) continue;
          expect(got[i][k]).toBeCloseTo(c.transformed_head[i][k], 6);
        }
    });
  }
});

describe("pca(X, options)", () => {
  const X = fromRows([
    [2, 0],
    [0, 1],
    [-2, 0],
    [0, -1],
  ]);

  it("finds the axes of a hand-checkable cross: variances 8/3 and 2/3", () => {
    const m = pca(X);
    expect(Array.from(m.explainedVariance)).toEqual([8 / 3, 2 / 3].map((v): unknown => expect.closeTo(v, 12)));
    expect(Array.from(m.explainedVarianceRatio)).toEqual([0.8, 0.2].map((v): unknown => expect.closeTo(v, 12)));
    expect(Math.abs(m.components.data[0])).toBeCloseTo(1, 12);
    expect(Math.abs(m.components.data[3])).toBeCloseTo(1, 12);
  });

  it("orients each axis so the largest projection is positive", () => {
    const m = pca(X);
    const T = transformPca(m, X);
    for (let c = 0; c < m.nComponents; ++c) {
      let best = 0;
      for (let i = 0; i < T.rows; ++i) if (Math.abs(T.data[i * T.cols + c]) > Math.abs(best)) best = T.data[i * T.cols + c];
      expect(best).toBeGreaterThan(0);
    }
  });

  it("keeps the fewest components whose share exceeds varianceShare", () => {
    expect(pca(X, { varianceShare: 0.5 }).nComponents).toBe(1);
    expect(pca(X, { varianceShare: 0.8 }).nComponents).toBe(2);
    expect(pca(X, { varianceShare: 0.79 }).nComponents).toBe(1);
  });

  it("components are orthonormal and the transform keeps the variance", () => {
    const Y = fromRows(ref.data.blobs);
    const m = pca(Y, { components: 3 });
    const W = toRows(m.components);
    for (let a = 0; a < 3; ++a)
      for (let b = 0; b < 3; ++b) {
        const dot = W[a].reduce((s, v, j) => s + v * W[b][j], 0);
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    const T = transformPca(m, Y);
    for (let c = 0; c < 3; ++c) {
      let s = 0;
      for (let i = 0; i < T.rows; ++i) s += T.data[i * 3 + c] ** 2;
      expect(s / (T.rows - 1)).toBeCloseTo(m.explainedVariance[c], 8);
    }
  });

  it("handles a constant feature (zero variance, zero loading on the leading axes)", () => {
    const Y = fromRows(ref.data.mixed_const);
    const m = pca(Y, { components: 2 });
    const p = Y.cols;
    expect(m.components.data[p - 1]).toBeCloseTo(0, 10);
    expect(m.components.data[2 * p - 1]).toBeCloseTo(0, 10);
  });

  it("rejects bad options", () => {
    expect(() => pca(X, { components: 3 })).toThrow("invalid components: 3 (expected 1..2)");
    expect(() => pca(X, { varianceShare: 1 })).toThrow("invalid varianceShare: 1");
    expect(() => pca(fromRows([[1, 2]]))).toThrow("invalid X: 1 rows");
  });
});
