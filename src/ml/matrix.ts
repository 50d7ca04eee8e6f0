/**
 * A dense matrix stored **row-major**: element (i, j) is `data[i * cols + j]`. Every kernel in `ml/` takes and
 * returns this type; X is n×p (rows = samples, cols = features).
 */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** A zero-filled rows×cols matrix. */
export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** A matrix from an array of equal-length rows. */
export function fromRows(rows: ArrayLike<number>[]): Matrix {
  const n = rows.length;
  const p = n ? rows[0].length : 0;
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) {
    if (rows[i].length !== p) throw new Error(`invalid row ${i}: length ${rows[i].length} (expected ${p})`);
    for (let j = 0; j < p; ++j) data[i * p + j] = rows[i][j];
  }
  return { rows: n, cols: p, data };
}

/** The rows of X as plain arrays (for JSON and tests). */
export function toRows(X: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < X.rows; ++i) out.push(Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)));
  return out;
}

/** The rows of X at `index`, in that order, as a new matrix. */
export function takeRows(X: Matrix, index: ArrayLike<number>): Matrix {
  const p = X.cols;
  const out = new Float64Array(index.length * p);
  for (let r = 0; r < index.length; ++r) out.set(X.data.subarray(index[r] * p, index[r] * p + p), r * p);
  return { rows: index.length, cols: p, data: out };
}

/** Elements of `v` at `index`. */
export function take(v: Float64Array, index: ArrayLike<number>): Float64Array {
  const out = new Float64Array(index.length);
  for (let r = 0; r < index.length; ++r) out[r] = v[index[r]];
  return out;
}

/** Throws unless X is a well-formed matrix. */
export function checkMatrix(X: Matrix, name = "X"): void {
  // Untyped callers may pass anything, so the shape is checked at run time as well as by the type.
  const M = X as Partial<Matrix> | null | undefined;
  if (!M || !(M.data instanceof Float64Array)) throw new Error(`invalid ${name}: expected { rows, cols, data: Float64Array }`);
  if (X.data.length !== X.rows * X.cols) throw new Error(`invalid ${name}: data length ${X.data.length} (expected ${X.rows}×${X.cols})`);
}
