import { mean, sd } from "../../ml/stats.js";
import { summarizeCalibration, type CalibrationSummary } from "./calibration.js";
import { atTested, foldMetrics, testedRows, type CrossValidation, type FoldMetrics } from "./cross-validate.js";

/** One row of the resampling comparison: the same splits, another way of handling the class imbalance. */
export interface ResamplingComparisonRow {
  resample: string;
  calibration: string;
  /** True for the study's own setting (the one every other figure comes from). */
  chosen: boolean;
  roc_auc: { mean: number; sd: number };
  pr_auc: { mean: number; sd: number };
  balanced_accuracy: { mean: number; sd: number };
  /** Calibrated out-of-fold scores. */
  brier: number;
  mean_predicted: number;
  calibration_intercept: number;
  calibration_slope: number;
  ece: number;
  /** The same for the raw scores, before calibration. */
  raw_brier: number;
  raw_mean_predicted: number;
  raw_calibration_slope: number;
}

/** What a caller has computed already for a cross-validation, as {@link summarizeCalibration} and {@link foldMetrics} give it. */
export interface KnownSummaries {
  calibrated: CalibrationSummary;
  raw: CalibrationSummary;
  folds: FoldMetrics[];
}

/**
 * The calibration summaries of a cross-validation's calibrated and raw out-of-fold scores, and its fold metrics.
 * @param y labels
 * @param cv a cross-validation
 * @param bins bins of the expected calibration error
 * @param tested `testedRows(cv)`, when the caller has it
 */
export function runSummaries(y: Float64Array, cv: CrossValidation, bins: number, tested = testedRows(cv)): KnownSummaries {
  const yt = atTested(y, tested);
  return {
    calibrated: summarizeCalibration(yt, atTested(cv.calibrated, tested), bins),
    raw: summarizeCalibration(yt, atTested(cv.raw, tested), bins),
    folds: foldMetrics(y, cv),
  };
}

/**
 * Discrimination and calibration of several cross-validations that share their splits, so the analyst sees whether
 * resampling bought discrimination and what it did to calibration (van den Goorbergh et al., "The harm of class
 * imbalance corrections for risk prediction models", JAMIA 29 (2022) 1525–1534).
 * @param y labels
 * @param runs cross-validations on the same splits; the first is the study's own
 * @param bins bins of the expected calibration error
 * @param first what the caller has computed already for `runs[0]`, so that it is not computed twice
 */
export function compareResampling(
  y: Float64Array,
  runs: CrossValidation[],
  bins: number,
  first?: KnownSummaries,
): ResamplingComparisonRow[] {
  return runs.map((cv, k) => comparisonRow(y, cv, bins, k === 0, k === 0 ? first : undefined));
}

/**
 * One row of {@link compareResampling}, for a caller that runs the cross-validations one at a time and keeps only
 * their rows (a cross-validation of 10M rows holds 160 MB of scores).
 * @param y labels
 * @param cv a cross-validation on the study's splits
 * @param bins bins of the expected calibration error
 * @param chosen whether it is the study's own setting
 * @param known its summaries, when the caller has them
 */
export function comparisonRow(
  y: Float64Array,
  cv: CrossValidation,
  bins: number,
  chosen: boolean,
  known?: KnownSummaries,
): ResamplingComparisonRow {
  const { calibrated: cal, raw, folds: m } = known ?? runSummaries(y, cv, bins);
  const ms = (values: number[]) => ({ mean: mean(values), sd: values.length > 1 ? sd(values) : 0 });
  return {
    resample: cv.resample,
    calibration: cv.calibration,
    chosen,
    roc_auc: ms(m.map((f) => f.roc_auc)),
    pr_auc: ms(m.map((f) => f.pr_auc)),
    balanced_accuracy: ms(m.map((f) => f.balanced_accuracy)),
    brier: cal.brier,
    mean_predicted: cal.mean_predicted,
    calibration_intercept: cal.intercept,
    calibration_slope: cal.slope,
    ece: cal.ece,
    raw_brier: raw.brier,
    raw_mean_predicted: raw.mean_predicted,
    raw_calibration_slope: raw.slope,
  };
}
