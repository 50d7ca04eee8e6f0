import { distinctScores, type DistinctScores } from "./metrics/distinct-scores.js";
import type { ScoreCounts } from "./metrics/ranking.js";
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
 * One class-stratified resample of a test set (or the test set itself), as a statistic of
 * {@link bootstrapIntervals} reads it.
 */
export interface Resample {
  /** Labels: a resample's n₁ positives, then its n₀ negatives (the test set's own order for the test set). */
  readonly y: Float64Array;
  /** Scores, in the order of `y`. */
  readonly score: Float64Array;
  /**
   * The rows and positives per distinct score of the test set (ascending; a score not drawn counts 0), counted on
   * first use. Scores must not be NaN.
   */
  counts(): ScoreCounts;
}

/** A statistic of one resample. */
export type ResampleStatistic = (r: Resample) => number;

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
  return bootstrapIntervals(y, score, { value: (r) => statistic(r.y, r.score) }, options).value;
}

/**
 * {@link bootstrapInterval} of several statistics over the same resamples, drawn once: each statistic's interval
 * equals its own {@link bootstrapInterval} with the same seed. A statistic that reads only how many rows (and
 * positives) each distinct score has (ranking areas, thresholded counts) reads {@link Resample.counts}: the test
 * set's scores are counted once, and each resample's rows are only tallied.
 * @param y labels in {0, 1}; both classes must occur
 * @param score scores (any scale the statistics accept)
 * @param statistics functions of a resample, by name
 * @param options replicates (1000), level (0.95), seed (0)
 */
export function bootstrapIntervals<K extends string>(
  y: Float64Array,
  score: Float64Array,
  statistics: Record<K, ResampleStatistic>,
  options: BootstrapOptions = {},
): Record<K, BootstrapInterval> {
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
  const names = Object.keys(statistics) as K[];
  // The test set's distinct scores, counted when a statistic first asks; a resample tallies its rows into them.
  let full: DistinctScores | undefined;
  const whole = (): DistinctScores => (full ??= distinctScores(score, y));
  const rows = new Int32Array(n);
  let tally: ScoreCounts | undefined;
  let tallied = false;
  const yb = new Float64Array(n);
  yb.fill(1, 0, n1);
  const sb = new Float64Array(n);
  const resample: Resample = {
    y: yb,
    score: sb,
    counts: () => {
      if (tally && tallied) return tally;
      const d = whole();
      tally ??= { values: d.values, counts: new Float64Array(d.values.length), positives: new Float64Array(d.values.length) };
      tally.counts.fill(0);
      tally.positives.fill(0);
      for (let t = 0; t < n; ++t) {
        const j = d.index[rows[t]];
        tally.counts[j] += 1;
        if (t < n1) tally.positives[j] += 1;
      }
      tallied = true;
      return tally;
    },
  };
  const rng = new RandomState(seed);
  const values = names.map((): number[] => []);
  for (let r = 0; r < replicates; ++r) {
    const ip = rng.randint(0, n1, n1);
    const ineg = rng.randint(0, n0, n0);
    for (let t = 0; t < n1; ++t) rows[t] = pos[ip[t]];
    for (let t = 0; t < n0; ++t) rows[n1 + t] = neg[ineg[t]];
    for (let t = 0; t < n; ++t) sb[t] = score[rows[t]];
    tallied = false;
    names.forEach((name, s) => {
      const v = statistics[name](resample);
      if (!Number.isNaN(v)) values[s].push(v);
    });
  }
  const test: Resample = { y, score, counts: whole };
  const alpha = (1 - level) / 2;
  const out = {} as Record<K, BootstrapInterval>;
  names.forEach((name, s) => {
    const sorted = Float64Array.from(values[s]).sort();
    out[name] = {
      estimate: statistics[name](test),
      lower: quantileSorted(sorted, alpha),
      upper: quantileSorted(sorted, 1 - alpha),
      se: sd(values[s]),
      level,
      replicates,
      valid: values[s].length,
    };
  });
  return out;
}
