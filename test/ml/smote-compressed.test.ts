import { describe, expect, it } from "vitest";
import { compressRows, type CompressedRows } from "../../src/ml/compress-rows.js";
import { RandomState } from "../../src/ml/numpy-random.js";
import { smote, smoteCompressed, type SmoteOptions } from "../../src/ml/smote.js";
import type { SparseMatrix } from "../../src/ml/sparse.js";

/** Element by element with Object.is, so that −0, NaN and the last bit count. */
function expectSameArrays(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  const differ = Array.from(a).findIndex((v, i) => !Object.is(v, b[i]));
  expect(differ, `${what}[${differ}]`).toBe(-1);
}

function expectSame(got: CompressedRows, want: CompressedRows): void {
  expect(got.X.rows).toBe(want.X.rows);
  expect(got.X.cols).toBe(want.X.cols);
  expectSameArrays(got.X.indptr, want.X.indptr, "indptr");
  expectSameArrays(got.X.indices, want.X.indices, "indices");
  expectSameArrays(got.X.values, want.X.values, "values");
  expectSameArrays(got.y, want.y, "y");
  expectSameArrays(got.w, want.w, "w");
}

/** What smoteCompressed stands for: SMOTE's rows, then merged. */
function viaRows(X: SparseMatrix, y: Float64Array, options: SmoteOptions): CompressedRows {
  const r = smote(X, y, options);
  return compressRows(r.X, r.y);
}

/** One-hot rows over `columns` categorical columns of `levels` levels each (many repeated rows). */
function oneHot(n: number, columns: number, levels: number, seed: number, positiveShare: number): { X: SparseMatrix; y: Float64Array } {
  const rs = new RandomState(seed);
  const codes = rs.randint(0, levels, n * columns);
  const indptr = Int32Array.from({ length: n + 1 }, (_, i) => i * columns);
  const indices = Int32Array.from(codes, (c, e) => (e % columns) * levels + c);
  const y = Float64Array.from(rs.uniform(n), (u) => (u < positiveShare ? 1 : 0));
  return { X: { rows: n, cols: columns * levels, indptr, indices, values: new Float64Array(n * columns).fill(1) }, y };
}

describe("smoteCompressed(X, y, options)", () => {
  it("gives compressRows of SMOTE's output bit for bit on one-hot rows with many repeats", () => {
    for (const [n, columns, levels, share, seed, k] of [
      [3_000, 3, 4, 0.1, 1, 5],
      [2_000, 2, 9, 0.03, 2, 5],
      [500, 4, 3, 0.3, 3, 2],
    ]) {
      const { X, y } = oneHot(n, columns, levels, seed, share);
      expectSame(smoteCompressed(X, y, { kNeighbors: k, seed }), viaRows(X, y, { kNeighbors: k, seed }));
    }
  });

  it("gives the same on rows that rarely repeat, with a numeric column, and with a sampling ratio", () => {
    const { X, y } = oneHot(1_500, 2, 5, 4, 0.15);
    const rs = new RandomState(9);
    const numeric = rs.uniform(X.rows, -2, 2);
    // each row gains a numeric entry in a last column (a few rows keep only their one-hot entries)
    const indptr = new Int32Array(X.rows + 1);
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < X.rows; ++i) {
      for (let a = X.indptr[i]; a < X.indptr[i + 1]; ++a) {
        indices.push(X.indices[a]);
        values.push(X.values[a]);
      }
      if (i % 50 !== 0) {
        indices.push(X.cols);
        values.push(Math.round(numeric[i] * 4) / 4);
      }
      indptr[i + 1] = indices.length;
    }
    const Z: SparseMatrix = {
      rows: X.rows,
      cols: X.cols + 1,
      indptr,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    };
    for (const options of [{ seed: 5 }, { seed: 6, samplingStrategy: 0.5 }, { seed: 7, kNeighbors: 3 }] as SmoteOptions[]) {
      const got = smoteCompressed(Z, y, options);
      expectSame(got, viaRows(Z, y, options));
      expect(got.X.rows).toBeLessThan(X.rows + (got.w.reduce((s, v) => s + v, 0) - X.rows));
    }
  });

  it("takes the long way for patterns with a stored 0, −0, NaN or infinity, and gives the same", () => {
    const { X, y } = oneHot(800, 2, 3, 8, 0.25);
    const values = X.values.slice();
    // odd values in some rows of each kind: every fourth positive row
    let seen = 0;
    for (let i = 0; i < X.rows; ++i) {
      if (y[i] !== 1 || seen++ % 4 !== 0) continue;
      values[X.indptr[i]] = [0, -0, Number.NaN, Number.POSITIVE_INFINITY][(seen >> 2) % 4];
    }
    const Z: SparseMatrix = { ...X, values };
    expectSame(smoteCompressed(Z, y, { seed: 3 }), viaRows(Z, y, { seed: 3 }));
  });

  it("merges the rows alone when the classes are already balanced, and refuses too few minority rows as smote does", () => {
    const { X } = oneHot(40, 2, 2, 10, 0.5);
    const y = Float64Array.from({ length: 40 }, (_, i) => i % 2);
    expectSame(smoteCompressed(X, y), viaRows(X, y, {}));
    const few = Float64Array.from({ length: 40 }, (_, i) => (i < 3 ? 1 : 0));
    expect(() => smoteCompressed(X, few)).toThrow("invalid kNeighbors: 5 needs at least 6 minority rows, got 3");
    expect(() => smote(X, few)).toThrow("invalid kNeighbors: 5 needs at least 6 minority rows, got 3");
  });
});
