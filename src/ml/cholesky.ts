/**
 * Dense Cholesky kernels for small symmetric positive-definite q×q matrices stored row-major in a Float64Array
 * (element (i, j) at `i * q + j`). Every inner loop runs along a row, so memory is read sequentially (Golub &
 * Van Loan, *Matrix Computations*, 4th ed., §4.2, in a row-oriented form).
 */

/**
 * Factors A = LLᵀ, writing L into the lower triangle of `L` (the strict upper triangle is set to 0). A is read
 * from its lower triangle only and may be the same array as L.
 * @param A symmetric q×q matrix (row-major)
 * @param q order
 * @param L output q×q array (may alias A)
 * @returns false when A is not numerically positive definite (a pivot ≤ 0 or not finite)
 */
export function choleskyFactor(A: Float64Array, q: number, L: Float64Array): boolean {
  for (let j = 0; j < q; ++j) {
    const rj = j * q;
    const s = A[rj + j] - dot(L, rj, L, rj, j);
    if (!(s > 0) || !Number.isFinite(s)) return false;
    const ljj = Math.sqrt(s);
    L[rj + j] = ljj;
    for (let i = j + 1; i < q; ++i) {
      const ri = i * q;
      L[ri + j] = (A[ri + j] - dot(L, ri, L, rj, j)) / ljj;
    }
    for (let k = j + 1; k < q; ++k) L[rj + k] = 0;
  }
  return true;
}

/** log det A = 2·Σ log Lⱼⱼ from the factor of {@link choleskyFactor}. */
export function choleskyLogDet(L: Float64Array, q: number): number {
  let s = 0;
  for (let j = 0; j < q; ++j) s += Math.log(L[j * q + j]);
  return 2 * s;
}

/**
 * Solves A·x = b in place (b becomes x) from the factor L of A: forward substitution with L, then back
 * substitution with Lᵀ.
 * @param L factor from {@link choleskyFactor}
 * @param q order
 * @param b right-hand side of length q, overwritten with the solution
 */
export function choleskySolve(L: Float64Array, q: number, b: Float64Array): void {
  for (let i = 0; i < q; ++i) {
    const ri = i * q;
    let s = b[i];
    for (let k = 0; k < i; ++k) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
  for (let i = q - 1; i >= 0; --i) {
    let s = b[i];
    for (let k = i + 1; k < q; ++k) s -= L[k * q + i] * b[k];
    b[i] = s / L[i * q + i];
  }
}

/**
 * A⁻¹ (full symmetric) from the factor L of A. With U = L⁻ᵀ (upper triangular, row j holds column j of L⁻¹),
 * A⁻¹ = UUᵀ, so (A⁻¹)ᵢⱼ is the dot product of rows i and j of U from column max(i, j) on.
 * @param L factor from {@link choleskyFactor}
 * @param q order
 * @param out q×q output (must not alias L)
 * @param work q×q scratch array
 */
export function choleskyInverse(L: Float64Array, q: number, out: Float64Array, work: Float64Array): void {
  const U = work;
  for (let j = 0; j < q; ++j) {
    const rj = j * q;
    for (let k = 0; k < j; ++k) U[rj + k] = 0;
    U[rj + j] = 1 / L[rj + j];
    for (let i = j + 1; i < q; ++i) {
      const ri = i * q;
      U[rj + i] = -dot(L, ri + j, U, rj + j, i - j) / L[ri + i];
    }
  }
  // Row j of U is column j of L⁻¹, so A⁻¹ = (L⁻¹)ᵀL⁻¹ has (i, j) entry Σₖ U[i][k]·U[j][k], k ≥ max(i, j).
  for (let i = 0; i < q; ++i) {
    const ri = i * q;
    for (let j = 0; j <= i; ++j) {
      const rj = j * q;
      const s = dot(U, ri + i, U, rj + i, q - i);
      out[ri + j] = s;
      out[rj + i] = s;
    }
  }
}

/** Σₖ a[ia + k]·b[ib + k] for k < len, with four accumulators (the dot products above are the O(q³) work). */
function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ia + k] * b[ib + k];
    s1 += a[ia + k + 1] * b[ib + k + 1];
    s2 += a[ia + k + 2] * b[ib + k + 2];
    s3 += a[ia + k + 3] * b[ib + k + 3];
  }
  for (; k < len; ++k) s0 += a[ia + k] * b[ib + k];
  return s0 + s1 + (s2 + s3);
}
