import type { DistinctRows } from "./distinct-rows.js";

/**
 * k-nearest-neighbour lists over rows that repeat, computed once per distinct pattern.
 *
 * The row-level definition (what imbalanced-learn's SMOTE does with exact distances): for row i, order all rows j
 * by (d(xᵢ, xⱼ), j), take the first k + 1 and drop the first (normally i itself). Every row of a pattern P sees
 * the same ordered list, since rows of P are at distance 0 from each other and equal distances are broken by
 * row index alone; and the synthetic rows depend only on the neighbour's values. So it is enough to find, for each
 * pattern P, the patterns Q with d(P, Q) ≤ D*, where D* is the smallest distance at which the rows counted so far
 * reach k + 1, and then to merge the row lists of each distance level by row index. The result equals the
 * row-level lists exactly, ties included, at the cost of a search over patterns instead of rows.
 */

/**
 * The candidate patterns of one query, sorted by (distance, pattern): all patterns seen with distance ≤ bound,
 * where bound is the distance at which their row counts first reach `need` (Infinity before that).
 */
export class LevelList {
  dist = new Float64Array(16);
  pat = new Int32Array(16);
  length = 0;
  bound = Infinity;

  constructor(
    private readonly count: Int32Array,
    private readonly need: number,
  ) {}

  reset(): void {
    this.length = 0;
    this.bound = Infinity;
  }

  /** Offers pattern q at distance d (callers skip d > bound). */
  offer(d: number, q: number): void {
    if (d > this.bound) return;
    let n = this.length;
    if (n === this.dist.length) {
      const dist = new Float64Array(2 * n);
      dist.set(this.dist);
      const pat = new Int32Array(2 * n);
      pat.set(this.pat);
      this.dist = dist;
      this.pat = pat;
    }
    const { dist, pat } = this;
    let pos = n;
    while (pos > 0 && (dist[pos - 1] > d || (dist[pos - 1] === d && pat[pos - 1] > q))) {
      dist[pos] = dist[pos - 1];
      pat[pos] = pat[pos - 1];
      --pos;
    }
    dist[pos] = d;
    pat[pos] = q;
    this.length = ++n;
    let acc = 0;
    for (let i = 0; i < n; ++i) {
      acc += this.count[pat[i]];
      if (acc >= this.need) {
        const b = dist[i];
        let end = i + 1;
        while (end < n && dist[end] === b) ++end;
        this.length = end;
        this.bound = b;
        return;
      }
    }
  }
}

/**
 * Writes the k neighbour patterns of query pattern P into out[P·k ..], from its complete {@link LevelList}: the
 * row lists of each distance level merged by row index, k + 1 rows in all, the first dropped.
 */
export function emitNeighbors(list: LevelList, groups: DistinctRows, k: number, P: number, out: Int32Array): void {
  const { ptr, rows, pattern } = groups;
  const base = P * k;
  let pos = 0;
  let i = 0;
  const heads: number[] = [];
  while (pos <= k && i < list.length) {
    let j = i + 1;
    while (j < list.length && list.dist[j] === list.dist[i]) ++j;
    if (j === i + 1) {
      const q = list.pat[i];
      for (let r = ptr[q]; r < ptr[q + 1] && pos <= k; ++r, ++pos) if (pos > 0) out[base + pos - 1] = q;
    } else {
      heads.length = 0;
      for (let t = i; t < j; ++t) heads.push(ptr[list.pat[t]]);
      while (pos <= k) {
        let best = -1;
        for (let t = 0; t < heads.length; ++t) {
          const q = list.pat[i + t];
          if (heads[t] < ptr[q + 1] && (best < 0 || rows[heads[t]] < rows[heads[best]])) best = t;
        }
        if (best < 0) break;
        if (pos > 0) out[base + pos - 1] = pattern[rows[heads[best]]];
        ++heads[best];
        ++pos;
      }
    }
    i = j;
  }
}
