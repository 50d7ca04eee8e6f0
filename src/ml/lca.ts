import { checkMatrix, type Matrix } from "./matrix.js";
import { createRng, type Rng } from "../util/random.js";

/**
 * Indicators of a latent class model over n rows: J categorical indicators as integer codes and, optionally, q
 * numeric indicators.
 */
export interface LcaData {
  /** One Int32Array of n codes per categorical indicator: 0..L_j−1, and −1 for a missing value. */
  categorical: readonly Int32Array[];
  /** n×q numeric indicators (row-major), NaN for a missing value; omit or give q = 0 for none. */
  numeric?: Matrix;
}

/** Parameters of a latent class model with K classes (also the shape of a given start). */
export interface LcaParameters {
  /** K class shares πc, summing to 1. */
  shares: Float64Array;
  /**
   * Per categorical indicator j, the K×L_j class-conditional response probabilities, row-major:
   * P(x_j = l | class c) is `probabilities[j][c * L_j + l]`; each row sums to 1.
   */
  probabilities: Float64Array[];
  /** K×q class means of the numeric indicators (0 columns without numeric indicators). */
  means: Matrix;
  /** K×q class variances of the numeric indicators, each at least the variance floor. */
  variances: Matrix;
}

/** Options of {@link fitLca}. */
export interface LcaOptions {
  /** Number of latent classes K ≥ 1. */
  k: number;
  /** Random starts; the one with the highest log-likelihood wins. Default 10; forced to 1 when `start` is given. */
  nStarts?: number;
  /** Maximum EM iterations per start. Default 1000 (as poLCA's `maxiter`). */
  maxIter?: number;
  /**
   * A start stops when the log-likelihood changes by at most this much in one iteration. Default 1e-10 (as
   * poLCA's `tol`). A negative value never stops early: every start runs exactly `maxIter` iterations, which takes
   * EM to its fixed point where the log-likelihood no longer resolves parameter steps of about 1e-8.
   */
  tol?: number;
  /** Seed of the random starts. Default 0. */
  seed?: number;
  /**
   * n non-negative row weights (default: every row counts once). A row of weight w counts as w identical rows,
   * so distinct rows with their counts give the fit of the full data.
   */
  sampleWeight?: Float64Array;
  /** Number of levels L_j of each categorical indicator (default: the largest code + 1). */
  levels?: readonly number[];
  /**
   * Floor of every class variance, as a share of the indicator's overall (weighted) variance; 1 is used as the
   * scale of an indicator without spread. Default 1e-3: a class cannot shrink below 3% of the overall standard
   * deviation, which keeps the likelihood bounded when a class would collapse onto one repeated value.
   */
  varianceFloor?: number;
  /** Starting parameters: one EM run from exactly these (for a reference that starts at the same point). */
  start?: LcaParameters;
  /** Starts whose log-likelihood is within this distance of the best count as reaching it. Default 1e-6. */
  repeatTol?: number;
}

/** A fitted latent class model, from {@link fitLca}; classes are ordered by share, largest first. */
export interface LcaModel extends LcaParameters {
  /** Number of classes K. */
  k: number;
  /** Levels L_j of each categorical indicator. */
  levels: number[];
  /** Absolute variance floor of each numeric indicator. */
  varianceFloors: Float64Array;
  /** Σᵢ wᵢ log Σc πc Πⱼ f(xᵢⱼ | c), missing indicators left out of the product. */
  logLikelihood: number;
  /** Free parameters: (K − 1) + K Σⱼ (L_j − 1) + 2Kq. */
  nParameters: number;
  /** Observations: Σ wᵢ over rows with at least one observed indicator. */
  n: number;
  /** −2 logL + 2 nParameters. */
  aic: number;
  /** −2 logL + nParameters · log n. */
  bic: number;
  /** Sample-size adjusted BIC (Sclove 1987): −2 logL + nParameters · log((n + 2) / 24). */
  sabic: number;
  /** Relative entropy 1 − Σᵢ wᵢ Σc −pᵢc log pᵢc / (n log K), in [0, 1] (1 = classes perfectly separated); NaN for K = 1. */
  entropy: number;
  /** EM iterations of the winning start. */
  iterations: number;
  /** Whether the winning start met `tol` within `maxIter`. */
  converged: boolean;
  /** n×K posterior class probabilities (row-major). */
  posterior: Matrix;
  /** Modal (most probable) class of each row, first on ties; −1 for a row of weight 0 that no class can produce. */
  modal: Int32Array;
  /** Posterior probability of the modal class of each row. */
  modalPosterior: Float64Array;
  /** Index of the winning start (0-based, in the order the starts were drawn). */
  bestStart: number;
  /** Starts whose log-likelihood is within `repeatTol` of the best (1 means the best was found once). */
  startsAtBest: number;
  /** Final log-likelihood of every start. */
  startLogLikelihoods: number[];
}

/** Posterior class membership of rows under a fitted model, from {@link predictLca}. */
export interface LcaPrediction {
  /** n×K posterior class probabilities. */
  posterior: Matrix;
  /** Modal class of each row. */
  modal: Int32Array;
  /** Posterior probability of the modal class. */
  modalPosterior: Float64Array;
  /** Σᵢ wᵢ log-likelihood of the rows. */
  logLikelihood: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Latent class analysis by maximum likelihood with the EM algorithm, the model of poLCA in R (Linzer & Lewis
 * 2011, "poLCA: An R package for polytomous variable latent class analysis", JSS 42(10)) and StepMix in Python:
 * rows belong to one of K unobserved classes, and within a class the indicators are independent — categorical
 * ones with class-conditional response probabilities, numeric ones Gaussian with a class mean and variance.
 *
 * Missing values are handled by full-information likelihood under missingness at random, as poLCA does: a
 * missing indicator contributes nothing to its row's likelihood, and the M-step estimates each indicator's
 * parameters from the rows that observe it. Rows with no observed indicator carry no information; they get the
 * class shares as posterior and do not count in n. The E-step works in log space with log-sum-exp, so long
 * indicator lists do not underflow. Each random start draws response probabilities uniformly and normalises
 * them (as poLCA), sets equal shares, draws class means uniformly within ±√3 standard deviations of the
 * overall mean and starts variances at the overall variance; none of this depends on how rows are laid out,
 * so distinct rows with counts as weights give the same fit as the repeated rows for the same seed. EM runs to
 * convergence from every start and the highest log-likelihood wins; classes are then ordered by share
 * (largest first, earlier class on ties) so that results do not depend on label switching.
 * @param data categorical codes (−1 missing) and optional numeric indicators (NaN missing)
 * @param options k, nStarts, maxIter, tol, seed, sampleWeight, levels, varianceFloor, start, repeatTol
 */
export function fitLca(data: LcaData, options: LcaOptions): LcaModel {
  const { k: K, maxIter = 1000, tol = 1e-10, seed = 0, varianceFloor = 1e-3, repeatTol = 1e-6 } = options;
  const prep = prepare(data, options);
  const { n, L, q } = prep;
  if (!Number.isInteger(K) || K < 1) throw new Error(`invalid k: ${K} (expected an integer ≥ 1)`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new Error(`invalid maxIter: ${maxIter} (expected ≥ 1)`);
  if (Number.isNaN(tol)) throw new Error("invalid tol: NaN");
  if (!(varianceFloor > 0 && varianceFloor < Infinity)) throw new Error(`invalid varianceFloor: ${varianceFloor} (expected > 0)`);
  if (!(repeatTol >= 0)) throw new Error(`invalid repeatTol: ${repeatTol} (expected ≥ 0)`);
  const nStarts = options.start ? 1 : (options.nStarts ?? 10);
  if (!Number.isInteger(nStarts) || nStarts < 1) throw new Error(`invalid nStarts: ${nStarts} (expected ≥ 1)`);
  const floors = new Float64Array(q);
  for (let t = 0; t < q; ++t) floors[t] = varianceFloor * (prep.overallVar[t] > 0 ? prep.overallVar[t] : 1);
  if (options.start) checkParameters(options.start, K, L, q);

  const ws = { logJ: new Float64Array(n * K), post: new Float64Array(n * K) };
  const rng = createRng(seed);
  let best: { params: LcaParameters; ll: number; iterations: number; converged: boolean } | undefined;
  let bestStart = 0;
  const lls: number[] = [];
  for (let s = 0; s < nStarts; ++s) {
    const params = options.start ? copyParameters(options.start) : randomStart(prep, K, floors, rng);
    const r = runEm(prep, params, floors, maxIter, tol, ws);
    lls.push(r.ll);
    if (!best || r.ll > best.ll) {
      best = { params, ...r };
      bestStart = s;
    }
  }
  if (best === undefined) throw new Error(`invalid nStarts: ${nStarts}`);
  const b = best;
  const order = Array.from({ length: K }, (_, c) => c).sort((x, y) => b.params.shares[y] - b.params.shares[x] || x - y);
  const params = permuteClasses(b.params, order, L, q);
  const ll = eStep(prep, params, ws.logJ, ws.post, true);
  const posterior = { rows: n, cols: K, data: ws.post.slice() };
  const { modal, modalPosterior } = modalClasses(posterior);
  const nParameters = K - 1 + K * L.reduce((s, l) => s + l - 1, 0) + 2 * K * q;
  const nObs = prep.nObs;
  let h = 0;
  for (let i = 0; i < n; ++i) {
    const w = prep.w[i];
    if (w === 0) continue;
    for (let c = 0; c < K; ++c) {
      const pc = posterior.data[i * K + c];
      if (pc > 0) h -= w * pc * Math.log(pc);
    }
  }
  return {
    k: K,
    levels: [...L],
    ...params,
    varianceFloors: floors,
    logLikelihood: ll,
    nParameters,
    n: nObs,
    aic: -2 * ll + 2 * nParameters,
    bic: -2 * ll + nParameters * Math.log(nObs),
    sabic: -2 * ll + nParameters * Math.log((nObs + 2) / 24),
    entropy: K > 1 ? 1 - h / (nObs * Math.log(K)) : NaN,
    iterations: b.iterations,
    converged: b.converged,
    posterior,
    modal,
    modalPosterior,
    bestStart,
    startsAtBest: lls.filter((v) => v >= b.ll - repeatTol).length,
    startLogLikelihoods: lls,
  };
}

/**
 * Posterior class membership of (new) rows under a fitted model: the E-step of {@link fitLca}, with missing
 * indicators left out of each row's likelihood.
 * @param model a fitted {@link LcaModel} (or any parameters with `levels`)
 * @param data rows with the model's indicators, coded as for the fit
 * @param sampleWeight optional n row weights for the log-likelihood (default: all 1)
 */
export function predictLca(
  model: LcaParameters & { levels: readonly number[] },
  data: LcaData,
  sampleWeight?: Float64Array,
): LcaPrediction {
  const prep = prepare(data, { k: model.shares.length, levels: model.levels, sampleWeight });
  const K = model.shares.length;
  checkParameters(model, K, prep.L, prep.q);
  const post = new Float64Array(prep.n * K);
  const logLikelihood = eStep(prep, model, new Float64Array(prep.n * K), post, false);
  const posterior = { rows: prep.n, cols: K, data: post };
  return { posterior, ...modalClasses(posterior), logLikelihood };
}

interface Prepared {
  n: number;
  codes: readonly Int32Array[];
  L: number[];
  /** n×q numeric indicators, or an empty array. */
  num: Float64Array;
  q: number;
  /** Row weights, 0 for rows with no observed indicator. */
  w: Float64Array;
  nObs: number;
  overallMean: Float64Array;
  overallVar: Float64Array;
}

function prepare(data: LcaData, options: Pick<LcaOptions, "k" | "levels" | "sampleWeight">): Prepared {
  const codes = data.categorical;
  const J = codes.length;
  const numeric = data.numeric;
  if (numeric) checkMatrix(numeric, "numeric");
  const q = numeric ? numeric.cols : 0;
  if (J === 0 && q === 0) throw new Error("invalid data: no categorical and no numeric indicators");
  const n = J > 0 ? codes[0].length : (numeric?.rows ?? 0);
  if (numeric && numeric.rows !== n) throw new Error(`invalid numeric: ${numeric.rows} rows (expected ${n})`);
  if (options.levels && options.levels.length !== J)
    throw new Error(`invalid levels: ${options.levels.length} entries (expected ${J} categorical indicators)`);
  const L: number[] = [];
  for (let j = 0; j < J; ++j) {
    const col = codes[j];
    if (!(col instanceof Int32Array) || col.length !== n)
      throw new Error(`invalid categorical[${j}]: expected an Int32Array of ${n} codes`);
    let max = -1;
    for (let i = 0; i < n; ++i) {
      if (col[i] < -1) throw new Error(`invalid categorical[${j}]: code ${col[i]} at row ${i} (expected ≥ −1)`);
      if (col[i] > max) max = col[i];
    }
    const lj = options.levels ? options.levels[j] : Math.max(1, max + 1);
    if (!Number.isInteger(lj) || lj < 1) throw new Error(`invalid levels[${j}]: ${lj} (expected an integer ≥ 1)`);
    if (max >= lj) throw new Error(`invalid categorical[${j}]: code ${max} (levels[${j}] is ${lj})`);
    L.push(lj);
  }
  const num = numeric ? numeric.data : new Float64Array(0);
  for (let i = 0; i < num.length; ++i) {
    if (num[i] === Infinity || num[i] === -Infinity)
      throw new Error(`invalid numeric: ${num[i]} at row ${Math.floor(i / q)}, column ${i % q}`);
  }
  const sw = options.sampleWeight;
  if (sw !== undefined) {
    if (!(sw instanceof Float64Array) || sw.length !== n) throw new Error(`invalid sampleWeight: expected a Float64Array of length ${n}`);
    for (let i = 0; i < n; ++i)
      if (!(sw[i] >= 0 && sw[i] < Infinity)) throw new Error(`invalid sampleWeight: ${sw[i]} at row ${i} (expected finite, ≥ 0)`);
  }
  const w = new Float64Array(n);
  let nObs = 0;
  for (let i = 0; i < n; ++i) {
    let seen = false;
    for (let j = 0; j < J && !seen; ++j) seen = codes[j][i] >= 0;
    for (let t = 0; t < q && !seen; ++t) seen = !Number.isNaN(num[i * q + t]);
    w[i] = seen ? (sw ? sw[i] : 1) : 0;
    nObs += w[i];
  }
  const overallMean = new Float64Array(q);
  const overallVar = new Float64Array(q);
  for (let t = 0; t < q; ++t) {
    // West's weighted update (West 1979), as in variance-shares.ts
    let tot = 0;
    let m = 0;
    let ss = 0;
    for (let i = 0; i < n; ++i) {
      const x = num[i * q + t];
      if (w[i] === 0 || Number.isNaN(x)) continue;
      tot += w[i];
      const d = x - m;
      m += (w[i] / tot) * d;
      ss += w[i] * d * (x - m);
    }
    overallMean[t] = tot > 0 ? m : 0;
    overallVar[t] = tot > 0 ? Math.max(0, ss) / tot : 0;
  }
  return { n, codes, L, num, q, w, nObs, overallMean, overallVar };
}

function checkParameters(P: LcaParameters, K: number, L: number[], q: number): void {
  if (!(P.shares instanceof Float64Array) || P.shares.length !== K) throw new Error(`invalid start: shares must be a Float64Array of ${K}`);
  for (let c = 0; c < K; ++c) if (!(P.shares[c] >= 0)) throw new Error(`invalid start: share ${P.shares[c]} of class ${c}`);
  if (P.probabilities.length !== L.length)
    throw new Error(`invalid start: ${P.probabilities.length} probability tables (expected ${L.length})`);
  for (let j = 0; j < L.length; ++j) {
    const T = P.probabilities[j];
    if (!(T instanceof Float64Array) || T.length !== K * L[j])
      throw new Error(`invalid start: probabilities[${j}] must hold ${K}×${L[j]} values`);
    for (let i = 0; i < T.length; ++i) if (!(T[i] >= 0 && T[i] <= 1)) throw new Error(`invalid start: probability ${T[i]} in table ${j}`);
  }
  checkMatrix(P.means, "means");
  checkMatrix(P.variances, "variances");
  if (P.means.rows !== K || P.means.cols !== q || P.variances.rows !== K || P.variances.cols !== q)
    throw new Error(`invalid start: means and variances must be ${K}×${q}`);
  for (const v of P.variances.data) if (!(v > 0 && v < Infinity)) throw new Error(`invalid start: variance ${v} (expected > 0)`);
}

function copyParameters(P: LcaParameters): LcaParameters {
  return {
    shares: P.shares.slice(),
    probabilities: P.probabilities.map((T) => T.slice()),
    means: { rows: P.means.rows, cols: P.means.cols, data: P.means.data.slice() },
    variances: { rows: P.variances.rows, cols: P.variances.cols, data: P.variances.data.slice() },
  };
}

function randomStart(prep: Prepared, K: number, floors: Float64Array, rng: Rng): LcaParameters {
  const { L, q, overallMean, overallVar } = prep;
  const probabilities = L.map((lj) => {
    const T = new Float64Array(K * lj);
    for (let c = 0; c < K; ++c) {
      let s = 0;
      // 1 − u lies in (0, 1], so no level starts at probability 0
      for (let l = 0; l < lj; ++l) s += T[c * lj + l] = 1 - rng.next();
      for (let l = 0; l < lj; ++l) T[c * lj + l] /= s;
    }
    return T;
  });
  const means = new Float64Array(K * q);
  const variances = new Float64Array(K * q);
  for (let c = 0; c < K; ++c) {
    for (let t = 0; t < q; ++t) {
      means[c * q + t] = overallMean[t] + Math.sqrt(3 * overallVar[t]) * (2 * rng.next() - 1);
      variances[c * q + t] = Math.max(overallVar[t], floors[t]);
    }
  }
  return {
    shares: new Float64Array(K).fill(1 / K),
    probabilities,
    means: { rows: K, cols: q, data: means },
    variances: { rows: K, cols: q, data: variances },
  };
}

/**
 * log f(xᵢ, c) for every row and class into logJ (n×K), the posterior into post, and Σ wᵢ log f(xᵢ). Rows of
 * weight 0 get a posterior too (NaN when no class can have produced them, unless `strict` throws then).
 */
function eStep(prep: Prepared, P: LcaParameters, logJ: Float64Array, post: Float64Array, strict: boolean): number {
  const { n, codes, L, num, q, w } = prep;
  const K = P.shares.length;
  const logPi = P.shares.map(Math.log);
  for (let i = 0; i < n; ++i) for (let c = 0; c < K; ++c) logJ[i * K + c] = logPi[c];
  for (let j = 0; j < codes.length; ++j) {
    const col = codes[j];
    const lj = L[j];
    const T = P.probabilities[j].map(Math.log);
    for (let i = 0; i < n; ++i) {
      const code = col[i];
      if (code < 0) continue;
      const o = i * K;
      for (let c = 0; c < K; ++c) logJ[o + c] += T[c * lj + code];
    }
  }
  if (q > 0) {
    const M = P.means.data;
    const V = P.variances.data;
    const half = new Float64Array(K);
    const inv = new Float64Array(K);
    const mu = new Float64Array(K);
    for (let t = 0; t < q; ++t) {
      for (let c = 0; c < K; ++c) {
        half[c] = -0.5 * (LOG_2PI + Math.log(V[c * q + t]));
        inv[c] = 0.5 / V[c * q + t];
        mu[c] = M[c * q + t];
      }
      for (let i = 0; i < n; ++i) {
        const x = num[i * q + t];
        if (x !== x) continue;
        const o = i * K;
        for (let c = 0; c < K; ++c) {
          const d = x - mu[c];
          logJ[o + c] += half[c] - d * d * inv[c];
        }
      }
    }
  }
  let ll = 0;
  for (let i = 0; i < n; ++i) {
    const o = i * K;
    let max = -Infinity;
    for (let c = 0; c < K; ++c) if (logJ[o + c] > max) max = logJ[o + c];
    if (max === -Infinity) {
      if (w[i] > 0 && strict) throw new Error(`invalid start: row ${i} has probability 0 under every class`);
      post.fill(NaN, o, o + K);
      continue;
    }
    let s = 0;
    for (let c = 0; c < K; ++c) s += post[o + c] = Math.exp(logJ[o + c] - max);
    const inv = 1 / s;
    for (let c = 0; c < K; ++c) post[o + c] *= inv;
    if (w[i] > 0) ll += w[i] * (max + Math.log(s));
  }
  return ll;
}

/** Maximises the expected complete-data log-likelihood given the posterior, in place; parameters without data keep their value. */
function mStep(prep: Prepared, P: LcaParameters, post: Float64Array, floors: Float64Array): void {
  const { n, codes, L, num, q, w } = prep;
  const K = P.shares.length;
  const Wc = new Float64Array(K);
  for (let i = 0; i < n; ++i) {
    const wi = w[i];
    if (wi === 0) continue;
    for (let c = 0; c < K; ++c) Wc[c] += wi * post[i * K + c];
  }
  let tot = 0;
  for (let c = 0; c < K; ++c) tot += Wc[c];
  for (let c = 0; c < K; ++c) P.shares[c] = Wc[c] / tot;
  for (let j = 0; j < codes.length; ++j) {
    const col = codes[j];
    const lj = L[j];
    const counts = new Float64Array(K * lj);
    for (let i = 0; i < n; ++i) {
      const code = col[i];
      const wi = w[i];
      if (code < 0 || wi === 0) continue;
      const o = i * K;
      for (let c = 0; c < K; ++c) counts[c * lj + code] += wi * post[o + c];
    }
    const T = P.probabilities[j];
    for (let c = 0; c < K; ++c) {
      let den = 0;
      for (let l = 0; l < lj; ++l) den += counts[c * lj + l];
      if (den > 0) for (let l = 0; l < lj; ++l) T[c * lj + l] = counts[c * lj + l] / den;
    }
  }
  if (q > 0) {
    const M = P.means.data;
    const V = P.variances.data;
    const sw = new Float64Array(K);
    const swx = new Float64Array(K);
    const swd = new Float64Array(K);
    for (let t = 0; t < q; ++t) {
      sw.fill(0);
      swx.fill(0);
      swd.fill(0);
      for (let i = 0; i < n; ++i) {
        const x = num[i * q + t];
        const wi = w[i];
        if (x !== x || wi === 0) continue;
        const o = i * K;
        for (let c = 0; c < K; ++c) {
          const r = wi * post[o + c];
          sw[c] += r;
          swx[c] += r * x;
        }
      }
      for (let c = 0; c < K; ++c) if (sw[c] > 0) M[c * q + t] = swx[c] / sw[c];
      // second pass about the new means: the centred sum of squares, not Σ r x² − (Σ r x)² / Σ r
      for (let i = 0; i < n; ++i) {
        const x = num[i * q + t];
        const wi = w[i];
        if (x !== x || wi === 0) continue;
        const o = i * K;
        for (let c = 0; c < K; ++c) {
          const d = x - M[c * q + t];
          swd[c] += wi * post[o + c] * d * d;
        }
      }
      for (let c = 0; c < K; ++c) if (sw[c] > 0) V[c * q + t] = Math.max(swd[c] / sw[c], floors[t]);
    }
  }
}

function runEm(
  prep: Prepared,
  P: LcaParameters,
  floors: Float64Array,
  maxIter: number,
  tol: number,
  ws: { logJ: Float64Array; post: Float64Array },
): { ll: number; iterations: number; converged: boolean } {
  let ll = eStep(prep, P, ws.logJ, ws.post, true);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    mStep(prep, P, ws.post, floors);
    ++iterations;
    const next = eStep(prep, P, ws.logJ, ws.post, true);
    const change = Math.abs(next - ll);
    ll = next;
    if (change <= tol) {
      converged = true;
      break;
    }
  }
  return { ll, iterations, converged };
}

function permuteClasses(P: LcaParameters, order: number[], L: number[], q: number): LcaParameters {
  const K = order.length;
  const out = copyParameters(P);
  for (let c = 0; c < K; ++c) {
    const o = order[c];
    out.shares[c] = P.shares[o];
    for (let j = 0; j < L.length; ++j) {
      const lj = L[j];
      out.probabilities[j].set(P.probabilities[j].subarray(o * lj, o * lj + lj), c * lj);
    }
    out.means.data.set(P.means.data.subarray(o * q, o * q + q), c * q);
    out.variances.data.set(P.variances.data.subarray(o * q, o * q + q), c * q);
  }
  return out;
}

function modalClasses(posterior: Matrix): { modal: Int32Array; modalPosterior: Float64Array } {
  const { rows: n, cols: K, data } = posterior;
  const modal = new Int32Array(n);
  const modalPosterior = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    let b = 0;
    for (let c = 1; c < K; ++c) if (data[i * K + c] > data[i * K + b]) b = c;
    // a row no class can have produced (posterior NaN) has no modal class
    modal[i] = Number.isNaN(data[i * K + b]) ? -1 : b;
    modalPosterior[i] = data[i * K + b];
  }
  return { modal, modalPosterior };
}
