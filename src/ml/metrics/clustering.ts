import type { CompressedDenseRows } from "../compress-dense-rows.js";
import { checkMatrix, type Matrix } from "../matrix.js";
import { createRng, permutation } from "../../util/random.js";
import { clusterDistanceSums } from "./silhouette-sums.js";

/** Options of {@link silhouetteScore}. */
export interface SilhouetteOptions {
  /** Score a seeded random sample of this many rows (without replacement) instead of all rows. */
  sampleSize?: number;
  /** Seed of the sample. Default 0. */
  seed?: number;
}

/**
 * Mean silhouette coefficient over rows, as scikit-learn's `silhouette_score` with the Euclidean metric.
 * Exact O(n²p) by default; pass `sampleSize` for large n. NaN unless 2 ≤ number of clusters ≤ n − 1.
 * @param X n×p data (row-major)
 * @param labels cluster of each row (any integers)
 * @param options sampleSize, seed
 */
export function silhouetteScore(X: Matrix, labels: ArrayLike<number>, options: SilhouetteOptions = {}): number {
  checkLabels(X, labels);
  const { sampleSize, seed = 0 } = options;
  let Xs = X;
  let ls = labels;
  if (sampleSize !== undefined && sampleSize < X.rows) {
    if (!Number.isInteger(sampleSize) || sampleSize < 1) throw new Error(`invalid sampleSize: ${sampleSize} (expected ≥ 1)`);
    const idx = permutation(X.rows, createRng(seed)).subarray(0, sampleSize);
    const p = X.cols;
    const data = new Float64Array(sampleSize * p);
    const l = new Int32Array(sampleSize);
    for (let r = 0; r < sampleSize; ++r) {
      data.set(X.data.subarray(idx[r] * p, idx[r] * p + p), r * p);
      l[r] = labels[idx[r]];
    }
    Xs = { rows: sampleSize, cols: p, data };
    ls = l;
  }
  const s = silhouetteSamples(Xs, ls);
  if (s.length && Number.isNaN(s[0])) return NaN;
  let sum = 0;
  for (let i = 0; i < s.length; ++i) sum += s[i];
  return sum / s.length;
}

/**
 * Silhouette coefficient of each row, as scikit-learn's `silhouette_samples`: (b − a) / max(a, b) with a the
 * mean distance to the other rows of its cluster and b the smallest mean distance to another cluster; 0 for
 * rows alone in their cluster. All values are NaN unless 2 ≤ number of clusters ≤ n − 1.
 * @param X n×p data (row-major)
 * @param labels cluster of each row (any integers)
 */
export function silhouetteSamples(X: Matrix, labels: ArrayLike<number>): Float64Array {
  checkLabels(X, labels);
  const n = X.rows;
  const { codes, k, sizes } = encodeLabels(labels);
  const out = new Float64Array(n);
  if (k < 2 || k > n - 1) return out.fill(NaN);
  const S = clusterDistanceSums(X, codes, k);
  for (let i = 0; i < n; ++i) {
    const own = codes[i];
    if (sizes[own] === 1) continue;
    const a = S[i * k + own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; ++c) {
      if (c === own) continue;
      const m = S[i * k + c] / sizes[c];
      if (m < b) b = m;
    }
    const d = Math.max(a, b);
    out[i] = d > 0 ? (b - a) / d : 0;
  }
  return out;
}

/** Options of {@link calinskiHarabaszScore}, {@link daviesBouldinScore} and {@link clusterCriteria}. */
export interface ClusterCriteriaOptions {
  /**
   * n non-negative row weights (default: every row counts once). Weighted rows act like repeated rows, so the
   * distinct rows of a design with their counts (`compressDenseRows`) give the scores of the full data, up to
   * rounding in the last bits (a weighted sum rounds once where the repeated rows round at each addition).
   */
  sampleWeight?: Float64Array;
}

/** Result of {@link clusterCriteria}. */
export interface ClusterCriteria {
  /** Calinski-Harabasz index (higher is better). */
  calinskiHarabasz: number;
  /** Davies-Bouldin index (lower is better). */
  daviesBouldin: number;
}

/**
 * Calinski-Harabasz index (variance ratio criterion), as scikit-learn's `calinski_harabasz_score`: between- over
 * within-cluster dispersion, each divided by its degrees of freedom. NaN unless 2 ≤ clusters ≤ n − 1.
 * @param X n×p data (row-major)
 * @param labels cluster of each row (any integers)
 * @param options sampleWeight (rows of weight w count as w rows)
 */
export function calinskiHarabaszScore(X: Matrix, labels: ArrayLike<number>, options: ClusterCriteriaOptions = {}): number {
  return clusterCriteria(X, labels, options).calinskiHarabasz;
}

/**
 * Davies-Bouldin index, as scikit-learn's `davies_bouldin_score`: the mean over clusters of the largest
 * (s_i + s_j) / ‖c_i − c_j‖, s being the mean distance of a cluster's rows to its centroid; lower is better.
 * NaN unless 2 ≤ clusters ≤ n − 1.
 * @param X n×p data (row-major)
 * @param labels cluster of each row (any integers)
 * @param options sampleWeight (rows of weight w count as w rows)
 */
export function daviesBouldinScore(X: Matrix, labels: ArrayLike<number>, options: ClusterCriteriaOptions = {}): number {
  return clusterCriteria(X, labels, options).daviesBouldin;
}

/**
 * Calinski-Harabasz and Davies-Bouldin indices together, with the labels encoded and the cluster means computed
 * once: one pass for the means, one for both dispersions. Without weights each is bit-identical to computing it
 * alone as scikit-learn defines it; with weights, rows of weight w count as w copies (rows of weight 0 are
 * left out) and n is the summed weight. Both are NaN unless 2 ≤ clusters ≤ n − 1.
 * @param X n×p data (row-major)
 * @param labels cluster of each row (any integers)
 * @param options sampleWeight
 */
export function clusterCriteria(X: Matrix, labels: ArrayLike<number>, options: ClusterCriteriaOptions = {}): ClusterCriteria {
  checkLabels(X, labels);
  const { rows: rowsIn, cols: p } = X;
  let { data } = X;
  let lab = labels;
  let W = options.sampleWeight;
  if (W !== undefined) {
    if (!(W instanceof Float64Array) || W.length !== rowsIn)
      throw new Error(`invalid sampleWeight: expected a Float64Array of length ${rowsIn}`);
    let zeros = 0;
    for (let i = 0; i < rowsIn; ++i) {
      if (!(W[i] >= 0 && W[i] < Infinity)) throw new Error(`invalid sampleWeight: ${W[i]} at row ${i} (expected finite, ≥ 0)`);
      if (W[i] === 0) ++zeros;
    }
    if (zeros) {
      // rows of weight 0 are absent: their labels must not count as clusters
      const keep = rowsIn - zeros;
      const d = new Float64Array(keep * p);
      const l = new Float64Array(keep);
      const w = new Float64Array(keep);
      for (let i = 0, r = 0; i < rowsIn; ++i) {
        if (W[i] === 0) continue;
        d.set(data.subarray(i * p, i * p + p), r * p);
        l[r] = labels[i];
        w[r++] = W[i];
      }
      data = d;
      lab = l;
      W = w;
    }
  }
  const rows = lab.length;
  const { codes, k } = encodeLabels(lab);
  const sizes = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < rows; ++i) {
    const w = W ? W[i] : 1;
    sizes[codes[i]] += w;
    n += w;
  }
  if (k < 2 || k > n - 1) return { calinskiHarabasz: NaN, daviesBouldin: NaN };
  const means = new Float64Array(k * p);
  const overall = new Float64Array(p);
  for (let i = 0; i < rows; ++i) {
    const o = codes[i] * p;
    const r = i * p;
    const w = W ? W[i] : 1;
    for (let j = 0; j < p; ++j) {
      const v = w * data[r + j];
      means[o + j] += v;
      overall[j] += v;
    }
  }
  for (let c = 0; c < k; ++c) for (let j = 0; j < p; ++j) means[c * p + j] /= sizes[c];
  for (let j = 0; j < p; ++j) overall[j] /= n;
  // within-cluster squares summed over all (row, feature) in order for Calinski-Harabasz, per row for the
  // distances to the centroid of Davies-Bouldin
  let intra = 0;
  const spread = new Float64Array(k);
  for (let i = 0; i < rows; ++i) {
    const c = codes[i];
    const o = c * p;
    const r = i * p;
    const w = W ? W[i] : 1;
    let s = 0;
    for (let j = 0; j < p; ++j) {
      const d = data[r + j] - means[o + j];
      const dd = d * d;
      intra += w * dd;
      s += dd;
    }
    spread[c] += w * Math.sqrt(s);
  }
  let extra = 0;
  for (let c = 0; c < k; ++c) {
    let s = 0;
    for (let j = 0; j < p; ++j) s += (means[c * p + j] - overall[j]) ** 2;
    extra += sizes[c] * s;
  }
  const calinskiHarabasz = intra === 0 ? 1 : (extra * (n - k)) / (intra * (k - 1));
  for (let c = 0; c < k; ++c) spread[c] /= sizes[c];
  const dist = new Float64Array(k * k);
  for (let a = 0; a < k; ++a) {
    for (let b = 0; b < k; ++b) {
      let s = 0;
      for (let j = 0; j < p; ++j) s += (means[a * p + j] - means[b * p + j]) ** 2;
      dist[a * k + b] = Math.sqrt(s);
    }
  }
  let daviesBouldin: number;
  // numpy allclose(·, 0) with its default atol
  if (spread.every((v) => Math.abs(v) <= 1e-8) || dist.every((v) => Math.abs(v) <= 1e-8)) daviesBouldin = 0;
  else {
    let total = 0;
    for (let a = 0; a < k; ++a) {
      let worst = -Infinity;
      for (let b = 0; b < k; ++b) {
        const d = dist[a * k + b];
        const r = (spread[a] + spread[b]) / (d === 0 ? Infinity : d);
        if (r > worst) worst = r;
      }
      total += worst;
    }
    daviesBouldin = total / k;
  }
  return { calinskiHarabasz, daviesBouldin };
}

/**
 * {@link clusterCriteria} of a partition of all n rows, computed from the distinct rows with their counts
 * (`compressDenseRows(X)`): O(m·p) for m distinct rows instead of O(n·p). When every group of equal rows has one
 * label (a partition made from the rows' values, as k-means' is), each distinct row carries its label and count;
 * the result then equals `clusterCriteria(X, labels)` up to rounding (a weighted sum rounds once where the repeated
 * rows round at each addition: about 1e-15 relative). A partition that splits equal rows is scored over all rows.
 * @param X n×p data (row-major)
 * @param distinct its distinct rows with counts and the distinct row of each row (`compressDenseRows(X)`)
 * @param labels cluster of each of the n rows (any integers)
 */
export function clusterCriteriaDistinct(X: Matrix, distinct: CompressedDenseRows, labels: ArrayLike<number>): ClusterCriteria {
  checkLabels(X, labels);
  const { index, weight } = distinct;
  const m = weight.length;
  if (index.length !== X.rows || distinct.X.rows !== m || distinct.X.cols !== X.cols)
    throw new Error(
      `invalid distinct rows: ${distinct.X.rows}×${distinct.X.cols} for ${index.length} rows, expected ${X.cols} columns and ${X.rows} rows`,
    );
  const own = new Float64Array(m).fill(NaN);
  for (let i = 0; i < index.length; ++i) {
    const g = index[i];
    const l = labels[i];
    if (Number.isNaN(own[g])) own[g] = l;
    else if (own[g] !== l) return clusterCriteria(X, labels);
  }
  return clusterCriteria(distinct.X, own, { sampleWeight: weight });
}

/**
 * Adjusted Rand index of two labellings, as scikit-learn's `adjusted_rand_score` (Hubert & Arabie 1985) computed
 * from the pair confusion matrix in exact integer arithmetic: 1 for identical partitions (also when both are a
 * single cluster), about 0 for independent ones, negative below chance.
 * @param a first labelling (any integers)
 * @param b second labelling, same length
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`invalid labels: lengths ${a.length} and ${b.length} differ`);
  const n = a.length;
  const ca = encodeLabels(a);
  const cb = encodeLabels(b);
  const cells = new Map<number, number>();
  for (let i = 0; i < n; ++i) {
    const key = ca.codes[i] * cb.k + cb.codes[i];
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  let sumSquares = 0n;
  for (const v of cells.values()) sumSquares += BigInt(v) * BigInt(v);
  let rows = 0n;
  for (const v of ca.sizes) rows += BigInt(v) * BigInt(v);
  let cols = 0n;
  for (const v of cb.sizes) cols += BigInt(v) * BigInt(v);
  const N = BigInt(n);
  const tp = sumSquares - N;
  const fp = cols - sumSquares;
  const fn = rows - sumSquares;
  const tn = N * N - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1;
  const num = 2n * (tp * tn - fn * fp);
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return Number(num) / Number(den);
}

function checkLabels(X: Matrix, labels: ArrayLike<number>): void {
  checkMatrix(X);
  if (labels.length !== X.rows) throw new Error(`invalid labels: length ${labels.length} (expected ${X.rows} rows)`);
}

/** Labels mapped to 0..k-1 in ascending order of value (scikit-learn's LabelEncoder), with cluster sizes. */
function encodeLabels(labels: ArrayLike<number>): { codes: Int32Array; k: number; sizes: Int32Array } {
  const n = labels.length;
  let lo = Infinity;
  let hi = -Infinity;
  let integers = true;
  for (let i = 0; i < n; ++i) {
    const v = labels[i];
    if (!Number.isInteger(v)) {
      integers = false;
      break;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const codes = new Int32Array(n);
  // integer labels over a modest range (cluster ids): a lookup table instead of a Set, a sort and a Map
  if (integers && n > 0 && hi - lo <= 4 * n + 1024) {
    const table = new Int32Array(hi - lo + 1).fill(-1);
    for (let i = 0; i < n; ++i) table[labels[i] - lo] = 0;
    let k = 0;
    for (let v = 0; v < table.length; ++v) if (table[v] === 0) table[v] = k++;
    const sizes = new Int32Array(k);
    for (let i = 0; i < n; ++i) {
      const c = table[labels[i] - lo];
      codes[i] = c;
      sizes[c]++;
    }
    return { codes, k, sizes };
  }
  const values = Array.from(new Set(Array.from(labels))).sort((x, y) => x - y);
  const index = new Map(values.map((v, i) => [v, i]));
  const sizes = new Int32Array(values.length);
  for (let i = 0; i < n; ++i) {
    const c = index.get(labels[i]);
    if (c === undefined) throw new Error(`invalid labels: value ${labels[i]} at row ${i} is missing from the label set`);
    codes[i] = c;
    sizes[c]++;
  }
  return { codes, k: values.length, sizes };
}
