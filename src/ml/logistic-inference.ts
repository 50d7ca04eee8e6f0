import { choleskyLogDet, choleskySolve } from "./cholesky.js";
import { choleskyKernels, type CholeskyKernels } from "./wasm/cholesky-kernels.js";
import { aliasedColumns } from "./collinearity.js";
import { sigmoid } from "./logistic-regression.js";
import { checkMatrix, type Matrix } from "./matrix.js";
import { chiSquaredSurvival } from "./special-functions.js";
import { normalQuantile } from "./stats.js";

/**
 * Logistic regression for inference: unpenalized maximum likelihood and Firth's bias-reduced estimator, with
 * covariances, Wald and profile-likelihood intervals and likelihood-ratio tests for blocks of columns.
 *
 * Notation: X is n×p (row-major, no intercept column), y holds n labels in {0, 1}, w holds n frequency weights
 * (a row with weight 3 counts as three identical rows, so weighted distinct rows give the same fit as the
 * expanded data), o is an optional offset. The model is logit P(yᵢ = 1) = oᵢ + b₀ + xᵢ·b. Parameters are
 * ordered **[intercept, coef₀, …, coef₍p−1₎]** (without the intercept when `fitIntercept` is false), and every
 * per-parameter array (standard errors, covariance, intervals) uses that order: column j of X is parameter
 * j + 1. Aliased columns (exact linear combinations of earlier ones, see {@link aliasedColumns}) are left out of
 * the fit and get NaN, as R's `glm` does.
 *
 * l(b) = Σ wᵢ[yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)] is the log-likelihood and I(b) = DᵀWD, D = [1, X],
 * W = diag(wᵢpᵢ(1 − pᵢ)), the Fisher information. Firth (1993) maximises the penalized log-likelihood
 * l*(b) = l(b) + ½ log det I(b), whose score is U*ⱼ = Σ [wᵢ(yᵢ − pᵢ) + hᵢ(½ − pᵢ)] dᵢⱼ with hᵢ the diagonal of
 * W^½D I⁻¹ DᵀW^½ (Firth 1993; Heinze & Schemper 2002); it gives finite estimates under separation and removes the
 * O(1/n) bias of the MLE, as R's `logistf`.
 */

/** Which likelihood a fit maximises. */
export type InferenceMethod = "mle" | "firth";

/** Options for {@link fitLogisticMle} and {@link fitLogisticFirth}. */
export interface LogisticInferenceOptions {
  /** Fit an intercept, parameter 0 (default true). */
  fitIntercept?: boolean;
  /** Frequency weights wᵢ ≥ 0 (default 1). */
  sampleWeight?: Float64Array;
  /** Offset oᵢ added to the linear predictor (default 0). */
  offset?: Float64Array;
  /** Maximum Newton iterations (default 100 for the MLE, 200 for Firth). */
  maxIter?: number;
  /** Converged when the largest Newton step over the parameters is ≤ tol (default 1e-10). */
  tol?: number;
  /** Largest change of any parameter in one step (default 5, as logistf's `maxstep`). */
  maxStep?: number;
  /** Alias tolerance, see {@link aliasedColumns} (default 1e-10). */
  aliasTol?: number;
}

/** A fitted inference model. Plain data; parameter order [intercept, coef…] as in the module notes. */
export interface LogisticInferenceFit {
  method: InferenceMethod;
  fitIntercept: boolean;
  /** b₀ (0 when fitIntercept is false). */
  intercept: number;
  /** p coefficients, one per column of X; NaN for aliased columns. */
  coef: Float64Array;
  /** Wald standard errors √diag(I⁻¹) per parameter (intercept first); NaN for aliased columns. */
  se: Float64Array;
  /** I(b̂)⁻¹ over the parameters (q×q); rows and columns of aliased columns are NaN. */
  covariance: Matrix;
  /** l(b̂), the unpenalized log-likelihood at the estimate. */
  logLikelihood: number;
  /** The maximised objective: l*(b̂) for Firth, l(b̂) for the MLE. */
  penalizedLogLikelihood: number;
  /** Newton iterations used. */
  iterations: number;
  /** True when the last Newton step was ≤ tol. */
  converged: boolean;
  /** max |score| of the maximised objective at the estimate. */
  gradNorm: number;
  /** Columns of X left out as aliased (ascending). */
  aliased: number[];
  /**
   * MLE only: the fit did not converge and some weighted row has a fitted probability within 1e-8 of 0 or 1,
   * the sign of (quasi-)complete separation, under which the MLE does not exist. Always false for Firth.
   */
  separation: boolean;
}

/** Lower and upper bounds per parameter (intercept first), NaN where not computed or aliased. */
export interface ParameterIntervals {
  lower: Float64Array;
  upper: Float64Array;
  /** Coverage level, e.g. 0.95. */
  level: number;
}

/** Options for {@link profileIntervals}. */
export interface ProfileIntervalOptions {
  /** The weights the model was fitted with. */
  sampleWeight?: Float64Array;
  /** The offset the model was fitted with. */
  offset?: Float64Array;
  /** Coverage (default 0.95). */
  level?: number;
  /** Parameter indices to profile (default all; intercept is 0 when fitted). */
  parameters?: number[];
  /**
   * "venzon-moolgavkar" (default) solves for each bound directly (Venzon & Moolgavkar 1988, as logistf) and
   * falls back to "brent" for a bound it does not converge on; "brent" finds the root of the profile
   * deviance by Brent's method over constrained refits.
   */
  algorithm?: "venzon-moolgavkar" | "brent";
  /**
   * Stop when the last step moved no parameter by more than tol (default 1e-8); steps shrink geometrically, so
   * the bound is then within about tol/10 of the root.
   */
  tol?: number;
}

/** Result of {@link likelihoodRatioTest}. */
export interface LikelihoodRatioTest {
  /** 2·[l*(b̂) − max over b with the block fixed at 0 of l*(b)]. */
  statistic: number;
  /** Number of non-aliased columns in the block. */
  df: number;
  /** P(χ²_df ≥ statistic). */
  pValue: number;
  /** The maximised objective of the restricted model. */
  restrictedLogLikelihood: number;
  /** True when the restricted fit converged. */
  converged: boolean;
}

/**
 * Unpenalized maximum-likelihood logistic regression by Newton's method (= Fisher scoring = IRLS for the
 * logit link) with step-halving; equals statsmodels `GLM(y, [1, X], Binomial(), freq_weights=w).fit()` (and
 * `Logit` on expanded rows) at convergence. Under separation the MLE does not exist: the fit stops,
 * `converged` is false and `separation` is set; use {@link fitLogisticFirth}.
 * @param X n×p design without an intercept column (row-major)
 * @param y n labels in {0, 1}
 * @param options fitIntercept (true), sampleWeight, offset, maxIter (100), tol (1e-10), maxStep (5), aliasTol
 */
export function fitLogisticMle(X: Matrix, y: Float64Array, options: LogisticInferenceOptions = {}): LogisticInferenceFit {
  return fitInference("mle", X, y, options);
}

/**
 * Firth's bias-reduced logistic regression (Firth 1993; Heinze & Schemper 2002), maximising
 * l*(b) = l(b) + ½ log det I(b) by Fisher scoring on the modified score with step-halving, as R's
 * `logistf(…, pl = FALSE)`. Estimates are finite under separation and for levels with no events. The
 * covariance is I(b̂)⁻¹, logistf's `var`.
 * @param X n×p design without an intercept column (row-major)
 * @param y n labels in {0, 1}
 * @param options fitIntercept (true), sampleWeight, offset, maxIter (200), tol (1e-10), maxStep (5), aliasTol
 */
export function fitLogisticFirth(X: Matrix, y: Float64Array, options: LogisticInferenceOptions = {}): LogisticInferenceFit {
  return fitInference("firth", X, y, options);
}

/**
 * Wald intervals b̂ⱼ ± z·seⱼ with z = Φ⁻¹((1 + level)/2) (statsmodels `conf_int`).
 * @param fit a fitted model
 * @param level coverage (default 0.95)
 */
export function waldIntervals(fit: LogisticInferenceFit, level = 0.95): ParameterIntervals {
  checkLevel(level);
  const z = normalQuantile(0.5 + level / 2);
  const params = parameterVector(fit);
  const q = params.length;
  const lower = new Float64Array(q);
  const upper = new Float64Array(q);
  for (let j = 0; j < q; ++j) {
    lower[j] = params[j] - z * fit.se[j];
    upper[j] = params[j] + z * fit.se[j];
  }
  return { lower, upper, level };
}

/**
 * Profile-likelihood intervals: for each parameter j the two values t with
 * 2·[l*(b̂) − max_{b₋ⱼ} l*(t, b₋ⱼ)] = χ²₁(level), the objective being the one the fit maximised (penalized for
 * Firth, as logistf's default `pl = TRUE`; plain for the MLE). Unlike Wald intervals they follow the skewed
 * likelihood of rare levels. A bound that does not exist is ±Infinity; a fit that did not converge (the MLE
 * under separation) has no maximum to profile from and gets NaN throughout.
 * @param X the design the model was fitted on
 * @param y the labels it was fitted on
 * @param fit a model from {@link fitLogisticFirth} or {@link fitLogisticMle}
 * @param options sampleWeight and offset (as fitted), level (0.95), parameters (all), algorithm, tol (1e-8)
 */
export function profileIntervals(
  X: Matrix,
  y: Float64Array,
  fit: LogisticInferenceFit,
  options: ProfileIntervalOptions = {},
): ParameterIntervals {
  const { level = 0.95, algorithm = "venzon-moolgavkar", tol = 1e-8 } = options;
  checkLevel(level);
  const problem = buildProblem(X, y, fit.fitIntercept, options.sampleWeight, options.offset, new Set(fit.aliased));
  try {
    const firth = fit.method === "firth";
    const full = parameterVector(fit);
    const qFull = full.length;
    const which = options.parameters ?? Array.from({ length: qFull }, (_, j) => j);
    const lower = new Float64Array(qFull).fill(NaN);
    const upper = new Float64Array(qFull).fill(NaN);
    if (!fit.converged) return { lower, upper, level };
    const beta = new Float64Array(problem.q);
    for (let k = 0; k < problem.q; ++k) beta[k] = full[problem.keep[k]];
    const state = createState(problem);
    evaluate(problem, state, beta, firth, true);
    const objMax = state.objective;
    const chi2 = normalQuantile(0.5 + level / 2) ** 2;
    const target = objMax - chi2 / 2;
    const fullToKept = new Int32Array(qFull).fill(-1);
    for (let k = 0; k < problem.q; ++k) fullToKept[problem.keep[k]] = k;
    const cov = Float64Array.from(state.inv);
    for (const j of which) {
      if (!(j >= 0 && j < qFull)) throw new Error(`invalid parameter: ${j} (expected 0..${qFull - 1})`);
      const k = fullToKept[j];
      if (k < 0) continue;
      const ctx: BoundContext = { problem, state, beta, cov, k, firth, target, objMax, chi2, tol };
      lower[j] = findBound(ctx, -1, algorithm);
      upper[j] = findBound(ctx, 1, algorithm);
    }
    return { lower, upper, level };
  } finally {
    problem.linalg.dispose();
  }
}

/**
 * Likelihood-ratio test that the coefficients of a block of columns (one categorical variable's
 * reference-coded columns) are all 0. The restricted model maximises the same objective as the fit with the
 * block fixed at 0: for Firth this is the penalized likelihood-ratio test of Heinze & Schemper (2002), refitting
 * the full design with the tested coefficients fixed (as logistf's `logistftest`), so the penalty still uses
 * the full information matrix and a single column's test agrees with its profile interval (dropping the
 * columns instead would change the penalty); for the MLE it is the ordinary LR test of dropping the columns.
 * df is the number of non-aliased columns in the block. Everything is NaN when the fit did not converge.
 * @param X the design the model was fitted on
 * @param y the labels it was fitted on
 * @param fit a fitted model
 * @param columns columns of X in the block (0-based)
 * @param options sampleWeight and offset (as fitted), maxIter (200), tol (1e-10)
 */
export function likelihoodRatioTest(
  X: Matrix,
  y: Float64Array,
  fit: LogisticInferenceFit,
  columns: number[],
  options: { sampleWeight?: Float64Array; offset?: Float64Array; maxIter?: number; tol?: number } = {},
): LikelihoodRatioTest {
  const { maxIter = 200, tol = 1e-10 } = options;
  if (!fit.converged) return { statistic: NaN, df: NaN, pValue: NaN, restrictedLogLikelihood: NaN, converged: false };
  const problem = buildProblem(X, y, fit.fitIntercept, options.sampleWeight, options.offset, new Set(fit.aliased));
  try {
    const firth = fit.method === "firth";
    const full = parameterVector(fit);
    const off = fit.fitIntercept ? 1 : 0;
    const fixed = new Uint8Array(problem.q);
    const estimate = new Float64Array(problem.q);
    for (let k = 0; k < problem.q; ++k) estimate[k] = full[problem.keep[k]];
    const beta = Float64Array.from(estimate);
    const aliased = new Set(fit.aliased);
    let df = 0;
    for (const c of new Set(columns)) {
      if (!(Number.isInteger(c) && c >= 0 && c < X.cols)) throw new Error(`invalid column: ${c} (expected 0..${X.cols - 1})`);
      if (aliased.has(c)) continue;
      const k = problem.keep.indexOf(c + off);
      fixed[k] = 1;
      beta[k] = 0;
      ++df;
    }
    const state = createState(problem);
    evaluate(problem, state, estimate, firth, false);
    const objFull = state.objective;
    if (df === 0) return { statistic: 0, df: 0, pValue: 1, restrictedLogLikelihood: objFull, converged: true };
    const res = maximize(problem, state, beta, fixed, firth, { maxIter, tol, maxStep: 5 });
    const statistic = Math.max(0, 2 * (objFull - state.objective));
    return { statistic, df, pValue: chiSquaredSurvival(statistic, df), restrictedLogLikelihood: state.objective, converged: res.converged };
  } finally {
    problem.linalg.dispose();
  }
}

/**
 * P(y = 1) for each row of X under an inference fit, σ(o + b₀ + x·b); aliased columns (NaN coefficients)
 * contribute nothing, as R's `predict.glm` treats them.
 * @param fit a fitted model
 * @param X n×p matrix with the fit's p columns
 * @param offset optional offset oᵢ (default 0)
 */
export function predictInferenceProba(fit: LogisticInferenceFit, X: Matrix, offset?: Float64Array): Float64Array {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  if (p !== fit.coef.length) throw new Error(`invalid X: ${p} columns (expected ${fit.coef.length})`);
  if (offset && offset.length !== n) throw new Error(`invalid offset: length ${offset.length} (expected ${n})`);
  const b = fit.coef.map((v) => (Number.isNaN(v) ? 0 : v));
  const out = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    let z = fit.intercept + (offset ? offset[i] : 0);
    for (let j = 0; j < p; ++j) z += data[i * p + j] * b[j];
    out[i] = sigmoid(z);
  }
  return out;
}

/**
 * Events per variable: min(events, non-events) / parameters, the sample-size rule of thumb for logistic
 * models (Peduzzi et al. 1996 ask for ≥ 10). NaN when parameters ≤ 0.
 * @param events positives (weighted count)
 * @param nonEvents negatives (weighted count)
 * @param parameters estimated coefficients, excluding the intercept
 */
export function eventsPerVariable(events: number, nonEvents: number, parameters: number): number {
  if (!(parameters > 0)) return NaN;
  return Math.min(events, nonEvents) / parameters;
}

// ---------------------------------------------------------------------------------------------------------

/**
 * The fitting problem over the kept parameters, with each row's non-zeros listed once so that one-hot designs
 * (a handful of non-zeros per row) cost O(nnz²) per row in the information matrix and the hat values.
 */
interface Problem {
  n: number;
  /** Kept parameters. */
  q: number;
  ptr: Int32Array;
  /** Kept-parameter index of each non-zero, ascending within a row. */
  idx: Int32Array;
  val: Float64Array;
  /** Every non-zero is 1 (an intercept and indicators): the loops over pairs of non-zeros skip their products by 1. */
  indicators: boolean;
  y: Float64Array;
  w: Float64Array;
  offset: Float64Array | undefined;
  /** keep[k] = full parameter index of kept parameter k. */
  keep: Int32Array;
  /** Factors and inverses of order up to q: the caller of {@link buildProblem} disposes of them. */
  linalg: CholeskyKernels;
}

function buildProblem(
  X: Matrix,
  y: Float64Array,
  fitIntercept: boolean,
  sampleWeight: Float64Array | undefined,
  offset: Float64Array | undefined,
  aliased: Set<number>,
): Problem {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  if (y.length !== n) throw new Error(`invalid y: length ${y.length} (expected ${n})`);
  for (let i = 0; i < n; ++i) if (y[i] !== 0 && y[i] !== 1) throw new Error(`invalid y[${i}]: ${y[i]} (expected 0 or 1)`);
  if (sampleWeight) {
    if (sampleWeight.length !== n) throw new Error(`invalid sampleWeight: length ${sampleWeight.length} (expected ${n})`);
    for (let i = 0; i < n; ++i) {
      const v = sampleWeight[i];
      if (!(v >= 0 && v < Infinity)) throw new Error(`invalid sampleWeight[${i}]: ${v} (expected a finite weight ≥ 0)`);
    }
  }
  if (offset) {
    if (offset.length !== n) throw new Error(`invalid offset: length ${offset.length} (expected ${n})`);
    for (let i = 0; i < n; ++i)
      if (!Number.isFinite(offset[i])) throw new Error(`invalid offset[${i}]: ${offset[i]} (expected a finite number)`);
  }
  for (let k = 0; k < data.length; ++k) {
    if (!Number.isFinite(data[k])) throw new Error(`invalid X[${Math.floor(k / p)}][${k % p}]: ${data[k]} (expected a finite number)`);
  }
  const off = fitIntercept ? 1 : 0;
  const qFull = p + off;
  const keepList: number[] = [];
  const fullToKept = new Int32Array(qFull).fill(-1);
  for (let j = 0; j < qFull; ++j) {
    if (j >= off && aliased.has(j - off)) continue;
    fullToKept[j] = keepList.length;
    keepList.push(j);
  }
  const ptr = new Int32Array(n + 1);
  const idxList: number[] = [];
  const valList: number[] = [];
  for (let i = 0; i < n; ++i) {
    if (fitIntercept) {
      idxList.push(0);
      valList.push(1);
    }
    for (let j = 0; j < p; ++j) {
      const v = data[i * p + j];
      const k = fullToKept[j + off];
      if (v !== 0 && k >= 0) {
        idxList.push(k);
        valList.push(v);
      }
    }
    ptr[i + 1] = idxList.length;
  }
  return {
    n,
    q: keepList.length,
    ptr,
    idx: Int32Array.from(idxList),
    val: Float64Array.from(valList),
    indicators: valList.every((v) => v === 1),
    y,
    w: sampleWeight ?? new Float64Array(n).fill(1),
    offset,
    keep: Int32Array.from(keepList),
    linalg: choleskyKernels(keepList.length),
  };
}

/** Everything known at one parameter vector; arrays are reused across evaluations. */
interface State {
  eta: Float64Array;
  prob: Float64Array;
  /** yᵢ − pᵢ, from 1 − pᵢ computed directly when yᵢ = 1. */
  resid: Float64Array;
  /** wᵢ·pᵢ(1 − pᵢ). */
  W: Float64Array;
  /** Hat values (Firth only). */
  h: Float64Array;
  /** Lower triangle of I = DᵀWD. */
  info: Float64Array;
  chol: Float64Array;
  /** I⁻¹ (full), valid after an evaluation with the inverse. */
  inv: Float64Array;
  score: Float64Array;
  logLik: number;
  objective: number;
  /** I was numerically positive definite. */
  pd: boolean;
}

function createState(P: Problem): State {
  const { n, q } = P;
  return {
    eta: new Float64Array(n),
    prob: new Float64Array(n),
    resid: new Float64Array(n),
    W: new Float64Array(n),
    h: new Float64Array(n),
    info: new Float64Array(q * q),
    chol: new Float64Array(q * q),
    inv: new Float64Array(q * q),
    score: new Float64Array(q),
    logLik: NaN,
    objective: NaN,
    pd: false,
  };
}

/**
 * Fills S at beta: log-likelihood, information and its Cholesky factor, the score of the objective, and (for
 * Firth, or when asked) I⁻¹ and the hat values. The Firth objective is NaN when I is not positive definite.
 */
function evaluate(P: Problem, S: State, beta: Float64Array, firth: boolean, withInverse: boolean): void {
  evaluateObjective(P, S, beta, firth);
  completeScore(P, S, firth, withInverse);
}

/**
 * The first half of {@link evaluate}: probabilities, log-likelihood, information, its factor and the objective.
 * Trial points of a line search and convergence checks need no more; I⁻¹, the costliest part, waits for
 * {@link completeScore}.
 */
function evaluateObjective(P: Problem, S: State, beta: Float64Array, firth: boolean): void {
  const { n, q, ptr, idx, val, y, w, offset } = P;
  const { eta, prob, resid, W, info } = S;
  let logLik = 0;
  for (let i = 0; i < n; ++i) {
    let z = offset ? offset[i] : 0;
    for (let a = ptr[i], e = ptr[i + 1]; a < e; ++a) z += val[a] * beta[idx[a]];
    eta[i] = z;
    // One exp per row: log p = −log(1 + e^−z), log(1 − p) = −log(1 + e^z), both from e^−|z|.
    const ez = Math.exp(-Math.abs(z));
    const l1p = Math.log1p(ez);
    const p = z >= 0 ? 1 / (1 + ez) : ez / (1 + ez);
    const pc = z >= 0 ? ez / (1 + ez) : 1 / (1 + ez);
    prob[i] = p;
    resid[i] = y[i] === 1 ? pc : -p;
    const wi = w[i];
    W[i] = wi * p * pc;
    if (wi !== 0) logLik -= wi * (y[i] === 1 ? (z < 0 ? -z : 0) + l1p : (z > 0 ? z : 0) + l1p);
  }
  info.fill(0);
  for (let i = 0; i < n; ++i) {
    const Wi = W[i];
    if (Wi === 0) continue;
    const s = ptr[i];
    const e = ptr[i + 1];
    if (P.indicators) {
      // Wᵢ·1·1 is Wᵢ: the same sums.
      for (let a = s; a < e; ++a) {
        const ra = idx[a] * q;
        for (let b = s; b <= a; ++b) info[ra + idx[b]] += Wi;
      }
      continue;
    }
    for (let a = s; a < e; ++a) {
      const va = Wi * val[a];
      const ra = idx[a] * q;
      for (let b = s; b <= a; ++b) info[ra + idx[b]] += va * val[b];
    }
  }
  S.pd = P.linalg.factor(info, q, S.chol);
  S.logLik = logLik;
  if (!firth) S.objective = logLik;
  else S.objective = S.pd ? logLik + 0.5 * choleskyLogDet(S.chol, q) : NaN;
}

/** The second half of {@link evaluate}, at the point of the last {@link evaluateObjective}: I⁻¹, hat values, score. */
function completeScore(P: Problem, S: State, firth: boolean, withInverse: boolean): void {
  const { n, q, ptr, idx, val, w } = P;
  const { prob, resid, W, h, score } = S;
  const needInverse = S.pd && (firth || withInverse);
  if (needInverse) P.linalg.inverse(S.chol, q, S.inv);
  if (firth && needInverse) {
    const inv = S.inv;
    for (let i = 0; i < n; ++i) {
      const Wi = W[i];
      if (Wi === 0) {
        h[i] = 0;
        continue;
      }
      const s = ptr[i];
      const e = ptr[i + 1];
      let t = 0;
      if (P.indicators) {
        // Products by 1 left out: the same sums.
        for (let a = s; a < e; ++a) {
          const ra = idx[a] * q;
          let u = 0;
          for (let b = s; b < a; ++b) u += inv[ra + idx[b]];
          t += inv[ra + idx[a]] + 2 * u;
        }
      } else {
        for (let a = s; a < e; ++a) {
          const ra = idx[a] * q;
          let u = 0;
          for (let b = s; b < a; ++b) u += inv[ra + idx[b]] * val[b];
          t += val[a] * (inv[ra + idx[a]] * val[a] + 2 * u);
        }
      }
      h[i] = Wi * t;
    }
  }
  score.fill(0);
  for (let i = 0; i < n; ++i) {
    const p = prob[i];
    let r = w[i] * resid[i];
    if (firth) r += h[i] * (0.5 - p);
    if (r === 0) continue;
    for (let a = ptr[i], e = ptr[i + 1]; a < e; ++a) score[idx[a]] += r * val[a];
  }
}

interface MaximizeOptions {
  maxIter: number;
  tol: number;
  maxStep: number;
}

/**
 * Newton / Fisher scoring on the free parameters (fixed[k] = 0) from beta, with step-halving on the objective;
 * beta and S hold the last point. Stops when the step is ≤ tol (converged), or when large steps stop raising
 * the objective (the MLE running off to infinity under separation). A step that gains nothing is tried at half
 * length too (see the loop), so the 2-cycle of a level seen once does not stall the fit.
 */
function maximize(
  P: Problem,
  S: State,
  beta: Float64Array,
  fixed: Uint8Array | undefined,
  firth: boolean,
  opts: MaximizeOptions,
): { iterations: number; converged: boolean } {
  const q = P.q;
  const free: number[] = [];
  for (let k = 0; k < q; ++k) if (!fixed?.[k]) free.push(k);
  const m = free.length;
  const sub = new Float64Array(m * m);
  const subL = new Float64Array(m * m);
  const step = new Float64Array(m);
  const trial = new Float64Array(q);
  const trialState = createState(P);
  let half = createState(P);
  const halfTrial = new Float64Array(q);
  evaluate(P, S, beta, firth, false);
  if (m === 0) return { iterations: 0, converged: true };
  let iterations = 0;
  let converged = false;
  let current = S;
  let other = trialState;
  while (iterations < opts.maxIter) {
    if (!current.pd) break;
    if (m === q) {
      step.set(current.score);
      choleskySolve(current.chol, q, step);
    } else {
      for (let a = 0; a < m; ++a) {
        const ra = free[a] * q;
        for (let b = 0; b <= a; ++b) sub[a * m + b] = current.info[ra + free[b]];
        step[a] = current.score[free[a]];
      }
      if (!P.linalg.factor(sub, m, subL)) break;
      choleskySolve(subL, m, step);
    }
    let maxAbs = 0;
    for (let a = 0; a < m; ++a) maxAbs = Math.max(maxAbs, Math.abs(step[a]));
    if (!Number.isFinite(maxAbs)) break;
    if (maxAbs <= opts.tol) {
      converged = true;
      break;
    }
    ++iterations;
    let t = maxAbs > opts.maxStep ? opts.maxStep / maxAbs : 1;
    const obj0 = current.objective;
    const slack = 1e-12 * (1 + Math.abs(obj0));
    let accepted = false;
    for (let halving = 0; halving < 30; ++halving) {
      trial.set(beta);
      for (let a = 0; a < m; ++a) trial[free[a]] += t * step[a];
      evaluateObjective(P, other, trial, firth);
      if (other.objective >= obj0 - slack) {
        completeScore(P, other, firth, false);
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
    if (other.objective - obj0 <= slack) {
      // Fisher scoring is not Newton's method for Firth's objective: a parameter that only one row informs (a
      // level seen once) has leverage 1 there, so its scoring step overshoots by exactly 2× and lands on the
      // mirror point, which the slack accepts, forever. When a step gains nothing, half of it lands at the
      // maximum of that quadratic: keep it when it is better.
      halfTrial.set(beta);
      for (let a = 0; a < m; ++a) halfTrial[free[a]] += 0.5 * t * step[a];
      evaluateObjective(P, half, halfTrial, firth);
      if (half.objective > other.objective) {
        completeScore(P, half, firth, false);
        trial.set(halfTrial);
        t /= 2;
        [other, half] = [half, other];
      }
    }
    beta.set(trial);
    const gain = other.objective - obj0;
    [current, other] = [other, current];
    if (gain <= 1e-14 * (1 + Math.abs(obj0)) && t * maxAbs > 1e-3) break;
  }
  if (current !== S) copyState(current, S);
  return { iterations, converged };
}

function copyState(from: State, to: State): void {
  to.eta.set(from.eta);
  to.prob.set(from.prob);
  to.resid.set(from.resid);
  to.W.set(from.W);
  to.h.set(from.h);
  to.info.set(from.info);
  to.chol.set(from.chol);
  to.inv.set(from.inv);
  to.score.set(from.score);
  to.logLik = from.logLik;
  to.objective = from.objective;
  to.pd = from.pd;
}

function fitInference(method: InferenceMethod, X: Matrix, y: Float64Array, options: LogisticInferenceOptions): LogisticInferenceFit {
  const { fitIntercept = true, sampleWeight, offset, tol = 1e-10, maxStep = 5, aliasTol = 1e-10 } = options;
  const maxIter = options.maxIter ?? (method === "firth" ? 200 : 100);
  checkMatrix(X);
  const aliased = aliasedColumns(X, { sampleWeight, fitIntercept, tol: aliasTol })
    .map((a) => a.column)
    .sort((a, b) => a - b);
  const P = buildProblem(X, y, fitIntercept, sampleWeight, offset, new Set(aliased));
  try {
    const firth = method === "firth";
    const { n, q } = P;
    const beta = new Float64Array(q);
    if (fitIntercept) {
      let sw = 0;
      let swy = 0;
      let swo = 0;
      for (let i = 0; i < n; ++i) {
        sw += P.w[i];
        swy += P.w[i] * y[i];
        swo += offset ? P.w[i] * offset[i] : 0;
      }
      const ybar = (swy + 0.5) / (sw + 1);
      beta[0] = Math.log(ybar / (1 - ybar)) - (sw > 0 ? swo / sw : 0);
    }
    const S = createState(P);
    const { iterations, converged } = maximize(P, S, beta, undefined, firth, { maxIter, tol, maxStep });
    evaluate(P, S, beta, firth, true);
    const p = X.cols;
    const off = fitIntercept ? 1 : 0;
    const qFull = p + off;
    const params = new Float64Array(qFull).fill(NaN);
    const se = new Float64Array(qFull).fill(NaN);
    const cov = new Float64Array(qFull * qFull).fill(NaN);
    for (let a = 0; a < q; ++a) {
      const ja = P.keep[a];
      params[ja] = beta[a];
      if (!S.pd) continue;
      se[ja] = Math.sqrt(S.inv[a * q + a]);
      for (let b = 0; b < q; ++b) cov[ja * qFull + P.keep[b]] = S.inv[a * q + b];
    }
    let gradNorm = 0;
    for (let a = 0; a < q; ++a) gradNorm = Math.max(gradNorm, Math.abs(S.score[a]));
    let separation = false;
    if (!firth && !converged) {
      for (let i = 0; i < n; ++i) {
        if (P.w[i] > 0 && Math.min(S.prob[i], 1 - S.prob[i]) < 1e-8) {
          separation = true;
          break;
        }
      }
    }
    return {
      method,
      fitIntercept,
      intercept: fitIntercept ? params[0] : 0,
      coef: params.slice(off),
      se,
      covariance: { rows: qFull, cols: qFull, data: cov },
      logLikelihood: S.logLik,
      penalizedLogLikelihood: S.objective,
      iterations,
      converged,
      gradNorm,
      aliased,
      separation,
    };
  } finally {
    P.linalg.dispose();
  }
}

function parameterVector(fit: LogisticInferenceFit): Float64Array {
  const off = fit.fitIntercept ? 1 : 0;
  const params = new Float64Array(fit.coef.length + off);
  if (fit.fitIntercept) params[0] = fit.intercept;
  params.set(fit.coef, off);
  return params;
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new Error(`invalid level: ${level} (expected 0 < level < 1)`);
}

interface BoundContext {
  problem: Problem;
  /** State at the estimate (not modified). */
  state: State;
  /** Estimate over the kept parameters (not modified). */
  beta: Float64Array;
  /** I⁻¹ at the estimate. */
  cov: Float64Array;
  /** Kept parameter being profiled. */
  k: number;
  firth: boolean;
  /** objMax − χ²/2. */
  target: number;
  objMax: number;
  chi2: number;
  tol: number;
}

function findBound(ctx: BoundContext, direction: 1 | -1, algorithm: "venzon-moolgavkar" | "brent"): number {
  if (algorithm === "venzon-moolgavkar") {
    const t = venzonMoolgavkar(ctx, direction);
    if (!Number.isNaN(t)) return t;
  }
  return brentBound(ctx, direction);
}

/**
 * Venzon & Moolgavkar (1988): Newton steps on the system {l*(b) = target, gradient of l* in b₋ₖ = 0}, whose solution is the
 * profile bound. With C = I⁻¹ and U the score, the step is δ = C(U + λeₖ) with
 * λ = ±√{[2(l* − target) + UᵀCU] / Cₖₖ}, the iteration logistf uses for its profile intervals. Returns NaN
 * when it does not converge.
 */
function venzonMoolgavkar(ctx: BoundContext, direction: 1 | -1): number {
  const { problem: P, k, firth, target, tol } = ctx;
  const q = P.q;
  const beta = Float64Array.from(ctx.beta);
  const S = createState(P);
  copyState(ctx.state, S);
  const delta = new Float64Array(q);
  const lconv = 1e-10 * Math.max(1, Math.abs(target));
  for (let iter = 0; iter < 100; ++iter) {
    const C = S.inv;
    const U = S.score;
    let uCu = 0;
    for (let a = 0; a < q; ++a) {
      let s = 0;
      const ra = a * q;
      for (let b = 0; b < q; ++b) s += C[ra + b] * U[b];
      delta[a] = s;
      uCu += U[a] * s;
    }
    const ckk = C[k * q + k];
    const num = Math.max(0, 2 * (S.objective - target) + uCu);
    const lambda = direction * Math.sqrt(num / ckk);
    let maxAbs = 0;
    for (let a = 0; a < q; ++a) {
      delta[a] += lambda * C[a * q + k];
      maxAbs = Math.max(maxAbs, Math.abs(delta[a]));
    }
    if (!Number.isFinite(maxAbs)) return NaN;
    const scale = maxAbs > 5 ? 5 / maxAbs : 1;
    for (let a = 0; a < q; ++a) beta[a] += scale * delta[a];
    evaluateObjective(P, S, beta, firth);
    if (!S.pd || !Number.isFinite(S.objective)) return NaN;
    // Converged when the profiled parameter and the objective have settled; nuisance parameters that oscillate at
    // the objective's resolution (levels seen once, see maximize) need not settle.
    if (
      scale === 1 &&
      Math.abs(S.objective - target) <= lconv &&
      (maxAbs <= tol || (Math.abs(delta[k]) <= tol && nuisanceGain(delta, U, k) <= lconv))
    )
      return beta[k];
    completeScore(P, S, firth, true);
  }
  return NaN;
}

/** |Σ_{a ≠ k} δₐUₐ|: the first-order change of the objective from the step's nuisance part. */
function nuisanceGain(delta: Float64Array, U: Float64Array, k: number): number {
  let s = 0;
  for (let a = 0; a < delta.length; ++a) if (a !== k) s += delta[a] * U[a];
  return Math.abs(s);
}

/**
 * The bound as the root of g(t) = 2·[objMax − φ(t)] − χ², φ(t) the objective maximised with parameter k fixed at
 * t: bracketed by doubling steps from the estimate (the first step the Wald half-width), then Brent's method.
 * ±Infinity when g stays negative (no finite bound).
 */
function brentBound(ctx: BoundContext, direction: 1 | -1): number {
  const { problem: P, k, firth, objMax, chi2, tol } = ctx;
  const beta = Float64Array.from(ctx.beta);
  const S = createState(P);
  const fixed = new Uint8Array(P.q);
  fixed[k] = 1;
  const opts = { maxIter: 200, tol: 1e-11, maxStep: 5 };
  const g = (t: number): number => {
    beta[k] = t;
    maximize(P, S, beta, fixed, firth, opts);
    return 2 * (objMax - S.objective) - chi2;
  };
  const t0 = ctx.beta[k];
  let a = t0;
  let ga = -chi2;
  let d = direction * Math.sqrt(chi2 * ctx.cov[k * P.q + k]);
  if (!(Math.abs(d) > 0)) d = direction;
  let b = a + d;
  let gb = g(b);
  for (let i = 0; gb < 0; ++i) {
    if (i >= 60 || !Number.isFinite(b)) return direction * Infinity;
    a = b;
    ga = gb;
    d *= 2;
    b = a + d;
    gb = g(b);
  }
  if (Number.isNaN(gb)) return NaN;
  return brentRoot(g, a, ga, b, gb, tol);
}

/**
 * Brent's root finder (Brent 1973, *Algorithms for Minimization without Derivatives*, ch. 4, `zero`): inverse
 * quadratic interpolation and secant steps, falling back to bisection, on a bracket with f(a)·f(b) ≤ 0.
 */
function brentRoot(f: (x: number) => number, a: number, fa: number, b: number, fb: number, tol: number): number {
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < 200; ++iter) {
    if (fb * fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let pp: number;
      let qq: number;
      if (a === c) {
        pp = 2 * m * s;
        qq = 1 - s;
      } else {
        const r = fb / fc;
        const t = fa / fc;
        pp = s * (2 * m * t * (t - r) - (b - a) * (r - 1));
        qq = (t - 1) * (r - 1) * (s - 1);
      }
      if (pp > 0) qq = -qq;
      else pp = -pp;
      if (2 * pp < Math.min(3 * m * qq - Math.abs(tol1 * qq), Math.abs(e * qq))) {
        e = d;
        d = pp / qq;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol1 ? d : m > 0 ? tol1 : -tol1;
    fb = f(b);
  }
  return b;
}
