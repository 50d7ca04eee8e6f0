import { describe, expect, it } from "vitest";
import { compressRows, type CompressedRows } from "../../src/ml/compress-rows.js";
import { distinctRows, type DistinctRows } from "../../src/ml/distinct-rows.js";
import { predictProba } from "../../src/ml/logistic-regression.js";
import { take } from "../../src/ml/matrix.js";
import { RandomState } from "../../src/ml/numpy-random.js";
import { compressSelected, predictSelected, rowPatterns, selectPatterns } from "../../src/ml/row-patterns.js";
import { smoteCompressed, smoteCompressedSelected } from "../../src/ml/smote.js";
import { sparseTakeRows, type SparseMatrix } from "../../src/ml/sparse.js";

/** Element by element with Object.is, so that −0, NaN and the last bit count. */
function expectSameArrays(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  const differ = Array.from(a).findIndex((v, i) => !Object.is(v, b[i]));
  expect(differ, `${what}[${differ}]`).toBe(-1);
}

function expectSameCompressed(got: CompressedRows, want: CompressedRows): void {
  expect(got.X.rows).toBe(want.X.rows);
  expect(got.X.cols).toBe(want.X.cols);
  for (const k of ["indptr", "indices", "values"] as const) expectSameArrays(got.X[k], want.X[k], k);
  expectSameArrays(got.y, want.y, "y");
  expectSameArrays(got.w, want.w, "w");
}

function expectSameGroups(got: DistinctRows, want: DistinctRows): void {
  for (const k of ["pattern", "first", "ptr", "rows", "count"] as const) expectSameArrays(got[k], want[k], k);
}

/**
 * One-hot rows over `columns` columns of `levels` levels, some with a numeric entry (rounded, so it repeats), and a
 * few rows whose first value is 0, −0, NaN or another NaN payload: rows equal as numbers but not as bits.
 */
function design(n: number, columns: number, levels: number, seed: number, share: number): { X: SparseMatrix; y: Float64Array } {
  const rs = new RandomState(seed);
  const codes = rs.randint(0, levels, n * columns);
  const u = rs.uniform(n);
  const num = rs.uniform(n);
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const otherNaN = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0];
  for (let i = 0; i < n; ++i) {
    for (let c = 0; c < columns; ++c) {
      indices.push(c * levels + codes[i * columns + c]);
      values.push(1);
    }
    if (i % 3 === 0) {
      indices.push(columns * levels);
      values.push(Math.round(num[i] * 3) / 3);
    }
    if (i % 17 === 0) values[indptr[i]] = [0, -0, Number.NaN, otherNaN][(i / 17) % 4];
    indptr[i + 1] = indices.length;
  }
  const X = { rows: n, cols: columns * levels + 1, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
  return { X, y: Float64Array.from(u, (v) => (v < share ? 1 : 0)) };
}

/** A selection like a training fold: a shuffled share of the rows, with some rows repeated. */
function selection(n: number, seed: number, share: number): Int32Array {
  const rs = new RandomState(seed);
  const order = rs.permutation(n);
  const m = Math.round(n * share);
  const out = Array.from(order.subarray(0, m));
  for (let r = 0; r < m; r += 7) out.push(out[r]);
  return Int32Array.from(out);
}

describe("row patterns: selections grouped, merged and scored by pattern", () => {
  const cases = [
    [2_000, 2, 4, 1, 0.1],
    [1_500, 3, 3, 2, 0.3],
    [600, 1, 6, 3, 0.05],
  ] as const;

  it("selectPatterns gives distinctRows of the selection, bit for bit", () => {
    for (const [n, columns, levels, seed] of cases) {
      const { X } = design(n, columns, levels, seed, 0.1);
      const patterns = rowPatterns(X);
      expectSameArrays(patterns.pattern, distinctRows(X).pattern, "pattern");
      for (const share of [0.8, 0.2, 1]) {
        const select = selection(n, seed + 10, share);
        expectSameGroups(selectPatterns(patterns, select), distinctRows(X, select));
      }
    }
  });

  it("compressSelected gives compressRows of the taken rows, with and without weights, and for other labels", () => {
    for (const [n, columns, levels, seed, share] of cases) {
      const { X, y } = design(n, columns, levels, seed, share);
      const patterns = rowPatterns(X);
      // rows equal as numbers but not as bits make fewer number classes than patterns
      expect(patterns.classes).toBeLessThan(patterns.first.length);
      for (const s of [0.8, 0.25]) {
        const select = selection(n, seed + 20, s);
        const Xs = sparseTakeRows(X, select);
        const ys = take(y, select);
        expectSameCompressed(compressSelected(X, patterns, y, select), compressRows(Xs, ys));
        const w = Float64Array.from(ys, (v, r) => (v === 1 ? 2.5 : 0.1 + (r % 3) / 7));
        expectSameCompressed(compressSelected(X, patterns, y, select, w), compressRows(Xs, ys, w));
        const y3 = Float64Array.from(y, (v, i) => (i % 5 === 0 ? 2 : v));
        expectSameCompressed(compressSelected(X, patterns, y3, select), compressRows(Xs, take(y3, select)));
      }
    }
  });

  it("predictSelected gives predictProba of the taken rows", () => {
    const { X } = design(1_000, 2, 5, 4, 0.2);
    const patterns = rowPatterns(X);
    const rs = new RandomState(5);
    const model = { coef: rs.uniform(X.cols, -2, 2), intercept: -0.7, converged: true, iterations: 1, C: 1 };
    const select = selection(X.rows, 6, 0.3);
    expectSameArrays(predictSelected(model, X, patterns, select), predictProba(model, sparseTakeRows(X, select)), "p");
  });

  it("smoteCompressedSelected gives smoteCompressed of the taken rows", () => {
    for (const [n, columns, levels, seed, share] of cases) {
      const { X, y } = design(n, columns, levels, seed, share);
      const patterns = rowPatterns(X);
      const select = selection(n, seed + 30, 0.8);
      const Xs = sparseTakeRows(X, select);
      const ys = take(y, select);
      for (const options of [{ seed: 1 }, { seed: 2, kNeighbors: 3 }, { seed: 3, samplingStrategy: 0.5 }]) {
        expectSameCompressed(smoteCompressedSelected(X, patterns, y, select, options), smoteCompressed(Xs, ys, options));
      }
    }
  });
});
