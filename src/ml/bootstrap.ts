import { RandomState } from "./numpy-random.js";
import { quantileSorted } from "./quantile.js";
import { sd } from "./stats.js";

/** A statistic of labels and scores on one test set, e.g. `rocAuc` or `averagePrecision`. */
export type ScoreStatistic = (y: Float64Array, score: Float64Array) => number;

/** Options for {@link bootstrapInterval}. */
export interface BootstrapOptions {
  /** Number of bootstrap resamples B (default 1000). */
  replicates?: number;
  /** Coverage of the percentile interval (default 0.95). */
  level?: number;
  /** Seed of the numpy-equal generator (default 0). */
  seed?: number;
}

/** Result of {@link bootstrapInterval}. */
export interface BootstrapInterval {
  /** The statistic on the full test set. */
  estimate: number;
  /** (1 − level)/2 percentile of the replicates. */
  lower: number;
  /** (1 + level)/2 percentile of the replicates. */
  upper: number;
  /** Standard deviation of the replicates (n − 1), the bootstrap standard error. */
  se: number;
  level: number;
  /** Resamples drawn. */
  replicates: number;
  /** Resamples whose statistic was a number (NaN replicates are left out of the percentiles). */
  valid: number;
}

/**
 * Percentile bootstrap interval (Efron & Tibshirani 1993, ch. 13) of a statistic of (y, score) on one test set,
 * for a single holdout or temporal split where there are no folds to average over. Resampling is stratified
 * by class: each replicate draws n₁ positives from the positives and n₀ negatives from the negatives with
 * replacement, so every resample keeps both classes and the observed prevalence. Draws are numpy's
 * `RandomState(seed).randint(0, n₁, n₁)` then `randint(0, n₀, n₀)` per replicate (positives first, each class in
 * input order), so the replicates equal a numpy loop draw for draw; percentiles are numpy's linear ones.
 * @param y labels in {0, 1}; both classes must occur
 * @param score scores (any scale the statistic accepts)
 * @param statistic function of (y, score)
 * @param options replicates (1000), level (0.95), seed (0)
 */
export function bootstrapInterval(
  y: Float64Array,
  score: Float64Array,
  statistic: ScoreStatistic,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const { replicates = 1000, level = 0.95, seed = 0 } = options;
  const n = y.length;
  if (score.length !== n) throw new Error(`invalid score: length ${score.length} (expected ${n})`);
  if (!(Number.isInteger(replicates) && replicates >= 1)) throw new Error(`invalid replicates: ${replicates} (expected an integer ≥ 1)`);
  if (!(level > 0 && level < 1)) throw new Error(`invalid level: ${level} (expected 0 < level < 1)`);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < n; ++i) {
    if (y[i] === 1) pos.push(i);
    else if (y[i] === 0) neg.push(i);
    else throw new Error(`invalid y[${i}]: ${y[i]} (expected 0 or 1)`);
  }
  if (pos.length === 0 || neg.length === 0) {
    throw new Error(`invalid y: ${pos.length} positives and ${neg.length} negatives (a stratified bootstrap needs both classes)`);
  }
  const n1 = pos.length;
  const n0 = neg.length;
  const rng = new RandomState(seed);
  const yb = new Float64Array(n);
  yb.fill(1, 0, n1);
  const sb = new Float64Array(n);
  const values: number[] = [];
  for (let r = 0; r < replicates; ++r) {
    const ip = rng.randint(0, n1, n1);
    const ineg = rng.randint(0, n0, n0);
    for (let t = 0; t < n1; ++t) sb[t] = score[pos[ip[t]]];
    for (let t = 0; t < n0; ++t) sb[n1 + t] = score[neg[ineg[t]]];
    const v = statistic(yb, sb);
    if (!Number.isNaN(v)) values.push(v);
  }
  const sorted = Float64Array.from(values).sort();
  const alpha = (1 - level) / 2;
  return {
    estimate: statistic(y, score),
    lower: quantileSorted(sorted, alpha),
    upper: quantileSorted(sorted, 1 - alpha),
    se: sd(values),
    level,
    replicates,
    valid: values.length,
  };
}
