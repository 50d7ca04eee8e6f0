import { log1pExp, sigmoid } from "./logistic-regression.js";

/**
 * Turning scores into probabilities: the prior-shift correction for a model trained on resampled data, Platt
 * scaling and isotonic regression, as scikit-learn's `CalibratedClassifierCV(method="sigmoid" | "isotonic")`
 * fits them (version 1.2). Fit the recalibration on held-out scores (inside the training folds), never on the
 * rows it will be judged on.
 */

/**
 * Corrects probabilities from a model trained on resampled data (over- or under-sampling, SMOTE) back to the
 * original class balance (Elkan 2001, "The foundations of cost-sensitive learning"; Saerens, Latinne &
 * Decaestecker 2002): odds′ = odds · [π/(1 − π)] / [πₛ/(1 − πₛ)], computed on the logit scale. Exact for a well-specified model
 * whose resampling changed only the class prior; 0 and 1 stay 0 and 1.
 * @param p probabilities from the model trained on resampled data
 * @param originalRate π, the positive rate of the training data before resampling, in (0, 1)
 * @param resampledRate πₛ, the positive rate after resampling (0.5 for fully balanced SMOTE), in (0, 1)
 */
export function correctPriorShift(p: Float64Array, originalRate: number, resampledRate: number): Float64Array {
  for (const [name, v] of [
    ["originalRate", originalRate],
    ["resampledRate", resampledRate],
  ] as const) {
    if (!(v > 0 && v < 1)) throw new Error(`invalid ${name}: ${v} (expected a rate in (0, 1))`);
  }
  const shift = Math.log(originalRate) - Math.log1p(-originalRate) - (Math.log(resampledRate) - Math.log1p(-resampledRate));
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; ++i) {
    const v = p[i];
    if (!(v >= 0 && v <= 1)) throw new Error(`invalid p[${i}]: ${v} (expected a probability in [0, 1])`);
    if (v === 0 || v === 1) {
      out[i] = v;
      continue;
    }
    const z = Math.log(v) - Math.log1p(-v) + shift;
    out[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
  return out;
}

/** A Platt sigmoid P(y = 1 | s) = 1 / (1 + exp(a·s + b)), scikit-learn's `_SigmoidCalibration` (a_, b_). */
export interface PlattModel {
  a: number;
  b: number;
}

/**
 * Platt scaling (Platt 1999) exactly as scikit-learn's `_sigmoid_calibration`: minimises the weighted
 * cross-entropy of P = 1/(1 + exp(a·s + b)) against Platt's smoothed targets t₊ = (N₊ + 1)/(N₊ + 2) and
 * t₋ = 1/(N₋ + 2) (N the weighted class totals), from a = 0, b = log((N₋ + 1)/(N₊ + 1)). scikit-learn stops
 * BFGS at a gradient of 1e−5; this runs Newton's method to the exact minimiser. When every score is equal the
 * slope is not identified and a = 0.
 * @param scores decision values (logits for a logistic model, as scikit-learn uses `decision_function`)
 * @param y labels in {0, 1}
 * @param sampleWeight optional weights (default 1)
 */
export function fitPlatt(scores: Float64Array, y: Float64Array, sampleWeight?: Float64Array): PlattModel {
  const n = scores.length;
  if (y.length !== n) throw new Error(`invalid y: length ${y.length} (expected ${n})`);
  if (sampleWeight && sampleWeight.length !== n) throw new Error(`invalid sampleWeight: length ${sampleWeight.length} (expected ${n})`);
  let prior0 = 0;
  let prior1 = 0;
  let smin = Infinity;
  let smax = -Infinity;
  for (let i = 0; i < n; ++i) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`invalid y[${i}]: ${y[i]} (expected 0 or 1)`);
    if (!Number.isFinite(scores[i])) throw new Error(`invalid scores[${i}]: ${scores[i]} (expected a finite number)`);
    const wi = sampleWeight ? sampleWeight[i] : 1;
    if (y[i] === 1) prior1 += wi;
    else prior0 += wi;
    smin = Math.min(smin, scores[i]);
    smax = Math.max(smax, scores[i]);
  }
  const tPos = (prior1 + 1) / (prior1 + 2);
  const tNeg = 1 / (prior0 + 2);
  const slopeFree = n > 0 && smax > smin;
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < n; ++i) {
      const z = a * scores[i] + b;
      const t = y[i] === 1 ? tPos : tNeg;
      // −[t·log P + (1 − t)·log(1 − P)] with P = σ(−z): t·log(1 + e^z) + (1 − t)·log(1 + e^−z)
      f += (sampleWeight ? sampleWeight[i] : 1) * (t * log1pExp(z) + (1 - t) * log1pExp(-z));
    }
    return f;
  };
  let a = 0;
  let b = Math.log((prior0 + 1) / (prior1 + 1));
  let f = objective(a, b);
  for (let iter = 0; iter < 100; ++iter) {
    let ga = 0;
    let gb = 0;
    let haa = 0;
    let hab = 0;
    let hbb = 0;
    for (let i = 0; i < n; ++i) {
      const s = scores[i];
      const z = a * s + b;
      const P = sigmoid(-z);
      const wi = sampleWeight ? sampleWeight[i] : 1;
      const g = wi * ((y[i] === 1 ? tPos : tNeg) - P);
      const h = wi * P * (1 - P);
      ga += g * s;
      gb += g;
      haa += h * s * s;
      hab += h * s;
      hbb += h;
    }
    let da: number;
    let db: number;
    const det = haa * hbb - hab * hab;
    if (slopeFree && det > 1e-14 * haa * hbb) {
      da = (hbb * ga - hab * gb) / det;
      db = (haa * gb - hab * ga) / det;
    } else {
      da = 0;
      db = hbb > 0 ? gb / hbb : 0;
    }
    if (Math.max(Math.abs(da), Math.abs(db)) <= 1e-13 * (1 + Math.abs(a) + Math.abs(b))) break;
    let t = 1;
    let accepted = false;
    for (let half = 0; half < 40; ++half) {
      const fa = objective(a - t * da, b - t * db);
      if (fa <= f + 1e-12 * Math.abs(f)) {
        a -= t * da;
        b -= t * db;
        f = fa;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
  }
  return { a, b };
}

/**
 * Calibrated probabilities 1/(1 + exp(a·s + b)) of a {@link PlattModel}.
 * @param model from {@link fitPlatt}
 * @param scores decision values on the scale the model was fitted on
 */
export function applyPlatt(model: PlattModel, scores: Float64Array): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; ++i) out[i] = sigmoid(-(model.a * scores[i] + model.b));
  return out;
}

/** A fitted increasing isotonic map: linear interpolation through (xThresholds, yThresholds), clipped at the ends. */
export interface IsotonicModel {
  xThresholds: Float64Array;
  yThresholds: Float64Array;
}

/**
 * Weighted isotonic (increasing) regression of y on x, as scikit-learn's
 * `IsotonicRegression(out_of_bounds="clip").fit(x, y, sample_weight)`: rows with weight 0 are dropped, equal x
 * are merged into their weighted mean (x within 1e−15 of the first of a run count as equal), the pool adjacent
 * violators algorithm (Best & Chakravarti 1990, in scikit-learn's single-pass form) makes the fit
 * non-decreasing, and only the points where the fitted step function changes are kept.
 * @param x scores
 * @param y targets (labels in {0, 1} for calibration)
 * @param sampleWeight optional weights ≥ 0 (default 1)
 */
export function fitIsotonic(x: Float64Array, y: Float64Array, sampleWeight?: Float64Array): IsotonicModel {
  const n = x.length;
  if (y.length !== n) throw new Error(`invalid y: length ${y.length} (expected ${n})`);
  if (sampleWeight && sampleWeight.length !== n) throw new Error(`invalid sampleWeight: length ${sampleWeight.length} (expected ${n})`);
  const rows: number[] = [];
  for (let i = 0; i < n; ++i) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i]))
      throw new Error(`invalid row ${i}: x ${x[i]}, y ${y[i]} (expected finite numbers)`);
    const wi = sampleWeight ? sampleWeight[i] : 1;
    if (!(wi >= 0)) throw new Error(`invalid sampleWeight[${i}]: ${wi} (expected ≥ 0)`);
    if (wi > 0) rows.push(i);
  }
  if (rows.length === 0) throw new Error("invalid isotonic fit: no rows with positive weight");
  // np.lexsort((y, x)): by x, then by y.
  rows.sort((i, j) => x[i] - x[j] || y[i] - y[j]);
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  let cx = x[rows[0]];
  let cy = 0;
  let cw = 0;
  for (const i of rows) {
    const wi = sampleWeight ? sampleWeight[i] : 1;
    if (x[i] - cx >= 1e-15) {
      ux.push(cx);
      uy.push(cy / cw);
      uw.push(cw);
      cx = x[i];
      cy = y[i] * wi;
      cw = wi;
    } else {
      cy += y[i] * wi;
      cw += wi;
    }
  }
  ux.push(cx);
  uy.push(cy / cw);
  uw.push(cw);
  const fitted = poolAdjacentViolators(Float64Array.from(uy), Float64Array.from(uw));
  const m = ux.length;
  const keepX: number[] = [];
  const keepY: number[] = [];
  for (let k = 0; k < m; ++k) {
    if (k === 0 || k === m - 1 || fitted[k] !== fitted[k - 1] || fitted[k] !== fitted[k + 1]) {
      keepX.push(ux[k]);
      keepY.push(fitted[k]);
    }
  }
  return { xThresholds: Float64Array.from(keepX), yThresholds: Float64Array.from(keepY) };
}

/**
 * Predictions of an {@link IsotonicModel}: x is clipped to the fitted range, then interpolated linearly as
 * scipy's `interp1d(kind="linear")`; a model fitted on one distinct x predicts its value everywhere.
 * @param model from {@link fitIsotonic}
 * @param x scores
 */
export function applyIsotonic(model: IsotonicModel, x: Float64Array): Float64Array {
  const X = model.xThresholds;
  const Y = model.yThresholds;
  const m = X.length;
  const out = new Float64Array(x.length);
  if (m === 1) return out.fill(Y[0]);
  const xmin = X[0];
  const xmax = X[m - 1];
  for (let i = 0; i < x.length; ++i) {
    const v = Math.min(Math.max(x[i], xmin), xmax);
    // searchsorted(X, v, side="left"), clipped to 1..m − 1
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (X[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    const k = Math.min(Math.max(lo, 1), m - 1);
    const slope = (Y[k] - Y[k - 1]) / (X[k] - X[k - 1]);
    out[i] = slope * (v - X[k - 1]) + Y[k - 1];
  }
  return out;
}

/**
 * scikit-learn's `_inplace_contiguous_isotonic_regression`: a single pass that merges each decreasing run into
 * a block holding its weighted mean and backtracks one block, O(n). Ties are pooled. Returns the fitted values.
 */
function poolAdjacentViolators(y: Float64Array, w: Float64Array): Float64Array {
  const n = y.length;
  // target[i] = j and target[j] = i for an active block [i..j]
  const target = new Int32Array(n);
  for (let i = 0; i < n; ++i) target[i] = i;
  let i = 0;
  while (i < n) {
    let k = target[i] + 1;
    if (k === n) break;
    if (y[i] < y[k]) {
      i = k;
      continue;
    }
    let sumWy = w[i] * y[i];
    let sumW = w[i];
    for (;;) {
      const prevY = y[k];
      sumWy += w[k] * y[k];
      sumW += w[k];
      k = target[k] + 1;
      if (k === n || prevY < y[k]) {
        y[i] = sumWy / sumW;
        w[i] = sumW;
        target[i] = k - 1;
        target[k - 1] = i;
        if (i > 0) i = target[i - 1];
        break;
      }
    }
  }
  i = 0;
  while (i < n) {
    const k = target[i] + 1;
    for (let j = i + 1; j < k; ++j) y[j] = y[i];
    i = k;
  }
  return y;
}
