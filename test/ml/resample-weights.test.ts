import { describe, expect, it } from "vitest";
import { compressRows } from "../../src/ml/compress-rows.js";
import { fitLogisticRegression } from "../../src/ml/logistic-regression.js";
import {
  balancedSampleWeights,
  randomOverSample,
  randomOverSampleWeights,
  randomUnderSample,
  randomUnderSampleRows,
  randomUnderSampleWeights,
} from "../../src/ml/resample.js";
import { sparseFromDense, type SparseMatrix } from "../../src/ml/sparse.js";
import { f64, maxAbsDiff, ref, refCsr, refDense } from "./reference.js";

const bits = (a: ArrayLike<number>): string[] => Array.from(a, (v) => (Object.is(v, -0) ? "-0" : String(v)));

/** compressRows as openbeat wrote it before hashing: one string key per row (the oracle). */
function compressRowsByString(X: SparseMatrix, y: Float64Array, w?: Float64Array) {
  const groups = new Map<string, number>();
  const first: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < X.rows; ++i) {
    let key = `${y[i]}|`;
    for (let k = X.indptr[i]; k < X.indptr[i + 1]; ++k) key += `${X.indices[k]}:${X.values[k]},`;
    const g = groups.get(key);
    const wi = w ? w[i] : 1;
    if (g === undefined) {
      groups.set(key, first.length);
      first.push(i);
      weight.push(wi);
    } else weight[g] += wi;
  }
  return { first, weight };
}

function expectSameCompression(a: ReturnType<typeof compressRows>, b: ReturnType<typeof compressRows>): void {
  expect(Array.from(a.X.indptr)).toEqual(Array.from(b.X.indptr));
  expect(Array.from(a.X.indices)).toEqual(Array.from(b.X.indices));
  expect(bits(a.X.values)).toEqual(bits(b.X.values));
  expect(bits(a.y)).toEqual(bits(b.y));
  expect(bits(a.w)).toEqual(bits(b.w));
}

describe("compressRows(X, y, w)", () => {
  it("groups exactly as the string-key version: same first rows, order and summed weights", () => {
    const X = refCsr(ref.onehot.X);
    const y = f64(ref.onehot.y);
    const sw = Float64Array.from(y, (_, i) => 0.25 + (i % 7) / 3);
    for (const w of [undefined, sw]) {
      const c = compressRows(X, y, w);
      const o = compressRowsByString(X, y, w);
      expect(c.X.rows).toBe(o.first.length);
      expect(bits(c.w)).toEqual(bits(o.weight));
      expect(bits(c.y)).toEqual(bits(o.first.map((i) => y[i])));
    }
  });

  it("merges −0 with 0 and NaN with NaN, as the string keys did", () => {
    const X: SparseMatrix = {
      rows: 4,
      cols: 2,
      indptr: Int32Array.from([0, 1, 2, 3, 4]),
      indices: Int32Array.from([0, 0, 1, 1]),
      values: f64([0, -0, NaN, NaN]),
    };
    const c = compressRows(X, f64([1, 1, 0, 0]));
    const o = compressRowsByString(X, f64([1, 1, 0, 0]));
    expect(c.X.rows).toBe(2);
    expect(Array.from(c.w)).toEqual(o.weight);
    // −0 without any NaN beside it, and NaNs of two bit patterns without −0
    const nans = f64([1, 1, NaN, NaN]);
    new Uint32Array(nans.buffer)[7] ^= 0x00040000;
    expect(Number.isNaN(nans[3])).toBe(true);
    for (const values of [f64([0, -0, 2, 2]), nans]) {
      const Y: SparseMatrix = { ...X, values };
      expect(compressRows(Y, f64([1, 1, 0, 0])).X.rows).toBe(2);
      expect(Array.from(compressRows(Y, f64([1, 1, 0, 0])).w)).toEqual([2, 2]);
    }
    // labels: −0 merges with 0
    expect(compressRows({ ...X, values: f64([1, 1, 1, 1]), indices: Int32Array.from([0, 0, 0, 0]) }, f64([0, -0, 0, -0])).X.rows).toBe(1);
  });
});

describe("resampling as weights", () => {
  for (const c of ref.random_resample) {
    it(`randomOverSampleWeights counts imbalanced-learn's draws (seed ${c.seed}, strategy ${c.strategy})`, () => {
      const { y } = refDense();
      const samplingStrategy = c.strategy === "auto" ? "auto" : c.strategy;
      const w = randomOverSampleWeights(y, { seed: c.seed, samplingStrategy });
      const expected = new Float64Array(y.length);
      for (const i of c.over) expected[i] += 1;
      expect(Array.from(w)).toEqual(Array.from(expected));
      const u = randomUnderSampleWeights(y, { seed: c.seed, samplingStrategy });
      expect(Array.from(u.keys()).filter((i) => u[i] === 1)).toEqual([...c.under].sort((a, b) => a - b));
      expect(u.every((v) => v === 0 || v === 1)).toBe(true);
    });
  }

  it("over-sampling weights give the copies' distinct rows and counts, so the same fit, bit for bit", () => {
    const X = refCsr(ref.onehot.X);
    const y = f64(ref.onehot.y);
    const copies = randomOverSample(X, y, { seed: 3 });
    const fromCopies = compressRows(copies.X, copies.y);
    const fromWeights = compressRows(X, y, randomOverSampleWeights(y, { seed: 3 }));
    expectSameCompression(fromWeights, fromCopies);
    const a = fitLogisticRegression(fromCopies.X, fromCopies.y, { sampleWeight: fromCopies.w, tol: 1e-4 });
    const b = fitLogisticRegression(fromWeights.X, fromWeights.y, { sampleWeight: fromWeights.w, tol: 1e-4 });
    expect(bits(b.coef)).toEqual(bits(a.coef));
    expect(b.intercept).toBe(a.intercept);
  });

  it("under-sampling's kept rows, read in its order, give the copies' distinct rows and counts, so the same fit, bit for bit", () => {
    const X = refCsr(ref.onehot.X);
    const y = f64(ref.onehot.y);
    for (const [seed, samplingStrategy] of [
      [2, "auto"],
      [5, 0.5],
    ] as const) {
      const copies = randomUnderSample(X, y, { seed, samplingStrategy });
      const rows = randomUnderSampleRows(y, { seed, samplingStrategy });
      expect(Array.from(rows)).toEqual(Array.from(copies.sampleIndices));
      const fromCopies = compressRows(copies.X, copies.y);
      const fromRows = compressRows(X, y, undefined, rows);
      expect(fromRows.X.rows).toBeLessThan(rows.length);
      expectSameCompression(fromRows, fromCopies);
      const a = fitLogisticRegression(fromCopies.X, fromCopies.y, { sampleWeight: fromCopies.w, tol: 1e-4, ftol: 0 });
      const b = fitLogisticRegression(fromRows.X, fromRows.y, { sampleWeight: fromRows.w, tol: 1e-4, ftol: 0 });
      expect(bits(b.coef)).toEqual(bits(a.coef));
      expect(b.intercept).toBe(a.intercept);
    }
  });

  it("a selection read with weights sums the weights of the rows it lists, repeats included", () => {
    const X = refCsr(ref.onehot.X);
    const y = f64(ref.onehot.y);
    const w = Float64Array.from(y, (_, i) => 1 + (i % 3));
    const select = Int32Array.from({ length: 3 * X.rows }, (_, r) => (r * 7919) % X.rows);
    const copyW = Float64Array.from(select, (i) => w[i]);
    const indptr = new Int32Array(select.length + 1);
    const idx: number[] = [];
    const val: number[] = [];
    select.forEach((i, r) => {
      for (let k = X.indptr[i]; k < X.indptr[i + 1]; ++k) {
        idx.push(X.indices[k]);
        val.push(X.values[k]);
      }
      indptr[r + 1] = idx.length;
    });
    const copy: SparseMatrix = { rows: select.length, cols: X.cols, indptr, indices: Int32Array.from(idx), values: Float64Array.from(val) };
    expectSameCompression(
      compressRows(X, y, w, select),
      compressRows(
        copy,
        Float64Array.from(select, (i) => y[i]),
        copyW,
      ),
    );
  });

  it("under-sampling and class weights reach the copies' optimum", () => {
    const { X, y } = refDense();
    const S = sparseFromDense(X);
    const tight = { tol: 1e-9, ftol: 0 };
    const copies = randomUnderSample(S, y, { seed: 2 });
    const a = fitLogisticRegression(copies.X, copies.y, tight);
    const b = fitLogisticRegression(S, y, { ...tight, sampleWeight: randomUnderSampleWeights(y, { seed: 2 }) });
    expect(maxAbsDiff(b.coef, a.coef)).toBeLessThan(1e-7);
    expect(Math.abs(b.intercept - a.intercept)).toBeLessThan(1e-7);
    // class_weight="balanced" is weights already; scaling all weights by a constant changes C's meaning only.
    const w = balancedSampleWeights(y);
    const c = fitLogisticRegression(S, y, { ...tight, sampleWeight: w });
    const doubled = fitLogisticRegression(S, y, { ...tight, sampleWeight: w.map((v) => 2 * v), C: 0.5 });
    expect(maxAbsDiff(c.coef, doubled.coef)).toBeLessThan(1e-7);
  });
});
