import { readFileSync } from "node:fs";
import type { Matrix } from "../../src/ml/matrix.js";
import type { SparseMatrix } from "../../src/ml/sparse.js";

/** The values written by test/reference/classification.py. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ref: any = JSON.parse(readFileSync(new URL("../reference/classification.json", import.meta.url), "utf8"));

export const f64 = (a: number[]): Float64Array => Float64Array.from(a);

export function refCsr(o: { rows: number; cols: number; indptr: number[]; indices: number[]; values: number[] }): SparseMatrix {
  return {
    rows: o.rows,
    cols: o.cols,
    indptr: Int32Array.from(o.indptr),
    indices: Int32Array.from(o.indices),
    values: Float64Array.from(o.values),
  };
}

export function refDense(): { X: Matrix; y: Float64Array; sw: Float64Array } {
  const d = ref.dense;
  return { X: { rows: d.rows, cols: d.cols, data: f64(d.X) }, y: f64(d.y), sw: f64(d.sample_weight) };
}

/** Largest absolute difference between two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
