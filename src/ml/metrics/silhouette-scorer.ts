import { compressDenseRows } from "../compress-dense-rows.js";
import type { Matrix } from "../matrix.js";
import { createRng, permutation } from "../../util/random.js";
import { silhouetteScoreDistinct } from "./silhouette-distinct.js";
import { pairDistances } from "./silhouette-sums.js";
import { iota } from "../../util/typed-arrays.js";

/** Options of {@link silhouetteScorer}. */
export interface SilhouetteScorerOptions {
  /** Score a seeded sample of this many rows when there are more (as `silhouetteScoreDistinct`). */
  sampleSize?: number;
  /** Seed of the sample. Default 0. */
  seed?: number;
  /**
   * Most distinct sampled rows whose pairwise distances are kept (G(G − 1)/2 doubles: 3,000 rows take 36 MB).
   * Above it every call computes the distances again. Default 3000.
   */
  maxCached?: number;
}

/**
 * `silhouetteScoreDistinct(X, labels, { sampleSize, seed })` for many labellings of the same rows (k-means at every
 * k, on the data and on each reference draw): the sample and the distances between its distinct rows are computed
 * once, and each labelling costs one pass over the pairs instead of G² distances of p columns. The result is the
 * same number, bit for bit: the distinct rows are grouped in the same order and the sums run in the same order,
 * since identical rows get the same label from any clustering of row values. A labelling that gives identical
 * rows different labels is scored by `silhouetteScoreDistinct` itself.
 * @param X n×p data (row-major)
 * @param options sampleSize, seed, maxCached
 * @returns a function from n labels to the mean silhouette (NaN unless 2 ≤ clusters ≤ sampled rows − 1)
 */
export function silhouetteScorer(X: Matrix, options: SilhouetteScorerOptions = {}): (labels: ArrayLike<number>) => number {
  const { rows: n, cols: p, data } = X;
  const { seed = 0, maxCached = 3000 } = options;
  const sampled = options.sampleSize !== undefined && options.sampleSize < n;
  const direct = (labels: ArrayLike<number>) => silhouetteScoreDistinct(X, labels, sampled ? { sampleSize: options.sampleSize, seed } : {});
  let idx: ArrayLike<number> = iota(n);
  if (sampled) idx = permutation(n, createRng(seed)).subarray(0, options.sampleSize);
  const m = idx.length;
  const rows = new Float64Array(m * p);
  for (let r = 0; r < m; ++r) rows.set(data.subarray(idx[r] * p, idx[r] * p + p), r * p);
  const distinct = compressDenseRows({ rows: m, cols: p, data: rows });
  const G = distinct.X.rows;
  if (G > maxCached) return direct;
  const weight = distinct.weight;
  // Upper triangle, row by row: pair (g, h), g < h, at offset(g) + h − g − 1.
  const dist = pairDistances(distinct.X);
  // The sampled row that first holds each distinct row: its label is the group's label.
  const first = new Int32Array(G).fill(-1);
  for (let r = 0; r < m; ++r) if (first[distinct.index[r]] < 0) first[distinct.index[r]] = r;
  return (labels) => {
    for (let r = 0; r < m; ++r) if (labels[idx[r]] !== labels[idx[first[distinct.index[r]]]]) return direct(labels);
    // Cluster ids in order of first occurrence, as silhouetteScoreDistinct numbers them.
    const clusterIds = new Map<number, number>();
    const lab = new Int32Array(G);
    for (let g = 0; g < G; ++g) {
      const l = labels[idx[first[g]]];
      let c = clusterIds.get(l);
      if (c === undefined) {
        c = clusterIds.size;
        clusterIds.set(l, c);
      }
      lab[g] = c;
    }
    const k = clusterIds.size;
    if (k < 2 || k > m - 1) return NaN;
    const size = new Float64Array(k);
    for (let g = 0; g < G; ++g) size[lab[g]] += weight[g];
    const sums = new Float64Array(G * k);
    let u = 0;
    for (let g = 0; g < G; ++g) {
      const lg = lab[g];
      const wg = weight[g];
      for (let h = g + 1; h < G; ++h) {
        const d = dist[u++];
        sums[g * k + lab[h]] += weight[h] * d;
        sums[h * k + lg] += wg * d;
      }
    }
    let total = 0;
    for (let g = 0; g < G; ++g) {
      const c = lab[g];
      if (size[c] <= 1) continue;
      const a = sums[g * k + c] / (size[c] - 1);
      let b = Infinity;
      for (let o = 0; o < k; ++o) if (o !== c) b = Math.min(b, sums[g * k + o] / size[o]);
      const denom = Math.max(a, b);
      if (denom > 0) total += (weight[g] * (b - a)) / denom;
    }
    return total / m;
  };
}
