import { kmeans, type KMeansOptions, type KMeansResult } from "./kmeans.js";
import { checkMatrix, type Matrix } from "./matrix.js";
import { createRng, permutation } from "../util/random.js";
import { arenaLayout, paramBlock } from "./wasm/kernel-arena.js";
import { KM } from "./wasm/kernels-js.js";
import { iota, mapFloat64 } from "../util/typed-arrays.js";

/** Options of {@link kmeansSampleAssign}: those of {@link kmeans} and the sample size. */
export interface KMeansSampleOptions extends KMeansOptions {
  /** Rows in the seeded sample the centres are fitted on (without replacement); k ≤ sampleSize. */
  sampleSize: number;
  /** Rows per assignment chunk (bounds the kernel memory for very large n). Default 1,000,000. */
  chunkRows?: number;
}

/** Result of {@link kmeansSampleAssign}: a {@link KMeansResult} over all rows, and the sample it was fitted on. */
export interface KMeansSampleResult extends KMeansResult {
  /** Indices of the sampled rows, ascending. */
  sample: Int32Array;
}

/**
 * K-means for rows that do not compress into few distinct rows: the Lloyd runs of {@link kmeans} on a seeded
 * sample of `sampleSize` rows, then one pass that assigns every row to its nearest final centre (as
 * {@link predictKmeans}, first centre on ties) chunk by chunk, with the inertia Σ wᵢ‖xᵢ − c‖² over all rows.
 * The sample keeps the rows' order and weights; `iterations` are the sample fit's. With `sampleSize` ≥ n this
 * is {@link kmeans} itself. This is scikit-learn's advice for large n made explicit (fit on a subsample, then
 * `predict`); the centres are those of the sample, not the full data's Lloyd fixed point.
 * @param X n×p data (row-major)
 * @param options kmeans options plus sampleSize (and chunkRows)
 */
export function kmeansSampleAssign(X: Matrix, options: KMeansSampleOptions): KMeansSampleResult {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  const { sampleSize, chunkRows = 1_000_000, sampleWeight: W, seed = 0, ...rest } = options;
  if (!Number.isInteger(sampleSize) || sampleSize < 1) throw new Error(`invalid sampleSize: ${sampleSize} (expected an integer ≥ 1)`);
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new Error(`invalid chunkRows: ${chunkRows} (expected an integer ≥ 1)`);
  if (sampleSize >= n) {
    const r = kmeans(X, options);
    return { ...r, sample: iota(n) };
  }
  // a stream of its own, so that the sample does not depend on how the Lloyd runs use the seed
  const sample = permutation(n, createRng((seed ^ 0x5bd1e995) >>> 0))
    .subarray(0, sampleSize)
    .sort();
  const S = new Float64Array(sampleSize * p);
  for (let r = 0; r < sampleSize; ++r) S.set(data.subarray(sample[r] * p, sample[r] * p + p), r * p);
  const fit = kmeans(
    { rows: sampleSize, cols: p, data: S },
    { ...rest, seed, ...(W ? { sampleWeight: mapFloat64(sample, (i) => W[i]) } : {}) },
  );
  const { labels, inertia } = assignAll(X, fit.centroids, W, chunkRows);
  return { centroids: fit.centroids, labels, inertia, iterations: fit.iterations, sample };
}

/** Nearest centre of every row and the weighted inertia, in chunks of at most `chunkRows` rows. */
function assignAll(X: Matrix, C: Matrix, W: Float64Array | undefined, chunkRows: number): { labels: Int32Array; inertia: number } {
  const { rows: n, cols: p, data } = X;
  const k = C.rows;
  const labels = new Int32Array(n);
  const m = Math.min(n, chunkRows);
  const layout = arenaLayout();
  const P = layout.params(16);
  const rowsPtr = layout.f64(m * p);
  const centresPtr = layout.f64(k * p);
  const labelsPtr = layout.i32(m);
  const distPtr = layout.f64(m);
  const arena = layout.create();
  let inertia = 0;
  try {
    arena.f64At(centresPtr, k * p).set(C.data);
    const params = paramBlock(arena, P)
      .i32(KM.X, rowsPtr)
      .i32(KM.C, centresPtr)
      .i32(KM.p, p)
      .i32(KM.k, k)
      .i32(KM.labels, labelsPtr)
      .i32(KM.out, distPtr);
    const rows = arena.f64At(rowsPtr, m * p);
    const L = arena.i32At(labelsPtr, m);
    const D = arena.f64At(distPtr, m);
    const grain = Math.ceil(200_000 / (k * p + 1));
    for (let start = 0; start < n; start += m) {
      const len = Math.min(m, n - start);
      rows.set(data.subarray(start * p, (start + len) * p));
      arena.runRange("kmeans_nearest", params, 0, len, grain);
      arena.runRange("kmeans_row_dist", params, 0, len, grain * k);
      labels.set(L.subarray(0, len), start);
      if (W) for (let i = 0; i < len; ++i) inertia += W[start + i] * D[i];
      else for (let i = 0; i < len; ++i) inertia += D[i];
    }
  } finally {
    arena.dispose();
  }
  return { labels, inertia };
}
