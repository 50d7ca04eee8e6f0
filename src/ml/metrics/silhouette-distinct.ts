import type { Matrix } from "../matrix.js";
import { createRng, permutation } from "../../util/random.js";

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
export function silhouetteScoreDistinct(X: Matrix, labels: ArrayLike<number>, options: { sampleSize?: number; seed?: number } = {}): number {
  const { rows: n, cols: p, data } = X;
  let idx: ArrayLike<number> = Int32Array.from({ length: n }, (_, i) => i);
  if (options.sampleSize !== undefined && options.sampleSize < n) idx = permutation(n, createRng(options.seed ?? 0)).subarray(0, options.sampleSize);
  const m = idx.length;
  const groups = new Map<string, number>();
  const first: number[] = [];
  const weight: number[] = [];
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let r = 0; r < m; ++r) {
    const i = idx[r];
    let key = `${labels[i]}|`;
    const row = bytes.subarray(i * p * 8, (i + 1) * p * 8);
    for (let b = 0; b < row.length; ++b) key += String.fromCharCode(row[b]);
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, first.length);
      first.push(i);
      weight.push(1);
    } else weight[g]++;
  }
  const G = first.length;
  const clusterIds = new Map<number, number>();
  const lab = new Int32Array(G);
  for (let g = 0; g < G; ++g) {
    const l = labels[first[g]];
    if (!clusterIds.has(l)) clusterIds.set(l, clusterIds.size);
    lab[g] = clusterIds.get(l)!;
  }
  const k = clusterIds.size;
  if (k < 2 || k > m - 1) return NaN;
  const size = new Float64Array(k);
  for (let g = 0; g < G; ++g) size[lab[g]] += weight[g];
  // Distinct rows copied contiguously so the pair loop scans memory in order.
  const D = new Float64Array(G * p);
  for (let g = 0; g < G; ++g) D.set(data.subarray(first[g] * p, first[g] * p + p), g * p);
  const sums = new Float64Array(G * k);
  for (let g = 0; g < G; ++g) {
    const a = g * p;
    for (let h = g + 1; h < G; ++h) {
      const b = h * p;
      let s = 0;
      for (let j = 0; j < p; ++j) {
        const d = D[a + j] - D[b + j];
        s += d * d;
      }
      const dist = Math.sqrt(s);
      sums[g * k + lab[h]] += weight[h] * dist;
      sums[h * k + lab[g]] += weight[g] * dist;
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
}
