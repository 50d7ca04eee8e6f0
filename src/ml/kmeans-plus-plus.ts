import type { Matrix } from "./matrix.js";
import type { Rng } from "../util/random.js";

/**
 * Greedy k-means++ seeding as in scikit-learn's `_kmeans_plusplus` (Arthur & Vassilvitskii 2007): the first
 * centre is a uniformly drawn row; each further centre is the best of `2 + floor(ln k)` candidates drawn with
 * probability proportional to the squared distance to the nearest chosen centre, "best" meaning the candidate
 * that leaves the smallest total squared distance.
 * @param X n×p data (row-major)
 * @param k number of centres, 1..n
 * @param rng seeded generator
 * @param nLocalTrials candidates per centre; default `2 + floor(ln k)`
 * @returns k×p matrix of centres (copies of rows of X)
 */
export function kmeansPlusPlus(X: Matrix, k: number, rng: Rng, nLocalTrials?: number): Matrix {
  const { rows: n, cols: p, data } = X;
  const trials = nLocalTrials ?? 2 + Math.floor(Math.log(k));
  const C = new Float64Array(k * p);
  const closest = new Float64Array(n);
  const candidate = new Float64Array(n);
  const best = new Float64Array(n);
  const cumsum = new Float64Array(n);
  const first = rng.int(n);
  C.set(data.subarray(first * p, first * p + p), 0);
  let pot = distancesToRow(data, n, p, first, closest);
  for (let c = 1; c < k; ++c) {
    let acc = 0;
    for (let i = 0; i < n; ++i) cumsum[i] = acc += closest[i];
    let bestPot = Infinity;
    let bestId = -1;
    for (let t = 0; t < trials; ++t) {
      const id = searchSorted(cumsum, rng.next() * pot);
      distancesToRow(data, n, p, id, candidate);
      let s = 0;
      for (let i = 0; i < n; ++i) {
        const d = candidate[i] < closest[i] ? candidate[i] : closest[i];
        candidate[i] = d;
        s += d;
      }
      // strict < keeps the first of tied candidates, like numpy's argmin
      if (s < bestPot || bestId < 0) {
        bestPot = s;
        bestId = id;
        best.set(candidate);
      }
    }
    pot = bestPot;
    closest.set(best);
    C.set(data.subarray(bestId * p, bestId * p + p), c * p);
  }
  return { rows: k, cols: p, data: C };
}

/** Squared distances from row r of X to every row, into `out`; returns their sum. */
function distancesToRow(data: Float64Array, n: number, p: number, r: number, out: Float64Array): number {
  const o = r * p;
  let total = 0;
  for (let i = 0; i < n; ++i) {
    const row = i * p;
    let s = 0;
    for (let j = 0; j < p; ++j) {
      const d = data[row + j] - data[o + j];
      s += d * d;
    }
    out[i] = s;
    total += s;
  }
  return total;
}

/** numpy `searchsorted(a, v, side="left")`, clipped to the last index. */
function searchSorted(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo < a.length ? lo : a.length - 1;
}
