import { checkMatrix, type Matrix } from "./matrix.js";
import { checkSparse, isSparse, type SparseMatrix } from "./sparse.js";
import { minimizeLbfgs } from "./lbfgs.js";

/** A fitted binary logistic regression: P(y = 1 | x) = σ(x·coef + intercept). Plain JSON-serialisable data. */
export interface LogisticModel {
  coef: Float64Array;
  intercept: number;
  /** L-BFGS iterations used. */
  iterations: number;
  /** True when the gradient tolerance was reached. */
  converged: boolean;
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
  const { C = 1, fitIntercept = true, maxIter = 1000, tol = 1e-6, sampleWeight } = options;
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
  const z = new Float64Array(n);
  const r = new Float64Array(n);
  const fg = (w: Float64Array, g: Float64Array): number => {
    const b = fitIntercept ? w[p] : 0;
    linearPredictor(X, w, b, z);
    let f = 0;
    let gb = 0;
    for (let i = 0; i < n; ++i) {
      const sw = sampleWeight ? sampleWeight[i] : 1;
      const zi = z[i];
      // One exp per row: log(1 + e^z) = max(z, 0) + log1p(e^−|z|) and σ(z) from the same e^−|z|.
      const e = Math.exp(-Math.abs(zi));
      const sig = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
      f += sw * ((zi > 0 ? zi : 0) + Math.log1p(e) - y[i] * zi);
      const ri = sw * (sig - y[i]);
      r[i] = ri;
      gb += ri;
    }
    transposeTimes(X, r, g);
    let pen = 0;
    for (let j = 0; j < p; ++j) {
      pen += w[j] * w[j];
      g[j] += alpha * w[j];
    }
    if (fitIntercept) g[p] = gb;
    return f + 0.5 * alpha * pen;
  };
  const w0 = new Float64Array(p + (fitIntercept ? 1 : 0));
  const res = minimizeLbfgs(fg, w0, { maxIter, tol });
  return {
    coef: res.x.slice(0, p),
    intercept: fitIntercept ? res.x[p] : 0,
    iterations: res.iterations,
    converged: res.converged,
    C,
  };
}

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

/** g[0..p-1] = Xᵀ·r for dense or CSR X (other entries of g untouched). */
function transposeTimes(X: Matrix | SparseMatrix, r: Float64Array, g: Float64Array): void {
  const n = X.rows;
  const p = X.cols;
  for (let j = 0; j < p; ++j) g[j] = 0;
  if (isSparse(X)) {
    const { indptr, indices, values } = X;
    for (let i = 0; i < n; ++i) {
      const ri = r[i];
      if (ri === 0) continue;
      for (let k = indptr[i], e = indptr[i + 1]; k < e; ++k) g[indices[k]] += ri * values[k];
    }
  } else {
    const data = X.data;
    for (let i = 0; i < n; ++i) {
      const ri = r[i];
      if (ri === 0) continue;
      const row = i * p;
      for (let j = 0; j < p; ++j) g[j] += ri * data[row + j];
    }
  }
}
