import { applyIsotonic, applyPlatt, correctPriorShift, fitIsotonic, fitPlatt } from "../../ml/calibrate.js";
import { waldIntervals } from "../../ml/logistic-inference.js";
import { distinctScores } from "../../ml/metrics/distinct-scores.js";
import { brierScore, calibrationFitsOfProbabilities, curveCalibrationError, reliabilityCurve } from "../../ml/metrics/calibration.js";
import { assertUnreachable } from "../../util/errors.js";
import type { CalibrationSpec, ResampleSpec } from "./spec.js";
import { mapFloat64 } from "../../util/typed-arrays.js";

/** A calibration method that was applied (never "auto"). */
export type CalibrationMethod = "none" | "prior_shift" | "platt" | "isotonic";

/**
 * A fitted map from raw model scores to probabilities, as model.json stores it: the prior-shift correction with its
 * two rates, a Platt sigmoid over the raw logit, or an isotonic step function over the raw probability.
 */
export type Calibrator =
  | { method: "none" }
  | { method: "prior_shift"; original_rate: number; resampled_rate: number }
  | { method: "platt"; a: number; b: number }
  | { method: "isotonic"; x: number[]; y: number[] };

/**
 * The calibration method a study applies: "auto" is the prior-shift correction when the resampler changes the
 * class balance the model is trained on (SMOTE, over- and under-sampling, class weights), and none otherwise.
 */
export function calibrationMethod(spec: CalibrationSpec, resample: ResampleSpec["method"]): CalibrationMethod {
  if (spec.method !== "auto") return spec.method;
  return resample === "none" ? "none" : "prior_shift";
}

const EPS = 1e-15;

/** logit(p) with p clipped to [1e-15, 1 − 1e-15], the decision value Platt scaling works on. */
export function logitScores(p: ArrayLike<number>): Float64Array {
  return mapFloat64(p, (v) => {
    const c = Math.min(Math.max(v, EPS), 1 - EPS);
    return Math.log(c) - Math.log1p(-c);
  });
}

/**
 * Fits a calibrator of `method` from held-out raw scores and their labels (never from the rows it will score).
 * @param method "platt" or "isotonic" (the others need no held-out scores: see priorShiftCalibrator)
 * @param raw held-out raw probabilities
 * @param y their labels
 */
export function fitCalibrator(method: "platt" | "isotonic", raw: Float64Array, y: Float64Array): Calibrator {
  if (method === "platt") {
    const m = fitPlatt(logitScores(raw), y);
    return { method: "platt", a: m.a, b: m.b };
  }
  const m = fitIsotonic(raw, y);
  return { method: "isotonic", x: Array.from(m.xThresholds), y: Array.from(m.yThresholds) };
}

/**
 * The prior-shift correction for a model trained at positive rate `resampledRate` on data whose rate is
 * `originalRate` (Elkan 2001; Saerens et al. 2002); the identity when the rates are equal.
 */
export function priorShiftCalibrator(originalRate: number, resampledRate: number): Calibrator {
  return { method: "prior_shift", original_rate: originalRate, resampled_rate: resampledRate };
}

/**
 * Calibrated probabilities of raw model scores.
 * @param c a calibrator (from model.json or a fold)
 * @param raw raw probabilities of the scoring model
 */
export function applyCalibrator(c: Calibrator, raw: Float64Array): Float64Array {
  switch (c.method) {
    case "none":
      return Float64Array.from(raw);
    case "prior_shift":
      return c.original_rate === c.resampled_rate ? Float64Array.from(raw) : correctPriorShift(raw, c.original_rate, c.resampled_rate);
    case "platt":
      return applyPlatt({ a: c.a, b: c.b }, logitScores(raw));
    case "isotonic":
      return applyIsotonic({ xThresholds: Float64Array.from(c.x), yThresholds: Float64Array.from(c.y) }, raw);
    default:
      return assertUnreachable(c);
  }
}

/** How well probabilities match outcomes (the contract's `metrics.calibration`, without the method). */
export interface CalibrationSummary {
  brier: number;
  mean_predicted: number;
  observed_rate: number;
  /** Calibration-in-the-large: 0 when the mean risk is right. */
  intercept: number;
  intercept_ci95: [number, number];
  /** Calibration slope: 1 when predictions are neither too extreme nor too modest. */
  slope: number;
  slope_ci95: [number, number];
  ece: number;
  curve: { bin: number; n: number; mean_predicted: number; observed: number }[];
}

/**
 * Brier score, mean prediction and observed rate, the logistic calibration intercept (logit(p) as offset) and
 * slope with Wald 95% intervals (Van Calster et al. 2016, 2019), expected calibration error and the reliability
 * curve over `bins` equal-frequency bins, with counts. Intercept and slope are NaN when their maximum-likelihood
 * estimate does not exist.
 * @param y labels in {0, 1}
 * @param p probabilities
 * @param bins bins of the curve and the ECE (default 10)
 */
export function summarizeCalibration(y: Float64Array, p: Float64Array, bins = 10): CalibrationSummary {
  const n = y.length;
  // over the distinct (score, label) pairs with their counts: the same maximum-likelihood fits as over all n rows
  const distinct = distinctScores(p);
  const { large, line } = calibrationFitsOfProbabilities(y, p, distinct);
  const largeCi = waldIntervals(large);
  const lineCi = waldIntervals(line);
  const lineOk = line.converged && line.aliased.length === 0;
  const curve = reliabilityCurve(y, p, bins, distinct);
  let sp = 0;
  let sy = 0;
  for (let i = 0; i < n; ++i) {
    sp += p[i];
    sy += y[i];
  }
  return {
    brier: brierScore(y, p),
    mean_predicted: n ? sp / n : NaN,
    observed_rate: n ? sy / n : NaN,
    intercept: large.converged ? large.intercept : NaN,
    intercept_ci95: large.converged ? [largeCi.lower[0], largeCi.upper[0]] : [NaN, NaN],
    slope: lineOk ? line.coef[0] : NaN,
    slope_ci95: lineOk ? [lineCi.lower[1], lineCi.upper[1]] : [NaN, NaN],
    ece: curveCalibrationError(curve),
    curve,
  };
}
