import { bootstrapIntervals, type Resample, type ResampleStatistic } from "../../ml/bootstrap.js";
import { brierScore } from "../../ml/metrics/calibration.js";
import { ofConfusion, type Confusion } from "../../ml/metrics/classification.js";
import { areasOfCounts } from "../../ml/metrics/ranking.js";

/** Metrics that get a bootstrap interval on a single test set. */
export const BOOTSTRAP_METRICS = ["balanced_accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "brier"] as const;
export type BootstrapMetric = (typeof BOOTSTRAP_METRICS)[number];

/**
 * Percentile bootstrap 95% intervals of the test-set metrics of a single split (holdout or temporal), where there
 * are no folds to average over: class-stratified resamples of the test rows (drawn once, the same for every metric),
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
  // The confusion counts at the threshold, from the rows per distinct score: the counts flagging each row gives.
  const confusion = (r: Resample): Confusion => {
    const { values, counts, positives } = r.counts();
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (let j = 0; j < values.length; ++j) {
      const pos = positives[j];
      const neg = counts[j] - pos;
      if (values[j] >= threshold) {
        tp += pos;
        fp += neg;
      } else {
        fn += pos;
        tn += neg;
      }
    }
    return [
      [tn, fp],
      [fn, tp],
    ];
  };
  const statistics: Record<BootstrapMetric, ResampleStatistic> = {
    balanced_accuracy: (r) => ofConfusion.balancedAccuracy(confusion(r)),
    precision: (r) => ofConfusion.precision(confusion(r)),
    recall: (r) => ofConfusion.recall(confusion(r)),
    f1: (r) => ofConfusion.f1(confusion(r)),
    roc_auc: (r) => areasOfCounts(r.counts()).rocAuc,
    pr_auc: (r) => areasOfCounts(r.counts()).averagePrecision,
    brier: (r) => brierScore(r.y, r.score),
  };
  const intervals = bootstrapIntervals(y, p, statistics, { replicates: options.replicates ?? 1000, seed: options.seed });
  const out = {} as Record<BootstrapMetric, { ci95: [number, number]; replicates: number }>;
  for (const name of BOOTSTRAP_METRICS)
    out[name] = { ci95: [intervals[name].lower, intervals[name].upper], replicates: intervals[name].valid };
  return out;
}
