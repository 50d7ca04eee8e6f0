import { checkMatrix, type Matrix } from "./matrix.js";
import { checkSparse, isSparse, type SparseMatrix } from "./sparse.js";
import { minimizeLbfgs, SCIPY_FTOL, type LbfgsStop } from "./lbfgs.js";
import { binomialJs, binomialWasm, cscDotJs, csrDotJs, denseJs } from "./binomial-kernels.js";

/** A fitted binary logistic regression: P(y = 1 | x) = σ(x·coef + intercept). Plain JSON-serialisable data. */
export interface LogisticModel {
  coef: Float64Array;
  intercept: number;
  /** L-BFGS iterations used (scikit-learn's `n_iter_`). */
  iterations: number;
  /** Objective evaluations (scipy's `nfev`). */
  evaluations?: number;
  /** True when L-BFGS stopped on a convergence test (gradient ≤ tol, or relative decrease ≤ ftol), as scipy's `success`. */
  converged: boolean;
  /** Why L-BFGS stopped; "max_iter" and "line_search" are the fits scikit-learn warns about (ConvergenceWarning). */
  stop?: LbfgsStop;
  /** Inverse L2 penalty strength the model was fitted with. */
  C: number;
}

/** Options for {@link fitLogisticRegression}. */
export interface LogisticRegressionOptions {
  /** Inverse regularisation strength (default 1). */
  C?: number;
  /** Fit an unpenalised intercept (default true). */
  fitIntercept?: boolean;
  /** Maximum L-BFGS iterations (default 1000). */
  maxIter?: number;
  /** Stop when max |∇| of Σ swᵢ·lossᵢ + ‖w‖²/(2C) is ≤ tol (scikit-learn's `tol` for lbfgs; default 1e-6). */
  tol?: number;
  /** Also stop when the objective's relative decrease in one iteration is ≤ ftol (default scipy's 2.22e-9, which scikit-learn uses; 0 turns it off). */
  ftol?: number;
  /** Per-sample weights swᵢ ≥ 0 (default all 1). */
  sampleWeight?: Float64Array;
}

/** log(1 + exp(z)) without overflow or loss of precision for large |z|. */
export function log1pExp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The logistic function 1 / (1 + exp(−z)), stable for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Fits an L2-penalised binary logistic regression, minimising C·Σ swᵢ·logloss(yᵢ, xᵢ·w + b) + ½‖w‖² (the
 * intercept b is not penalised) with L-BFGS; the same objective and minimiser as scikit-learn's
 * `LogisticRegression(penalty="l2", C, solver="lbfgs")`. Internally the objective is divided by C, as
 * scikit-learn does, so `tol` means the same as there. Sparse X costs O(nnz) per gradient.
 * @param X n×p design matrix, dense row-major or CSR
 * @param y n labels in {0, 1}
 * @param options C (1), fitIntercept (true), maxIter (1000), tol (1e-6), sampleWeight (ones)
 */
export function fitLogisticRegression(X: Matrix | SparseMatrix, y: Float64Array, options: LogisticRegressionOptions = {}): LogisticModel {
  const { C = 1, fitIntercept = true, maxIter = 1000, tol = 1e-6, ftol = SCIPY_FTOL, sampleWeight } = options;
  const n = X.rows;
  const p = X.cols;
  if (isSparse(X)) checkSparse(X);
  else checkMatrix(X);
  if (y.length !== n) throw new Error(`invalid y: length ${y.length} (expected ${n})`);
  for (let i = 0; i < n; ++i) if (y[i] !== 0 && y[i] !== 1) throw new Error(`invalid y[${i}]: ${y[i]} (expected 0 or 1)`);
  if (!(C > 0)) throw new Error(`invalid C: ${C} (expected > 0)`);
  if (sampleWeight && sampleWeight.length !== n) {
    throw new Error(`invalid sampleWeight: length ${sampleWeight.length} (expected ${n})`);
  }
  const alpha = 1 / C;
  const data = dataTerm(X, y, sampleWeight);
  const fg = (w: Float64Array, g: Float64Array): number => {
    const f = data(w, fitIntercept ? w[p] : 0, g);
    let pen = 0;
    for (let j = 0; j < p; ++j) {
      pen += w[j] * w[j];
      g[j] += alpha * w[j];
    }
    return f + 0.5 * alpha * pen;
  };
  const w0 = new Float64Array(p + (fitIntercept ? 1 : 0));
  const res = minimizeLbfgs(fg, w0, { maxIter, tol, ftol });
  return {
    coef: res.x.slice(0, p),
    intercept: fitIntercept ? res.x[p] : 0,
    iterations: res.iterations,
    evaluations: res.evaluations,
    converged: res.converged,
    stop: res.stop,
    C,
  };
}

/**
 * The data term Σ swᵢ·lossᵢ of the objective at (w, b): returns it and writes its gradient into g[0..p) (Xᵀr)
 * and g[p] (Σ r) when g has room. Everything the kernels read lives in the binomial kernels' WebAssembly memory
 * (plain arrays when it is unavailable or too small, with the same arithmetic): dense X is copied there once per
 * fit, and CSR X with a CSC copy of itself, so that Xᵀr sums columns instead of scattering into g.
 */
function dataTerm(X: Matrix | SparseMatrix, y: Float64Array, sampleWeight: Float64Array | undefined) {
  const n = X.rows;
  const p = X.cols;
  const nEven = n + (n & 1);
  const pEven = p + (p & 1);
  const sparse = isSparse(X);
  const nnz = sparse ? X.indptr[n] : 0;
  // Byte layout: acc (4 doubles) | w, g (pEven) | z, y, sw, r (nEven) | dense X (n·p) or CSR and CSC arrays.
  let top = 0;
  const take = (bytes: number): number => {
    const at = top;
    top += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const oAcc = take(32);
  const oW = take(8 * pEven);
  const oG = take(8 * pEven);
  const oZ = take(8 * nEven);
  const oY = take(8 * nEven);
  const oS = take(8 * nEven);
  const oR = take(8 * nEven);
  const oX = sparse ? 0 : take(8 * n * p);
  const oPtr = sparse ? take(4 * (n + 1)) : 0;
  const oIdx = sparse ? take(4 * nnz) : 0;
  const oVal = sparse ? take(8 * nnz) : 0;
  const oCol = sparse ? take(4 * (p + 1)) : 0;
  const oRow = sparse ? take(4 * nnz) : 0;
  const oValT = sparse ? take(8 * nnz) : 0;
  const kernels = binomialWasm();
  let buffer: ArrayBuffer | null = null;
  if (kernels && top <= MAX_WASM_BYTES) {
    try {
      const have = kernels.memory.buffer.byteLength;
      if (have < top) kernels.memory.grow(Math.ceil((top - have) / 65536));
      buffer = kernels.memory.buffer;
    } catch {
      buffer = null;
    }
  }
  const wasm = buffer ? kernels : null;
  const B = buffer ?? new ArrayBuffer(top);
  const f64 = (at: number, length: number) => new Float64Array(B, at, length);
  const i32 = (at: number, length: number) => new Int32Array(B, at, length);
  const acc = f64(oAcc, 4);
  const W = f64(oW, pEven);
  const G = f64(oG, pEven);
  const Z = f64(oZ, nEven);
  const Y = f64(oY, nEven);
  const SW = f64(oS, nEven);
  const R = f64(oR, nEven);
  Y.set(y);
  Y.fill(0, n);
  if (sampleWeight) SW.set(sampleWeight);
  else SW.fill(1, 0, n);
  SW.fill(0, n);
  const XD = f64(oX, sparse ? 0 : n * p);
  const ptr = i32(oPtr, sparse ? n + 1 : 0);
  const idx = i32(oIdx, nnz);
  const val = f64(oVal, nnz);
  const colPtr = i32(oCol, sparse ? p + 1 : 0);
  const rows = i32(oRow, nnz);
  const valT = f64(oValT, nnz);
  if (sparse) {
    ptr.set(X.indptr.subarray(0, n + 1));
    idx.set(X.indices.subarray(0, nnz));
    val.set(X.values.subarray(0, nnz));
    // The memory is reused across calls: every array is written in full before it is read.
    colPtr.fill(0);
    for (let k = 0; k < nnz; ++k) ++colPtr[idx[k] + 1];
    for (let j = 0; j < p; ++j) colPtr[j + 1] += colPtr[j];
    const next = colPtr.slice(0, p);
    for (let i = 0; i < n; ++i) {
      for (let k = ptr[i], e = ptr[i + 1]; k < e; ++k) {
        const at = next[idx[k]]++;
        rows[at] = i;
        valT[at] = val[k];
      }
    }
  } else XD.set(X.data);
  return (w: Float64Array, b: number, g: Float64Array): number => {
    acc.fill(0);
    for (let j = 0; j < p; ++j) W[j] = w[j];
    if (sparse) {
      if (wasm) wasm.csrDot(oPtr, oIdx, oVal, n, oW, b, oZ);
      else csrDotJs(ptr, idx, val, n, W, b, Z);
      Z.fill(0, n);
      if (wasm) wasm.binomial(oZ, oY, oS, oR, 0, nEven, oAcc);
      else binomialJs(Z, Y, SW, R, 0, nEven, acc);
      if (wasm) wasm.cscDot(oCol, oRow, oValT, p, oR, oG);
      else cscDotJs(colPtr, rows, valT, p, R, G);
    } else {
      G.fill(0);
      if (wasm) wasm.dense(oX, n, p, oW, b, oY, oS, oZ, oR, oG, oAcc);
      else denseJs(XD, n, p, W, b, Y, SW, Z, R, G, acc);
    }
    for (let j = 0; j < p; ++j) g[j] = G[j];
    if (g.length > p) g[p] = acc[2] + acc[3];
    return acc[0] + acc[1];
  };
}

/** Largest WebAssembly memory the fit asks for; larger problems run the JavaScript twins. */
const MAX_WASM_BYTES = 2 ** 31;

/**
 * P(y = 1) for each row of X under a fitted model.
 * @param model a fitted {@link LogisticModel}
 * @param X n×p matrix, dense or CSR, with the model's p columns
 */
export function predictProba(model: LogisticModel, X: Matrix | SparseMatrix): Float64Array {
  if (X.cols !== model.coef.length) throw new Error(`invalid X: ${X.cols} columns (expected ${model.coef.length})`);
  const z = new Float64Array(X.rows);
  linearPredictor(X, model.coef, model.intercept, z);
  for (let i = 0; i < z.length; ++i) z[i] = sigmoid(z[i]);
  return z;
}

/** Standard errors of a fitted model's parameters. */
export interface CoefficientStandardErrors {
  /** NaN when the model has no fitted intercept (options.fitIntercept = false). */
  intercept: number;
  coef: Float64Array;
}

/**
 * Wald standard errors: square roots of the diagonal of H⁻¹, where H = X̃ᵀWX̃ + diag(0, 1/C, …, 1/C) is the
 * Hessian of Σ swᵢ·lossᵢ + ‖w‖²/(2C) at the fitted parameters, X̃ = [1, X] and W = diag(swᵢ·pᵢ(1 − pᵢ)).
 * Use coef ± 1.96·se for 95% intervals (exp of them for odds ratios).
 * @param model a fitted {@link LogisticModel}
 * @param X the design matrix it was fitted on, dense or CSR
 * @param sampleWeight the weights it was fitted with (default ones)
 * @param options fitIntercept (default true): whether the intercept was a fitted parameter
 */
export function coefficientStandardErrors(
  model: LogisticModel,
  X: Matrix | SparseMatrix,
  sampleWeight?: Float64Array,
  options: { fitIntercept?: boolean } = {},
): CoefficientStandardErrors {
  const { fitIntercept = true } = options;
  const n = X.rows;
  const p = X.cols;
  if (p !== model.coef.length) throw new Error(`invalid X: ${p} columns (expected ${model.coef.length})`);
  if (sampleWeight && sampleWeight.length !== n) {
    throw new Error(`invalid sampleWeight: length ${sampleWeight.length} (expected ${n})`);
  }
  const q = p + (fitIntercept ? 1 : 0);
  // Parameter order: coefficients 0..p-1, then the intercept at index p.
  const H = new Float64Array(q * q);
  const z = new Float64Array(n);
  linearPredictor(X, model.coef, model.intercept, z);
  if (isSparse(X)) {
    const { indptr, indices, values } = X;
    for (let i = 0; i < n; ++i) {
      const pi = sigmoid(z[i]);
      const wi = (sampleWeight ? sampleWeight[i] : 1) * pi * (1 - pi);
      const a = indptr[i];
      const e = indptr[i + 1];
      for (let k = a; k < e; ++k) {
        const jk = indices[k];
        const vk = wi * values[k];
        for (let l = a; l < e; ++l) H[jk * q + indices[l]] += vk * values[l];
        if (fitIntercept) {
          H[jk * q + p] += vk;
          H[p * q + jk] += vk;
        }
      }
      if (fitIntercept) H[p * q + p] += wi;
    }
  } else {
    const data = X.data;
    for (let i = 0; i < n; ++i) {
      const pi = sigmoid(z[i]);
      const wi = (sampleWeight ? sampleWeight[i] : 1) * pi * (1 - pi);
      const row = i * p;
      for (let j = 0; j < p; ++j) {
        const vj = wi * data[row + j];
        if (vj === 0) continue;
        for (let l = j; l < p; ++l) H[j * q + l] += vj * data[row + l];
        if (fitIntercept) H[j * q + p] += vj;
      }
      if (fitIntercept) H[p * q + p] += wi;
    }
    for (let j = 0; j < q; ++j) for (let l = j + 1; l < q; ++l) H[l * q + j] = H[j * q + l];
  }
  for (let j = 0; j < p; ++j) H[j * q + j] += 1 / model.C;
  const diag = inverseDiagonal(H, q);
  const coef = new Float64Array(p);
  for (let j = 0; j < p; ++j) coef[j] = Math.sqrt(diag[j]);
  return { intercept: fitIntercept ? Math.sqrt(diag[p]) : NaN, coef };
}

/** Diagonal of A⁻¹ for a symmetric positive-definite q×q A (row-major), by Cholesky A = LLᵀ. NaN if not SPD. */
function inverseDiagonal(A: Float64Array, q: number): Float64Array {
  const L = new Float64Array(q * q);
  for (let j = 0; j < q; ++j) {
    let s = A[j * q + j];
    for (let k = 0; k < j; ++k) s -= L[j * q + k] * L[j * q + k];
    if (!(s > 0)) return new Float64Array(q).fill(NaN);
    const ljj = Math.sqrt(s);
    L[j * q + j] = ljj;
    for (let i = j + 1; i < q; ++i) {
      let t = A[i * q + j];
      for (let k = 0; k < j; ++k) t -= L[i * q + k] * L[j * q + k];
      L[i * q + j] = t / ljj;
    }
  }
  // diag(A⁻¹)_j = ‖L⁻¹ e_j‖²: forward-solve each unit vector (zeros above j are skipped).
  const out = new Float64Array(q);
  const v = new Float64Array(q);
  for (let j = 0; j < q; ++j) {
    v.fill(0);
    v[j] = 1 / L[j * q + j];
    let s = v[j] * v[j];
    for (let i = j + 1; i < q; ++i) {
      let t = 0;
      for (let k = j; k < i; ++k) t -= L[i * q + k] * v[k];
      v[i] = t / L[i * q + i];
      s += v[i] * v[i];
    }
    out[j] = s;
  }
  return out;
}

/** z = X·w + b for dense or CSR X. */
function linearPredictor(X: Matrix | SparseMatrix, w: Float64Array, b: number, z: Float64Array): void {
  const n = X.rows;
  if (isSparse(X)) {
    const { indptr, indices, values } = X;
    for (let i = 0; i < n; ++i) {
      let s = b;
      for (let k = indptr[i], e = indptr[i + 1]; k < e; ++k) s += values[k] * w[indices[k]];
      z[i] = s;
    }
  } else {
    const { cols: p, data } = X;
    for (let i = 0; i < n; ++i) {
      const row = i * p;
      let s = b;
      for (let j = 0; j < p; ++j) s += data[row + j] * w[j];
      z[i] = s;
    }
  }
}
