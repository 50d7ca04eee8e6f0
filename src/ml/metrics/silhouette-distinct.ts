import { compressDenseRows } from "../compress-dense-rows.js";
import type { Matrix } from "../matrix.js";
import { createRng, permutation } from "../../util/random.js";
import { clusterDistanceSums } from "./silhouette-sums.js";
import { iota } from "../../util/typed-arrays.js";

/**
 * The silhouette score of scikit-learn's `silhouette_score`, computed over distinct (row, label) pairs weighted by
 * how often each occurs. Rows that repeat (common in one-hot designs) share every distance, so the result equals
 * the plain computation exactly while the work falls with the square of the number of distinct rows. With
 * `sampleSize` below n, a seeded sample without replacement is scored (the same sample as {@link silhouetteScore}
 * draws for the same seed). NaN unless 2 ≤ clusters ≤ rows − 1.
 * @param X n×p data (row-major)
 * @param labels cluster of each row
 * @param options sampleSize, seed (default 0)
 */
export function silhouetteScoreDistinct(
  X: Matrix,
  labels: ArrayLike<number>,
  options: { sampleSize?: number; seed?: number } = {},
): number {
  const { rows: n, cols: p, data } = X;
  let idx: ArrayLike<number> = iota(n);
  if (options.sampleSize !== undefined && options.sampleSize < n)
    idx = permutation(n, createRng(options.seed ?? 0)).subarray(0, options.sampleSize);
  const m = idx.length;
  // Group by (row, label): the label rides along as one more column, so rows only merge within a cluster.
  const q = p + 1;
  const tagged = new Float64Array(m * q);
  for (let r = 0; r < m; ++r) {
    tagged.set(data.subarray(idx[r] * p, idx[r] * p + p), r * q);
    tagged[r * q + p] = labels[idx[r]];
  }
  const distinct = compressDenseRows({ rows: m, cols: q, data: tagged });
  const G = distinct.X.rows;
  const weight = distinct.weight;
  const clusterIds = new Map<number, number>();
  const lab = new Int32Array(G);
  for (let g = 0; g < G; ++g) {
    const l = distinct.X.data[g * q + p];
    let id = clusterIds.get(l);
    if (id === undefined) {
      id = clusterIds.size;
      clusterIds.set(l, id);
    }
    lab[g] = id;
  }
  const k = clusterIds.size;
  if (k < 2 || k > m - 1) return NaN;
  const size = new Float64Array(k);
  for (let g = 0; g < G; ++g) size[lab[g]] += weight[g];
  // Distinct rows without the label column, contiguous so the pair loop scans memory in order.
  const D = new Float64Array(G * p);
  for (let g = 0; g < G; ++g) D.set(distinct.X.data.subarray(g * q, g * q + p), g * p);
  const sums = clusterDistanceSums({ rows: G, cols: p, data: D }, lab, k, weight);
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
}
