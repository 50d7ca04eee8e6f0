/** Rows counted per distinct score: what ranking, calibration and top-share metrics read instead of a sort of n. */
export interface DistinctScores {
  /** The distinct scores, ascending (−0 and 0 are one score, as `===` has them). */
  values: Float64Array;
  /** Rows with each score. */
  counts: Float64Array;
  /** Rows labelled 1 among them (zeros without labels). */
  positives: Float64Array;
  /** Each row's score as an index into `values`. */
  index: Int32Array;
}

/**
 * Counts the rows of each distinct score: the distinct scores from a sort of the values, each row found in them by
 * binary search. A model over a one-hot design gives a few thousand distinct scores to a million rows.
 * @param scores n scores, none NaN
 * @param y optional n labels in {0, 1}, counted as positives
 */
export function distinctScores(scores: Float64Array, y?: Float64Array): DistinctScores {
  const n = scores.length;
  for (let i = 0; i < n; ++i) if (Number.isNaN(scores[i])) throw new Error(`invalid scores[${i}]: NaN`);
  const sorted = Float64Array.from(scores).sort();
  let m = 0;
  for (let i = 0; i < n; ++i) if (m === 0 || sorted[i] !== sorted[m - 1]) sorted[m++] = sorted[i];
  const values = sorted.slice(0, m);
  const counts = new Float64Array(m);
  const positives = new Float64Array(m);
  const index = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const v = scores[i];
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    index[i] = lo;
    counts[lo] += 1;
    if (y) positives[lo] += y[i];
  }
  return { values, counts, positives, index };
}
