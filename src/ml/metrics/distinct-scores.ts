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
 * Counts the rows of each distinct score. The rows are grouped by a hash table over the scores' bits, in order of
 * first appearance, and only the m distinct scores are sorted: O(n + m log m) where a sort of all rows is
 * O(n log n), and a model over a one-hot design gives a few thousand distinct scores to a million rows. Counts and
 * positives are summed in row order, so they are those of a sort-based count bit for bit. A zero score is −0 in
 * `values` when any row has −0 (where a sort puts it first). Past n / 8 distinct scores it counts by the sort, which
 * gives the same result.
 * @param scores n scores, none NaN
 * @param y optional n labels in {0, 1}, counted as positives
 */
export function distinctScores(scores: Float64Array, y?: Float64Array): DistinctScores {
  const n = scores.length;
  const words = new Uint32Array(scores.buffer, scores.byteOffset, 2 * n);
  let size = 1024;
  let mask = size - 1;
  // slot → group + 1 (0: empty); groups are numbered in order of first appearance.
  let slots = new Int32Array(size);
  let found = new Float64Array(64);
  // Each group's key: its score's bits, with −0 as 0.
  let keys = new Uint32Array(128);
  let m = 0;
  const groupOf = new Int32Array(n);
  const tooMany = Math.max(4096, n >>> 3);
  const slotOf = (v: number, lo: number, hi: number): number => {
    let s = Math.imul(Math.imul(lo ^ 0x811c9dc5, 0x01000193) ^ hi, 0x01000193);
    s = (s ^ (s >>> 15)) & mask;
    while (slots[s] !== 0 && found[slots[s] - 1] !== v) s = (s + 1) & mask;
    return s;
  };
  for (let i = 0; i < n; ++i) {
    const v = scores[i];
    if (Number.isNaN(v)) throw new Error(`invalid scores[${i}]: NaN`);
    // −0 and 0 share a key.
    const lo = v === 0 ? 0 : words[2 * i];
    const hi = v === 0 ? 0 : words[2 * i + 1];
    let s = slotOf(v, lo, hi);
    if (slots[s] === 0) {
      // Mostly distinct scores: a sort of all rows is then cheaper than the table.
      if (m >= tooMany) return bySort(scores, y);
      if (2 * (m + 1) > size) {
        size *= 2;
        mask = size - 1;
        slots = new Int32Array(size);
        for (let g = 0; g < m; ++g) slots[slotOf(found[g], keys[2 * g], keys[2 * g + 1])] = g + 1;
        s = slotOf(v, lo, hi);
      }
      if (m === found.length) {
        const grown = new Float64Array(2 * m);
        grown.set(found);
        found = grown;
        const grownKeys = new Uint32Array(4 * m);
        grownKeys.set(keys);
        keys = grownKeys;
      }
      found[m] = v;
      keys[2 * m] = lo;
      keys[2 * m + 1] = hi;
      slots[s] = ++m;
    } else if (v === 0 && Object.is(v, -0)) {
      found[slots[s] - 1] = -0;
    }
    groupOf[i] = slots[s] - 1;
  }
  const groupCounts = new Float64Array(m);
  const groupPositives = new Float64Array(m);
  for (let i = 0; i < n; ++i) {
    const g = groupOf[i];
    groupCounts[g] += 1;
    if (y) groupPositives[g] += y[i];
  }
  const values = found.slice(0, m).sort();
  // Rank of each group: its score's place among the sorted distinct scores.
  const rank = new Int32Array(m);
  for (let g = 0; g < m; ++g) rank[g] = place(values, found[g]);
  const counts = new Float64Array(m);
  const positives = new Float64Array(m);
  for (let g = 0; g < m; ++g) {
    counts[rank[g]] = groupCounts[g];
    positives[rank[g]] = groupPositives[g];
  }
  const index = groupOf;
  for (let i = 0; i < n; ++i) index[i] = rank[index[i]];
  return { values, counts, positives, index };
}

/** The same count by a sort of all n scores, each row found in them by binary search. */
function bySort(scores: Float64Array, y?: Float64Array): DistinctScores {
  const n = scores.length;
  const sorted = Float64Array.from(scores).sort();
  let m = 0;
  for (let i = 0; i < n; ++i) {
    if (Number.isNaN(sorted[i])) throw new Error(`invalid scores[${scores.findIndex(Number.isNaN)}]: NaN`);
    if (m === 0 || sorted[i] !== sorted[m - 1]) sorted[m++] = sorted[i];
  }
  const values = sorted.slice(0, m);
  const counts = new Float64Array(m);
  const positives = new Float64Array(m);
  const index = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const at = place(values, scores[i]);
    index[i] = at;
    counts[at] += 1;
    if (y) positives[at] += y[i];
  }
  return { values, counts, positives, index };
}

/** The index of v among the ascending distinct `values`, which hold it (binary search). */
function place(values: Float64Array, v: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
