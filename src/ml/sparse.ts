import type { Matrix } from "./matrix.js";

/**
 * A sparse matrix in compressed sparse row (CSR) form, like scipy's `csr_matrix`: the non-zeros of row i are
 * `values[k]` at column `indices[k]` for k in `indptr[i] .. indptr[i + 1] - 1`, columns ascending within a row.
 * One-hot design matrices (a few non-zeros per row) use this to keep kernels O(nnz).
 */
export interface SparseMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** True when X is a {@link SparseMatrix} (has `indptr`), false for a dense {@link Matrix}. */
export function isSparse(X: Matrix | SparseMatrix): X is SparseMatrix {
  return (X as SparseMatrix).indptr instanceof Int32Array;
}

/** The CSR form of a dense matrix, keeping only non-zero entries. */
export function sparseFromDense(X: Matrix): SparseMatrix {
  const { rows: n, cols: p, data } = X;
  let nnz = 0;
  for (let k = 0; k < data.length; ++k) if (data[k] !== 0) ++nnz;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let k = 0;
  for (let i = 0; i < n; ++i) {
    const row = i * p;
    for (let j = 0; j < p; ++j) {
      const v = data[row + j];
      if (v !== 0) {
        indices[k] = j;
        values[k++] = v;
      }
    }
    indptr[i + 1] = k;
  }
  return { rows: n, cols: p, indptr, indices, values };
}

/** The dense row-major form of a CSR matrix. */
export function sparseToDense(S: SparseMatrix): Matrix {
  const { rows: n, cols: p, indptr, indices, values } = S;
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) {
    for (let k = indptr[i]; k < indptr[i + 1]; ++k) data[i * p + indices[k]] += values[k];
  }
  return { rows: n, cols: p, data };
}

/** The rows of S at `index`, in that order (repeats allowed), as a new CSR matrix. */
export function sparseTakeRows(S: SparseMatrix, index: ArrayLike<number>): SparseMatrix {
  const { indptr, indices, values } = S;
  const m = index.length;
  const outPtr = new Int32Array(m + 1);
  for (let r = 0; r < m; ++r) {
    const i = index[r];
    if (!(i >= 0 && i < S.rows)) throw new Error(`invalid row index: ${i} (expected 0..${S.rows - 1})`);
    outPtr[r + 1] = outPtr[r] + indptr[i + 1] - indptr[i];
  }
  const nnz = outPtr[m];
  const outIdx = new Int32Array(nnz);
  const outVal = new Float64Array(nnz);
  // Rows hold a few entries each (one per categorical feature), so a copy loop beats two subarray views per row.
  let o = 0;
  for (let r = 0; r < m; ++r) {
    const i = index[r];
    for (let k = indptr[i], b = indptr[i + 1]; k < b; ++k, ++o) {
      outIdx[o] = indices[k];
      outVal[o] = values[k];
    }
  }
  return { rows: m, cols: S.cols, indptr: outPtr, indices: outIdx, values: outVal };
}

/** Stacks CSR matrices with the same number of columns on top of each other. */
export function sparseVstack(parts: SparseMatrix[]): SparseMatrix {
  if (parts.length === 0) throw new Error("invalid sparseVstack: no matrices");
  const p = parts[0].cols;
  let n = 0;
  let nnz = 0;
  for (const S of parts) {
    if (S.cols !== p) throw new Error(`invalid sparseVstack: ${S.cols} columns (expected ${p})`);
    n += S.rows;
    nnz += S.indptr[S.rows];
  }
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let r = 0;
  let k = 0;
  for (const S of parts) {
    const m = S.indptr[S.rows];
    indices.set(S.indices.subarray(0, m), k);
    values.set(S.values.subarray(0, m), k);
    for (let i = 1; i <= S.rows; ++i) indptr[r + i] = k + S.indptr[i];
    r += S.rows;
    k += m;
  }
  return { rows: n, cols: p, indptr, indices, values };
}

/** Throws unless S is a well-formed CSR matrix (pointer lengths, monotone indptr, column bounds). */
export function checkSparse(S: SparseMatrix, name = "X"): void {
  const { rows: n, cols: p, indptr, indices, values } = S;
  if (indptr.length !== n + 1) throw new Error(`invalid ${name}: indptr length ${indptr.length} (expected ${n + 1})`);
  const nnz = indptr[n];
  if (indptr[0] !== 0 || indices.length < nnz || values.length < nnz) {
    throw new Error(`invalid ${name}: indptr/indices/values lengths disagree`);
  }
  for (let i = 0; i < n; ++i) if (indptr[i + 1] < indptr[i]) throw new Error(`invalid ${name}: indptr decreases at row ${i}`);
  for (let k = 0; k < nnz; ++k) {
    if (!(indices[k] >= 0 && indices[k] < p)) throw new Error(`invalid ${name}: column ${indices[k]} (expected 0..${p - 1})`);
  }
}
