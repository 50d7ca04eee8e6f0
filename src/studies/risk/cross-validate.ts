import type { LogisticModel } from "../../ml/logistic-regression.js";
import { take } from "../../ml/matrix.js";
import { balancedAccuracy, confusionMatrix, f1, precision, recall } from "../../ml/metrics/classification.js";
import { ranking } from "../../ml/metrics/ranking.js";
import { stratifiedKFold, type Split } from "../../ml/model-selection.js";
import { applyCalibrator, fitCalibrator, priorShiftCalibrator, type CalibrationMethod, type Calibrator } from "./calibration.js";
import type { ResampleSpec, ThresholdRule } from "./spec.js";
import { ruleThreshold } from "./threshold.js";
import { indicesWhere, mapFloat64, mapInt32 } from "../../util/typed-arrays.js";

/**
 * Resamples the training rows (rows of the design, in order) and fits the scoring model; returns it and the
 * positive rate it was trained at.
 */
export type TrainModel = (rows: Int32Array, resample: ResampleSpec, seed: number) => { model: LogisticModel; resampledRate: number };

/** The model's probability for each of the given rows of the design. */
export type ScoreRows = (model: LogisticModel, rows: Int32Array) => Float64Array;

/** What happened in one validation split. */
export interface FoldResult {
  /** Rows scored (indices into y). */
  test: Int32Array;
  /** Positive rate of the training rows before resampling. */
  trainRate: number;
  /** Positive rate the model was trained at (after resampling or class weights). */
  resampledRate: number;
  /** The calibrator fitted from training rows only. */
  calibrator: Calibrator;
  /** Decision threshold on the calibrated scores of this split's test rows. */
  threshold: number;
}

/** Out-of-fold scores of one resampling and calibration setting. */
export interface CrossValidation {
  resample: ResampleSpec["method"];
  calibration: CalibrationMethod;
  /** Raw model probability of each row in a test set (NaN elsewhere). */
  raw: Float64Array;
  /** Calibrated probability of each row in a test set (NaN elsewhere). */
  calibrated: Float64Array;
  folds: FoldResult[];
}

/** Options for {@link crossValidate}. */
export interface CrossValidateOptions {
  train: TrainModel;
  score: ScoreRows;
  resample: ResampleSpec;
  calibration: CalibrationMethod;
  /** Inner folds for Platt and isotonic recalibration. */
  innerFolds: number;
  threshold: ThresholdRule;
  seed: number;
}

/**
 * Runs every split: resamples and fits on the training rows only, fits the calibrator on the training rows only
 * (prior shift from the two known rates, or Platt / isotonic on inner cross-validated scores of the training rows,
 * as scikit-learn's `CalibratedClassifierCV(ensemble=False)`), scores the test rows, and sets each split's threshold
 * from its training rate (cost rule) or its test batch (top-share rule). Split f resamples with `seed + f`. The
 * design itself stays with `train` and `score`, which are given rows of it.
 * @param y n labels
 * @param splits validation splits (indices into y, the design's rows)
 * @param options train, score, resample, calibration, innerFolds, threshold, seed
 */
export function crossValidate(y: Float64Array, splits: Split[], options: CrossValidateOptions): CrossValidation {
  const n = y.length;
  const raw = new Float64Array(n).fill(NaN);
  const calibrated = new Float64Array(n).fill(NaN);
  const folds: FoldResult[] = [];
  for (let f = 0; f < splits.length; ++f) {
    const { train, test } = splits[f];
    const ytr = take(y, train);
    const trainRate = meanOf(ytr);
    const fitted = options.train(train, options.resample, options.seed + f);
    const pRaw = options.score(fitted.model, test);
    const calibrator = foldCalibrator(train, ytr, trainRate, fitted.resampledRate, options, f);
    const pCal = applyCalibrator(calibrator, pRaw);
    for (let i = 0; i < test.length; ++i) {
      raw[test[i]] = pRaw[i];
      calibrated[test[i]] = pCal[i];
    }
    folds.push({
      test,
      trainRate,
      resampledRate: fitted.resampledRate,
      calibrator,
      threshold: ruleThreshold(options.threshold, trainRate, pCal),
    });
  }
  return { resample: options.resample.method, calibration: options.calibration, raw, calibrated, folds };
}

function foldCalibrator(
  trainRows: Int32Array,
  ytr: Float64Array,
  trainRate: number,
  resampledRate: number,
  options: CrossValidateOptions,
  f: number,
): Calibrator {
  switch (options.calibration) {
    case "none":
      return { method: "none" };
    case "prior_shift":
      return priorShiftCalibrator(trainRate, resampledRate);
    case "platt":
    case "isotonic": {
      const innerSeed = options.seed + 1000 * (f + 1);
      const inner = stratifiedKFold(ytr, { folds: options.innerFolds, shuffle: true, seed: innerSeed });
      const held = new Float64Array(ytr.length);
      for (let g = 0; g < inner.length; ++g) {
        const { train, test } = inner[g];
        const m = options.train(rowsOf(trainRows, train), options.resample, innerSeed + g);
        const p = options.score(m.model, rowsOf(trainRows, test));
        for (let i = 0; i < test.length; ++i) held[test[i]] = p[i];
      }
      return fitCalibrator(options.calibration, held, ytr);
    }
  }
}

/** Metrics of one split at its threshold, on calibrated scores. */
export interface FoldMetrics {
  balanced_accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number;
  pr_auc: number;
  confusion: [[number, number], [number, number]];
}

/** Threshold metrics at a cut and the ranking metrics of scores `p` against labels `y`. */
export function scoreMetrics(y: Float64Array, p: Float64Array, threshold: number): FoldMetrics {
  const pred = mapFloat64(p, (v) => (v >= threshold ? 1 : 0));
  const ranked = ranking(y, p);
  return {
    balanced_accuracy: balancedAccuracy(y, pred),
    precision: precision(y, pred),
    recall: recall(y, pred),
    f1: f1(y, pred),
    roc_auc: ranked.rocAuc,
    pr_auc: ranked.averagePrecision,
    confusion: confusionMatrix(y, pred),
  };
}

/** {@link scoreMetrics} of each split's test rows. */
export function foldMetrics(y: Float64Array, cv: CrossValidation): FoldMetrics[] {
  return cv.folds.map((fold) => scoreMetrics(take(y, fold.test), take(cv.calibrated, fold.test), fold.threshold));
}

/** Rows that some split tested, ascending. */
export function testedRows(cv: CrossValidation): Int32Array {
  return indicesWhere(cv.calibrated, (v) => !Number.isNaN(v));
}

/**
 * `v` at the tested rows (from {@link testedRows}): `v` itself, not a copy, when every row was tested (k-fold
 * validation), so the caller must not change it.
 */
export function atTested(v: Float64Array, tested: Int32Array): Float64Array {
  return tested.length === v.length ? v : take(v, tested);
}

/** The design's rows at positions `at` of `rows`. */
function rowsOf(rows: Int32Array, at: Int32Array): Int32Array {
  return mapInt32(at, (r) => rows[r]);
}

function meanOf(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}
