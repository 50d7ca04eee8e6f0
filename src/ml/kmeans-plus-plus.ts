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
  const norms = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    let s = 0;
    for (let j = 0; j < p; ++j) s += data[i * p + j] * data[i * p + j];
    norms[i] = s;
  }
  const closest = new Float64Array(n).fill(Infinity);
  const candidates = new Float64Array(trials * n);
  const pots = new Float64Array(trials);
  const ids = new Int32Array(trials);
  const cumsum = new Float64Array(n);
  const first = rng.int(n);
  C.set(data.subarray(first * p, first * p + p), 0);
  ids[0] = first;
  minDistances(data, n, p, norms, ids, 1, closest, closest, pots);
  let pot = pots[0];
  for (let c = 1; c < k; ++c) {
    let acc = 0;
    for (let i = 0; i < n; ++i) cumsum[i] = acc += closest[i];
    for (let t = 0; t < trials; ++t) ids[t] = searchSorted(cumsum, rng.next() * pot);
    minDistances(data, n, p, norms, ids, trials, closest, candidates, pots);
    let best = 0;
    // strict < keeps the first of tied candidates, like numpy's argmin
    for (let t = 1; t < trials; ++t) if (pots[t] < pots[best]) best = t;
    pot = pots[best];
    closest.set(candidates.subarray(best * n, best * n + n));
    C.set(data.subarray(ids[best] * p, ids[best] * p + p), c * p);
  }
  return { rows: k, cols: p, data: C };
}

/**
 * For each candidate row ids[t] (t < m): out[t·n + i] = min(closest[i], ‖x_i − x_ids[t]‖²) and pots[t] = Σ_i of
 * that. Distances are ‖x‖² + ‖y‖² − 2x·y (as scikit-learn's `_euclidean_distances`) with the dot products of
 * one row against four candidates computed together, so each element of x is loaded once per four products.
 */
function minDistances(
  data: Float64Array, n: number, p: number, norms: Float64Array, ids: Int32Array, m: number,
  closest: Float64Array, out: Float64Array, pots: Float64Array,
): void {
  pots.fill(0);
  for (let g = 0; g < m; g += 4) {
    const t0 = g;
    const t1 = g + 1 < m ? g + 1 : g;
    const t2 = g + 2 < m ? g + 2 : g;
    const t3 = g + 3 < m ? g + 3 : g;
    const o0 = ids[t0] * p;
    const o1 = ids[t1] * p;
    const o2 = ids[t2] * p;
    const o3 = ids[t3] * p;
    const n0 = norms[ids[t0]];
    const n1 = norms[ids[t1]];
    const n2 = norms[ids[t2]];
    const n3 = norms[ids[t3]];
    let p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (let i = 0; i < n; ++i) {
      const row = i * p;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < p; ++j) {
        const x = data[row + j];
        s0 += x * data[o0 + j];
        s1 += x * data[o1 + j];
        s2 += x * data[o2 + j];
        s3 += x * data[o3 + j];
      }
      const nx = norms[i];
      const c = closest[i];
      let d0 = nx + n0 - 2 * s0;
      let d1 = nx + n1 - 2 * s1;
      let d2 = nx + n2 - 2 * s2;
      let d3 = nx + n3 - 2 * s3;
      d0 = d0 < 0 ? 0 : d0 < c ? d0 : c;
      d1 = d1 < 0 ? 0 : d1 < c ? d1 : c;
      d2 = d2 < 0 ? 0 : d2 < c ? d2 : c;
      d3 = d3 < 0 ? 0 : d3 < c ? d3 : c;
      out[t0 * n + i] = d0;
      out[t1 * n + i] = d1;
      out[t2 * n + i] = d2;
      out[t3 * n + i] = d3;
      p0 += d0;
      p1 += d1;
      p2 += d2;
      p3 += d3;
    }
    pots[t0] = p0;
    pots[t1] = p1;
    pots[t2] = p2;
    pots[t3] = p3;
  }
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

/**
 * Squared Euclidean distance between A[a .. a+p) and B[b .. b+p). Four partial sums break the add-latency chain
 * of the single-accumulator loop, which makes this about three times faster for p in the tens.
 */
export function sqDist(A: Float64Array, a: number, B: Float64Array, b: number, p: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < p; j += 4) {
    const d0 = A[a + j] - B[b + j];
    const d1 = A[a + j + 1] - B[b + j + 1];
    const d2 = A[a + j + 2] - B[b + j + 2];
    const d3 = A[a + j + 3] - B[b + j + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; j < p; ++j) {
    const d = A[a + j] - B[b + j];
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}
