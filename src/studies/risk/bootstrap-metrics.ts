import { bootstrapInterval } from "../../ml/bootstrap.js";
import { brierScore } from "../../ml/metrics/calibration.js";
import { balancedAccuracy, f1, precision, recall } from "../../ml/metrics/classification.js";
import { averagePrecision, rocAuc } from "../../ml/metrics/ranking.js";

/** Metrics that get a bootstrap interval on a single test set. */
export const BOOTSTRAP_METRICS = ["balanced_accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "brier"] as const;
export type BootstrapMetric = (typeof BOOTSTRAP_METRICS)[number];

/**
 * Percentile bootstrap 95% intervals of the test-set metrics of a single split (holdout or temporal), where there
 * are no folds to average over: class-stratified resamples of the test rows (the same resamples for every metric),
 * thresholded metrics at the split's threshold. Each interval says how much the figure would move with another
 * test set of the same size from the same population; it does not cover a change of population.
 * @param y test labels
 * @param p calibrated test scores
 * @param threshold decision threshold
 * @param options replicates (default 1000), seed
 */
export function bootstrapMetrics(
  y: Float64Array,
  p: Float64Array,
  threshold: number,
  options: { replicates?: number; seed: number },
): Record<BootstrapMetric, { ci95: [number, number]; replicates: number }> {
  const flag = (s: Float64Array) => Float64Array.from(s, (v) => (v >= threshold ? 1 : 0));
  const statistics: Record<BootstrapMetric, (yb: Float64Array, sb: Float64Array) => number> = {
    balanced_accuracy: (yb, sb) => balancedAccuracy(yb, flag(sb)),
    precision: (yb, sb) => precision(yb, flag(sb)),
    recall: (yb, sb) => recall(yb, flag(sb)),
    f1: (yb, sb) => f1(yb, flag(sb)),
    roc_auc: rocAuc,
    pr_auc: averagePrecision,
    brier: brierScore,
  };
  const out = {} as Record<BootstrapMetric, { ci95: [number, number]; replicates: number }>;
  for (const name of BOOTSTRAP_METRICS) {
    const b = bootstrapInterval(y, p, statistics[name], { replicates: options.replicates ?? 1000, seed: options.seed });
    out[name] = { ci95: [b.lower, b.upper], replicates: b.valid };
  }
  return out;
}
