import { checkMatrix, type Matrix } from "./matrix.js";
import { kmeansPlusPlus } from "./kmeans-plus-plus.js";
import { createRng, permutation, type Rng } from "../util/random.js";

/** Options of {@link kmeans}. */
export interface KMeansOptions {
  /** Number of clusters, 1..n. */
  k: number;
  /** Independent runs; the one with the lowest inertia wins. Default 10; forced to 1 when `init` is a matrix. */
  nInit?: number;
  /** Maximum Lloyd iterations per run. Default 300. */
  maxIter?: number;
  /** Relative tolerance: runs stop when the summed squared centre shift is ≤ tol × mean feature variance. Default 1e-4. */
  tol?: number;
  /** Seed of the initialisation. Default 0. */
  seed?: number;
  /** `"k-means++"` (default), `"random"` (k distinct rows) or a k×p matrix of starting centres. */
  init?: "k-means++" | "random" | Matrix;
}

/** Result of {@link kmeans}. */
export interface KMeansResult {
  /** k×p cluster centres. */
  centroids: Matrix;
  /** Cluster of each row, 0..k-1. */
  labels: Int32Array;
  /** Sum of squared distances of rows to their centre. */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  iterations: number;
}

/**
 * K-means clustering with Lloyd's algorithm, following scikit-learn's `KMeans(algorithm="lloyd")`: the data are
 * centred, each run iterates assign → update until the labels stop changing (strict convergence) or the summed
 * squared centre shift is ≤ `tol × mean(var(X, axis=0))`, in which case the labels are reassigned once more to
 * the final centres; empty clusters take the rows farthest from their centre. Assignment uses Hamerly's
 * bounds (Hamerly 2010, "Making k-means even faster"), which skip distance computations without changing the
 * result, so with a given `init` the labels, centroids and inertia equal scikit-learn's.
 * @param X n×p data (row-major), finite values
 * @param options k, nInit, maxIter, tol, seed, init
 */
export function kmeans(X: Matrix, options: KMeansOptions): KMeansResult {
  const { k, maxIter = 300, tol = 1e-4, seed = 0, init = "k-means++" } = options;
  validateKmeansInput(X, options);
  const { rows: n, cols: p } = X;
  const nInit = typeof init === "object" ? 1 : (options.nInit ?? 10);
  const mean = columnMeans(X);
  const Xc = centred(X, mean);
  const tolAbs = tol === 0 ? 0 : meanVariance(Xc) * tol;
  const rng = createRng(seed);
  const ws = createWorkspace(n, p, k);
  let best: { labels: Int32Array; centres: Float64Array; inertia: number; iterations: number } | undefined;
  for (let run = 0; run < nInit; ++run) {
    const C0 = initialCentres(Xc, k, init, mean, rng);
    const r = lloyd(Xc, C0, maxIter, tolAbs, ws);
    if (!best || (r.inertia < best.inertia && !sameClustering(r.labels, best.labels, k))) {
      best = { labels: r.labels.slice(), centres: r.centres.slice(), inertia: r.inertia, iterations: r.iterations };
    }
  }
  const b = best!;
  const centres = b.centres;
  for (let c = 0; c < k; ++c) for (let j = 0; j < p; ++j) centres[c * p + j] += mean[j];
  return { centroids: { rows: k, cols: p, data: centres }, labels: b.labels, inertia: b.inertia, iterations: b.iterations };
}

/**
 * The nearest centre of each row of X (first one on ties).
 * @param centroids k×p centres
 * @param X n×p data
 */
export function predictKmeans(centroids: Matrix, X: Matrix): Int32Array {
  checkMatrix(centroids, "centroids");
  checkMatrix(X);
  if (centroids.cols !== X.cols) throw new Error(`invalid X: ${X.cols} columns (centroids have ${centroids.cols})`);
  const { rows: n, cols: p, data } = X;
  const { rows: k, data: C } = centroids;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    const row = i * p;
    let bestD = Infinity;
    let bestC = 0;
    for (let c = 0; c < k; ++c) {
      const o = c * p;
      let s = 0;
      for (let j = 0; j < p; ++j) {
        const d = data[row + j] - C[o + j];
        s += d * d;
      }
      if (s < bestD) {
        bestD = s;
        bestC = c;
      }
    }
    labels[i] = bestC;
  }
  return labels;
}

/** Throws on a malformed matrix, non-finite values, a bad k or a mis-shaped init matrix. */
export function validateKmeansInput(X: Matrix, options: KMeansOptions): void {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  const { k, init, nInit, maxIter, tol } = options;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`invalid k: ${k} (expected 1..${n})`);
  if (nInit !== undefined && (!Number.isInteger(nInit) || nInit < 1)) throw new Error(`invalid nInit: ${nInit} (expected ≥ 1)`);
  if (maxIter !== undefined && (!Number.isInteger(maxIter) || maxIter < 1)) throw new Error(`invalid maxIter: ${maxIter} (expected ≥ 1)`);
  if (tol !== undefined && !(tol >= 0)) throw new Error(`invalid tol: ${tol} (expected ≥ 0)`);
  for (let i = 0; i < data.length; ++i) {
    if (!Number.isFinite(data[i])) throw new Error(`invalid X: non-finite value ${data[i]} at row ${Math.floor(i / p)}, column ${i % p}`);
  }
  if (typeof init === "object") {
    checkMatrix(init, "init");
    if (init.rows !== k || init.cols !== p) throw new Error(`invalid init: ${init.rows}×${init.cols} (expected ${k}×${p})`);
  } else if (init !== undefined && init !== "k-means++" && init !== "random") {
    throw new Error(`invalid init: ${String(init)} (expected "k-means++", "random" or a k×p matrix)`);
  }
}

interface Workspace {
  labels: Int32Array;
  labelsOld: Int32Array;
  upper: Float64Array;
  lower: Float64Array;
  centres: Float64Array;
  sums: Float64Array;
  counts: Float64Array;
  shift: Float64Array;
  half: Float64Array;
  dist: Float64Array;
}

function createWorkspace(n: number, p: number, k: number): Workspace {
  return {
    labels: new Int32Array(n),
    labelsOld: new Int32Array(n),
    upper: new Float64Array(n),
    lower: new Float64Array(n),
    centres: new Float64Array(k * p),
    sums: new Float64Array(k * p),
    counts: new Float64Array(k),
    shift: new Float64Array(k),
    half: new Float64Array(k),
    dist: new Float64Array(n),
  };
}

function initialCentres(Xc: Matrix, k: number, init: KMeansOptions["init"], mean: Float64Array, rng: Rng): Float64Array {
  const p = Xc.cols;
  if (typeof init === "object") {
    const C = init.data.slice();
    for (let c = 0; c < k; ++c) for (let j = 0; j < p; ++j) C[c * p + j] -= mean[j];
    return C;
  }
  if (init === "random") {
    const idx = permutation(Xc.rows, rng);
    const C = new Float64Array(k * p);
    for (let c = 0; c < k; ++c) C.set(Xc.data.subarray(idx[c] * p, idx[c] * p + p), c * p);
    return C;
  }
  return kmeansPlusPlus(Xc, k, rng).data;
}

// Bounds are compared with this relative slack so that rounding in the bound updates can never skip a row whose
// nearest centre changed; rows inside the slack simply get their distances computed.
const SLACK = 1 + 1e-10;

/**
 * One Lloyd run from centres C0 (overwritten into ws.centres). Mirrors scikit-learn's `_kmeans_single_lloyd`;
 * `upper[i]` bounds the distance of row i to its centre from above and `lower[i]` the distance to every other
 * centre from below (Hamerly), so rows whose bounds are separated by half the gap to the nearest other centre
 * keep their label without any distance computation.
 */
function lloyd(Xc: Matrix, C0: Float64Array, maxIter: number, tolAbs: number, ws: Workspace) {
  const { rows: n, cols: p, data } = Xc;
  const k = C0.length / p;
  const { labels, labelsOld, upper, lower, sums, counts, shift, half } = ws;
  const C = ws.centres;
  C.set(C0);
  labelsOld.fill(-1);
  fullAssign(data, n, p, C, k, labels, upper, lower);
  let strict = false;
  let iter = 0;
  for (; iter < maxIter; ++iter) {
    if (iter > 0) boundedAssign(data, n, p, C, k, labels, upper, lower, half);
    const shiftTot = updateCentres(data, n, p, C, k, labels, sums, counts, shift, ws.dist);
    updateBounds(n, k, labels, upper, lower, shift);
    let same = true;
    for (let i = 0; i < n; ++i) {
      if (labels[i] !== labelsOld[i]) {
        same = false;
        break;
      }
    }
    if (same) {
      strict = true;
      break;
    }
    if (shiftTot <= tolAbs) break;
    labelsOld.set(labels);
  }
  if (!strict) boundedAssign(data, n, p, C, k, labels, upper, lower, half);
  let inertia = 0;
  for (let i = 0; i < n; ++i) {
    const row = i * p;
    const o = labels[i] * p;
    let s = 0;
    for (let j = 0; j < p; ++j) {
      const d = data[row + j] - C[o + j];
      s += d * d;
    }
    inertia += s;
  }
  return { labels, centres: C, inertia, iterations: Math.min(iter + 1, maxIter) };
}

/** Exact nearest and second-nearest centre of every row; sets labels and both bounds. */
function fullAssign(
  data: Float64Array, n: number, p: number, C: Float64Array, k: number,
  labels: Int32Array, upper: Float64Array, lower: Float64Array,
): void {
  for (let i = 0; i < n; ++i) {
    const row = i * p;
    let d1 = Infinity;
    let d2 = Infinity;
    let c1 = 0;
    for (let c = 0; c < k; ++c) {
      const o = c * p;
      let s = 0;
      for (let j = 0; j < p; ++j) {
        const d = data[row + j] - C[o + j];
        s += d * d;
      }
      if (s < d1) {
        d2 = d1;
        d1 = s;
        c1 = c;
      } else if (s < d2) d2 = s;
    }
    labels[i] = c1;
    upper[i] = Math.sqrt(d1);
    lower[i] = Math.sqrt(d2);
  }
}

/** Hamerly's assignment step. */
function boundedAssign(
  data: Float64Array, n: number, p: number, C: Float64Array, k: number,
  labels: Int32Array, upper: Float64Array, lower: Float64Array, half: Float64Array,
): void {
  for (let a = 0; a < k; ++a) {
    let m = Infinity;
    const oa = a * p;
    for (let b = 0; b < k; ++b) {
      if (b === a) continue;
      const ob = b * p;
      let s = 0;
      for (let j = 0; j < p; ++j) {
        const d = C[oa + j] - C[ob + j];
        s += d * d;
      }
      if (s < m) m = s;
    }
    half[a] = 0.5 * Math.sqrt(m);
  }
  for (let i = 0; i < n; ++i) {
    const a = labels[i];
    const lo = lower[i];
    const m = half[a] > lo ? half[a] : lo;
    if (upper[i] * SLACK < m) continue;
    const row = i * p;
    const oa = a * p;
    let s = 0;
    for (let j = 0; j < p; ++j) {
      const d = data[row + j] - C[oa + j];
      s += d * d;
    }
    const u = Math.sqrt(s);
    upper[i] = u;
    if (u * SLACK < m) continue;
    let d1 = Infinity;
    let d2 = Infinity;
    let c1 = 0;
    for (let c = 0; c < k; ++c) {
      const o = c * p;
      let t = 0;
      for (let j = 0; j < p; ++j) {
        const d = data[row + j] - C[o + j];
        t += d * d;
      }
      if (t < d1) {
        d2 = d1;
        d1 = t;
        c1 = c;
      } else if (t < d2) d2 = t;
    }
    labels[i] = c1;
    upper[i] = Math.sqrt(d1);
    lower[i] = Math.sqrt(d2);
  }
}

/**
 * New centres as cluster means, relocating empty clusters to the rows farthest from their (old) centre as
 * scikit-learn's `_relocate_empty_clusters_dense` does (the moved row keeps its label until the next
 * assignment). Writes the Euclidean shift of each centre into `shift` and returns the summed squared shift.
 */
function updateCentres(
  data: Float64Array, n: number, p: number, C: Float64Array, k: number, labels: Int32Array,
  sums: Float64Array, counts: Float64Array, shift: Float64Array, dist: Float64Array,
): number {
  sums.fill(0);
  counts.fill(0);
  for (let i = 0; i < n; ++i) {
    const o = labels[i] * p;
    const row = i * p;
    counts[labels[i]] += 1;
    for (let j = 0; j < p; ++j) sums[o + j] += data[row + j];
  }
  let nEmpty = 0;
  for (let c = 0; c < k; ++c) if (counts[c] === 0) ++nEmpty;
  if (nEmpty > 0) relocateEmpty(data, n, p, C, k, labels, sums, counts, dist, nEmpty);
  let total = 0;
  for (let c = 0; c < k; ++c) {
    const o = c * p;
    const w = counts[c];
    const alpha = w > 0 ? 1 / w : 1;
    let s = 0;
    for (let j = 0; j < p; ++j) {
      const v = w > 0 ? sums[o + j] * alpha : sums[o + j];
      const d = v - C[o + j];
      s += d * d;
      C[o + j] = v;
    }
    shift[c] = Math.sqrt(s);
    total += s;
  }
  return total;
}

function relocateEmpty(
  data: Float64Array, n: number, p: number, C: Float64Array, k: number, labels: Int32Array,
  sums: Float64Array, counts: Float64Array, dist: Float64Array, nEmpty: number,
): void {
  for (let i = 0; i < n; ++i) {
    const row = i * p;
    const o = labels[i] * p;
    let s = 0;
    for (let j = 0; j < p; ++j) {
      const d = data[row + j] - C[o + j];
      s += d * d;
    }
    dist[i] = s;
  }
  const far = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => dist[b] - dist[a] || a - b)
    .slice(0, nEmpty);
  let e = 0;
  for (let c = 0; c < k && e < nEmpty; ++c) {
    if (counts[c] !== 0) continue;
    const i = far[e++];
    const old = labels[i];
    for (let j = 0; j < p; ++j) {
      sums[old * p + j] -= data[i * p + j];
      sums[c * p + j] = data[i * p + j];
    }
    counts[c] = 1;
    counts[old] -= 1;
  }
}

/** Hamerly's bound maintenance after the centres moved by `shift`. */
function updateBounds(n: number, k: number, labels: Int32Array, upper: Float64Array, lower: Float64Array, shift: Float64Array): void {
  let m1 = 0;
  let m2 = 0;
  let a1 = -1;
  for (let c = 0; c < k; ++c) {
    if (shift[c] > m1) {
      m2 = m1;
      m1 = shift[c];
      a1 = c;
    } else if (shift[c] > m2) m2 = shift[c];
  }
  for (let i = 0; i < n; ++i) {
    const a = labels[i];
    upper[i] += shift[a];
    lower[i] -= a === a1 ? m2 : m1;
  }
}

/** scikit-learn's `_is_same_clustering`: equal up to a relabelling. */
function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const map = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; ++i) {
    if (map[b[i]] === -1) map[b[i]] = a[i];
    else if (map[b[i]] !== a[i]) return false;
  }
  return true;
}

function columnMeans(X: Matrix): Float64Array {
  const { rows: n, cols: p, data } = X;
  const mean = new Float64Array(p);
  for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) mean[j] += data[i * p + j];
  for (let j = 0; j < p; ++j) mean[j] /= n;
  return mean;
}

function centred(X: Matrix, mean: Float64Array): Matrix {
  const { rows: n, cols: p } = X;
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) out[i * p + j] = X.data[i * p + j] - mean[j];
  return { rows: n, cols: p, data: out };
}

/** Mean over columns of the population variance of each column (numpy `mean(var(X, axis=0))`); X is centred. */
function meanVariance(Xc: Matrix): number {
  const { rows: n, cols: p, data } = Xc;
  const ss = new Float64Array(p);
  for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) ss[j] += data[i * p + j] * data[i * p + j];
  let s = 0;
  for (let j = 0; j < p; ++j) s += ss[j] / n;
  return s / p;
}
