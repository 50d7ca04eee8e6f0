import { checkMatrix, type Matrix } from "./matrix.js";
import { seedingArena, seedingLayout, seedPlusPlus, sqDist, type SeedingArena } from "./kmeans-plus-plus.js";
import { createRng, permutation, type Rng } from "../util/random.js";
import { arenaLayout, paramBlock, type KernelArena, type ParamBlock } from "./wasm/kernel-arena.js";
import { KM, SUMS } from "./wasm/kernels-js.js";
import { centreRows, columnLayout, columnSums, type ColumnRegions } from "./wasm/column-kernels.js";

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
  /**
   * n non-negative row weights (default: every row counts once). Weighted rows act like repeated rows: centres
   * are weighted means and the inertia is Σ wᵢ‖xᵢ − c‖², so distinct rows with their counts (see
   * `compressDenseRows`) give the clustering of the full data.
   */
  sampleWeight?: Float64Array;
}

/** Result of {@link kmeans}. */
export interface KMeansResult {
  /** k×p cluster centres. */
  centroids: Matrix;
  /** Cluster of each row, 0..k-1. */
  labels: Int32Array;
  /** Sum of squared distances of rows to their centre, each weighted by its sample weight. */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  iterations: number;
}

/**
 * K-means clustering with Lloyd's algorithm, following scikit-learn's `KMeans(algorithm="lloyd")`: the data are
 * centred, each run iterates assign → update until the labels stop changing (strict convergence) or the summed
 * squared centre shift is ≤ `tol × mean(var(X, axis=0))`, in which case the labels are reassigned once more to
 * the final centres; empty clusters take the rows farthest from their centre; the run with the lowest inertia
 * wins. Assignment uses Elkan's triangle-inequality bounds, which skip distance computations without changing
 * the result, so with a given `init` the labels, centroids and inertia equal scikit-learn's. Seeded runs are
 * reproducible but draw from openbeat's generator, not numpy's, so "k-means++" and "random" starts differ from
 * scikit-learn's for the same seed. The assignment steps and k-means++ distances run as WebAssembly SIMD kernels
 * (kernels.wat), shared among worker threads for large n; every sum keeps its order, so the result does not
 * depend on the number of threads.
 *
 * With `sampleWeight` the Lloyd runs equal `KMeans(...).fit(X, sample_weight=w)` of scikit-learn 1.2.1: weighted
 * centre means, weighted inertia, and an empty cluster (one whose rows all have weight 0) takes the farthest row
 * with that row's weight. As in 1.2.1, the tolerance uses the unweighted variance of the rows given. Seeding
 * differs from 1.2.1, which ignores weights there: "k-means++" draws with probability ∝ wᵢ·D², "random" draws
 * k rows without replacement with probability ∝ wᵢ (as scikit-learn 1.3+ does), so that integer weights seed
 * like repeated rows.
 * @param X n×p data (row-major), finite values
 * @param options k, nInit, maxIter, tol, seed, init, sampleWeight
 */
export function kmeans(X: Matrix, options: KMeansOptions): KMeansResult {
  const { k, maxIter = 300, tol = 1e-4, seed = 0, init = "k-means++" } = options;
  validateKmeansOptions(X, options);
  const { rows: n, cols: p } = X;
  const nInit = typeof init === "object" ? 1 : (options.nInit ?? 10);
  const ws = createWorkspace(n, p, k, options.sampleWeight, init === "k-means++" ? 2 + Math.floor(Math.log(k)) : 0);
  try {
    ws.X.set(X.data.subarray(0, n * p));
    const sums = columnSums(ws.arena, ws.columns, ws.XPtr, n);
    // a NaN or an infinity anywhere makes its column sum non-finite, so the value check only runs then
    if (!sums.every(Number.isFinite)) checkFinite(X);
    validateInit(X, options);
    const mean = new Float64Array(p);
    for (let j = 0; j < p; ++j) mean[j] = sums[j] / n;
    centreRows(ws.arena, ws.columns, ws.XPtr, n, mean);
    const Xc: Matrix = { rows: n, cols: p, data: ws.X };
    const tolAbs = tol === 0 ? 0 : meanVariance(ws, n, p) * tol;
    const rng = createRng(seed);
    let best: { labels: Int32Array; centres: Float64Array; inertia: number; iterations: number } | undefined;
    for (let run = 0; run < nInit; ++run) {
      initialCentres(Xc, k, init, mean, rng, ws, options.sampleWeight);
      const r = lloyd(Xc, k, maxIter, tolAbs, ws);
      if (!best || (r.inertia < best.inertia && !sameClustering(r.labels, best.labels, k))) {
        best = { labels: r.labels.slice(), centres: r.centres.slice(), inertia: r.inertia, iterations: r.iterations };
      }
    }
    if (!best) throw new Error(`invalid nInit: ${nInit} (expected ≥ 1)`);
    const b = best;
    const centres = b.centres;
    for (let c = 0; c < k; ++c) for (let j = 0; j < p; ++j) centres[c * p + j] += mean[j];
    return { centroids: { rows: k, cols: p, data: centres }, labels: b.labels, inertia: b.inertia, iterations: b.iterations };
  } finally {
    ws.arena.dispose();
  }
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
  const k = centroids.rows;
  if (n === 0) return new Int32Array(0);
  const layout = arenaLayout();
  const P = layout.params(16);
  const rowsPtr = layout.f64(n * p);
  const centresPtr = layout.f64(k * p);
  const labelsPtr = layout.i32(n);
  const arena = layout.create();
  try {
    arena.f64At(rowsPtr, n * p).set(data.subarray(0, n * p));
    arena.f64At(centresPtr, k * p).set(centroids.data.subarray(0, k * p));
    const params = paramBlock(arena, P).i32(KM.X, rowsPtr).i32(KM.C, centresPtr).i32(KM.p, p).i32(KM.k, k).i32(KM.labels, labelsPtr);
    arena.runRange("kmeans_nearest", params, 0, n, grain(k, p));
    return arena.i32At(labelsPtr, n).slice();
  } finally {
    arena.dispose();
  }
}

// Multiply-adds per task of a row kernel: enough work to cover handing the task to a worker thread.
const TASK_WORK = 200_000;

/** Rows per task for a kernel that compares each row with k centres of p values. */
function grain(k: number, p: number): number {
  return Math.ceil(TASK_WORK / (k * p + 1));
}

// A set of plain strings, so the check also holds for untyped callers passing any string.
const INIT_NAMES: ReadonlySet<string> = new Set(["k-means++", "random"]);

/** Throws on a malformed matrix, non-finite values, a bad k or a mis-shaped init matrix. */
export function validateKmeansInput(X: Matrix, options: KMeansOptions): void {
  validateKmeansOptions(X, options);
  checkFinite(X);
  validateInit(X, options);
}

/** The checks of {@link validateKmeansInput} before the values: the matrix, k, the weights, nInit, maxIter, tol. */
function validateKmeansOptions(X: Matrix, options: KMeansOptions): void {
  checkMatrix(X);
  const { rows: n } = X;
  const { k, init, nInit, maxIter, tol, sampleWeight: W } = options;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`invalid k: ${k} (expected 1..${n})`);
  if (W !== undefined) {
    if (!(W instanceof Float64Array) || W.length !== n) {
      throw new Error(`invalid sampleWeight: expected a Float64Array of length ${n}`);
    }
    let positive = 0;
    for (let i = 0; i < n; ++i) {
      if (!(W[i] >= 0 && W[i] < Infinity)) throw new Error(`invalid sampleWeight: ${W[i]} at row ${i} (expected finite, ≥ 0)`);
      if (W[i] > 0) ++positive;
    }
    if (positive === 0) throw new Error("invalid sampleWeight: all weights are 0");
    if (typeof init !== "object" && positive < k) {
      throw new Error(`invalid k: ${k} (only ${positive} rows have a positive sample weight)`);
    }
  }
  if (nInit !== undefined && (!Number.isInteger(nInit) || nInit < 1)) throw new Error(`invalid nInit: ${nInit} (expected ≥ 1)`);
  if (maxIter !== undefined && (!Number.isInteger(maxIter) || maxIter < 1)) throw new Error(`invalid maxIter: ${maxIter} (expected ≥ 1)`);
  if (tol !== undefined && !(tol >= 0)) throw new Error(`invalid tol: ${tol} (expected ≥ 0)`);
}

/** Throws on the first non-finite value of X. */
function checkFinite(X: Matrix): void {
  const { cols: p, data } = X;
  for (let i = 0; i < data.length; ++i) {
    if (!Number.isFinite(data[i])) throw new Error(`invalid X: non-finite value ${data[i]} at row ${Math.floor(i / p)}, column ${i % p}`);
  }
}

/** Throws on a mis-shaped init matrix or an unknown init name. */
function validateInit(X: Matrix, options: KMeansOptions): void {
  const { k, init } = options;
  const p = X.cols;
  if (typeof init === "object") {
    checkMatrix(init, "init");
    if (init.rows !== k || init.cols !== p) throw new Error(`invalid init: ${init.rows}×${init.cols} (expected ${k}×${p})`);
  } else if (init !== undefined && !INIT_NAMES.has(init)) {
    throw new Error(`invalid init: ${init} (expected "k-means++", "random" or a k×p matrix)`);
  }
}

interface Workspace {
  arena: KernelArena;
  /** Byte offset of the rows in the arena. */
  XPtr: number;
  columns: ColumnRegions;
  /** Parameter block of the k-means kernels. */
  params: ParamBlock;
  /** Parameter block of the cluster-sums kernel. */
  sumsParams: ParamBlock;
  /** The n×p centred rows, in the arena. */
  X: Float64Array;
  /** Row weights (all 1 without sampleWeight, which leaves every sum bit-identical to the unweighted one). */
  W: Float64Array;
  /** Labels, bounds, centres and drift live in the arena, where the kernels read and write them. */
  labels: Int32Array;
  labelsOld: Int32Array;
  /** The labels before an assignment step, to find the rows it moved. */
  before: Int32Array;
  upper: Float64Array;
  lower: Float64Array;
  centres: Float64Array;
  drift: Float64Array;
  half: Float64Array;
  halfNearest: Float64Array;
  /** Squared distance of each row to its centre (inertia). */
  rowDist: Float64Array;
  sums: Float64Array;
  /** Summed weight of each cluster. */
  counts: Float64Array;
  /**
   * Rows of positive weight in each cluster: a cluster is empty exactly when this is 0, which incrementally
   * updated fractional `counts` cannot tell reliably.
   */
  live: Int32Array;
  shift: Float64Array;
  farDist: Float64Array;
  previous: Float64Array;
  sumsWork: Float64Array;
  countsWork: Float64Array;
  liveWork: Int32Array;
  /** k-means++ regions, when the runs are seeded. */
  seeding?: SeedingArena;
}

function createWorkspace(n: number, p: number, k: number, sampleWeight: Float64Array | undefined, trials: number): Workspace {
  const layout = arenaLayout();
  const P = layout.params(16);
  const X = layout.f64(n * p);
  const C = layout.f64(k * p);
  const labels = layout.i32(n);
  const upper = layout.f64(n);
  const lower = layout.f64(n * k);
  const drift = layout.f64(k);
  const half = layout.f64(k * k);
  const halfNearest = layout.f64(k);
  const rowDist = layout.f64(n);
  const SP = layout.params(8);
  const Wp = layout.f64(n);
  const sumsPtr = layout.f64(k * p);
  const countsPtr = layout.f64(k);
  const livePtr = layout.i32(k);
  const S = trials > 0 ? seedingLayout(layout, n, trials) : undefined;
  const columns = columnLayout(layout, p);
  const arena = layout.create();
  const params = paramBlock(arena, P)
    .i32(KM.X, X)
    .i32(KM.C, C)
    .i32(KM.p, p)
    .i32(KM.k, k)
    .i32(KM.labels, labels)
    .i32(KM.upper, upper)
    .i32(KM.lower, lower)
    .i32(KM.drift, drift)
    .i32(KM.half, half)
    .i32(KM.halfNearest, halfNearest)
    .i32(KM.out, rowDist)
    .f64(KM.slack, SLACK);
  const sumsParams = paramBlock(arena, SP)
    .i32(SUMS.X, X)
    .i32(SUMS.p, p)
    .i32(SUMS.labels, labels)
    .i32(SUMS.W, Wp)
    .i32(SUMS.sums, sumsPtr)
    .i32(SUMS.counts, countsPtr)
    .i32(SUMS.live, livePtr);
  const W = arena.f64At(Wp, n);
  if (sampleWeight) W.set(sampleWeight);
  else W.fill(1);
  return {
    arena,
    XPtr: X,
    columns,
    params,
    sumsParams,
    X: arena.f64At(X, n * p),
    W,
    labels: arena.i32At(labels, n),
    labelsOld: new Int32Array(n),
    before: new Int32Array(n),
    upper: arena.f64At(upper, n),
    lower: arena.f64At(lower, n * k),
    centres: arena.f64At(C, k * p),
    drift: arena.f64At(drift, k),
    half: arena.f64At(half, k * k),
    halfNearest: arena.f64At(halfNearest, k),
    rowDist: arena.f64At(rowDist, n),
    sums: arena.f64At(sumsPtr, k * p),
    counts: arena.f64At(countsPtr, k),
    live: arena.i32At(livePtr, k),
    shift: new Float64Array(k),
    farDist: new Float64Array(n),
    previous: new Float64Array(k * p),
    sumsWork: new Float64Array(k * p),
    countsWork: new Float64Array(k),
    liveWork: new Int32Array(k),
    ...(S ? { seeding: seedingArena(arena, S, X, n, p) } : {}),
  };
}

function initialCentres(
  Xc: Matrix,
  k: number,
  init: KMeansOptions["init"],
  mean: Float64Array,
  rng: Rng,
  ws: Workspace,
  W: Float64Array | undefined,
): void {
  const p = Xc.cols;
  const C = ws.centres;
  if (typeof init === "object") {
    for (let c = 0; c < k; ++c) for (let j = 0; j < p; ++j) C[c * p + j] = init.data[c * p + j] - mean[j];
  } else if (init === "random") {
    const idx = W ? weightedSample(W, k, rng) : permutation(Xc.rows, rng);
    for (let c = 0; c < k; ++c) C.set(Xc.data.subarray(idx[c] * p, idx[c] * p + p), c * p);
  } else {
    if (!ws.seeding) throw new Error("k-means++ seeding needs its work regions");
    seedPlusPlus(ws.seeding, k, rng, C, ws.seeding.trials, W);
  }
}

/** k distinct indices drawn one after another with probability ∝ W among those not drawn yet (W has ≥ k positives). */
function weightedSample(W: Float64Array, k: number, rng: Rng): Int32Array {
  const n = W.length;
  const left = Float64Array.from(W);
  const idx = new Int32Array(k);
  for (let c = 0; c < k; ++c) {
    let total = 0;
    for (let i = 0; i < n; ++i) total += left[i];
    const u = rng.next() * total;
    let acc = 0;
    let pick = -1;
    for (let i = 0; i < n; ++i) {
      if (left[i] === 0) continue;
      pick = i;
      acc += left[i];
      if (u < acc) break;
    }
    idx[c] = pick;
    left[pick] = 0;
  }
  return idx;
}

// Bounds are compared with this relative slack so that rounding in the bound updates can never skip a row whose
// nearest centre changed; rows inside the slack simply get their distances computed.
const SLACK = 1 + 1e-10;

/**
 * One Lloyd run from the centres in ws.centres, mirroring scikit-learn's `_kmeans_single_lloyd`.
 * The assignment step keeps Elkan's bounds (Elkan 2003, "Using the triangle inequality to accelerate
 * k-means"): `upper[i]` ≥ distance of row i to its centre, `lower[i·k + c]` ≤ distance to centre c, so most
 * distances need not be computed while every label stays exactly the nearest centre.
 */
function lloyd(Xc: Matrix, k: number, maxIter: number, tolAbs: number, ws: Workspace) {
  const { rows: n, cols: p, data } = Xc;
  const { W, labels, labelsOld, shift, drift } = ws;
  const C = ws.centres;
  drift.fill(0);
  labelsOld.fill(-1);
  ws.arena.runRange("kmeans_assign_full", ws.params, 0, n, grain(k, p));
  clusterSums(ws, n);
  let strict = false;
  let iter = 0;
  for (; iter < maxIter; ++iter) {
    if (iter > 0) boundedAssign(data, n, p, C, k, ws);
    let same = true;
    for (let i = 0; i < n; ++i) {
      if (labels[i] !== labelsOld[i]) {
        same = false;
        break;
      }
    }
    // sums are kept up to date incrementally; recompute them exactly when this is the last update
    const last = same || iter === maxIter - 1;
    if (last) clusterSums(ws, n);
    const shiftTot = updateCentres(data, n, p, C, k, labels, shift, ws);
    if (same) {
      strict = true;
      break;
    }
    if (shiftTot <= tolAbs) {
      if (!last) {
        C.set(ws.previous);
        clusterSums(ws, n);
        updateCentres(data, n, p, C, k, labels, shift, ws);
      }
      for (let c = 0; c < k; ++c) drift[c] += shift[c];
      break;
    }
    for (let c = 0; c < k; ++c) drift[c] += shift[c];
    labelsOld.set(labels);
  }
  if (!strict) boundedAssign(data, n, p, C, k, ws);
  ws.arena.runRange("kmeans_row_dist", ws.params, 0, n, grain(1, p));
  const { rowDist } = ws;
  let inertia = 0;
  for (let i = 0; i < n; ++i) inertia += W[i] * rowDist[i];
  return { labels, centres: C, inertia, iterations: Math.min(iter + 1, maxIter) };
}

/**
 * Elkan's assignment step. Bounds are stored relative to each centre's cumulative movement `drift` (lower
 * bounds as l + drift[c], upper bounds as u − drift[label]), so moving the centres costs O(k) rather than a
 * pass over the n×k bounds. The rows are assigned by the `kmeans_assign_bounded` kernel (shared among threads);
 * the weighted cluster sums then follow every label change in order of the rows, as if updated row by row.
 */
function boundedAssign(data: Float64Array, n: number, p: number, C: Float64Array, k: number, ws: Workspace): void {
  const { half, halfNearest, W, sums, counts, live, labels, before } = ws;
  halfNearest.fill(Infinity);
  for (let a = 0; a < k; ++a) {
    // +inf on the diagonal leaves a row's own centre out of the kernel's all-centres check
    half[a * k + a] = Infinity;
    for (let b = a + 1; b < k; ++b) {
      const h = 0.5 * Math.sqrt(sqDist(C, a * p, C, b * p, p));
      half[a * k + b] = h;
      half[b * k + a] = h;
      if (h < halfNearest[a]) halfNearest[a] = h;
      if (h < halfNearest[b]) halfNearest[b] = h;
    }
  }
  before.set(labels);
  // a row that is skipped costs a few comparisons; one that is not, up to k distances
  ws.arena.runRange("kmeans_assign_bounded", ws.params, 0, n, Math.max(4096, grain(k, p)));
  for (let i = 0; i < n; ++i) {
    const a = labels[i];
    const a0 = before[i];
    if (a === a0) continue;
    const w = W[i];
    if (w === 0) continue;
    counts[a0] -= w;
    counts[a] += w;
    const o0 = a0 * p;
    const o1 = a * p;
    const r = i * p;
    for (let j = 0; j < p; ++j) {
      const v = data[r + j] * w;
      sums[o0 + j] -= v;
      sums[o1 + j] += v;
    }
    live[a] += 1;
    // a cluster left with only zero-weight rows has sums exactly 0, as a fresh summation would give
    if (--live[a0] === 0) {
      counts[a0] = 0;
      sums.fill(0, o0, o0 + p);
    }
  }
}

/**
 * Per-cluster weighted sums, summed weights and positive-weight row counts, from scratch: the `kmeans_sums` kernel
 * adds the rows in order on the calling thread (one task, so every sum keeps the order of the rows).
 */
function clusterSums(ws: Workspace, n: number): void {
  ws.sums.fill(0);
  ws.counts.fill(0);
  ws.live.fill(0);
  ws.arena.run("kmeans_sums", ws.sumsParams, [0], [n]);
}

/**
 * New centres as weighted cluster means, relocating empty clusters to the rows farthest from their (old) centre
 * as scikit-learn's `_relocate_empty_clusters_dense` does (the moved row brings its weight and keeps its label
 * until the next assignment); a cluster whose weight is still 0 gets its sums, which are 0, as 1.2.1's
 * `_average_centers` leaves them. Writes the Euclidean shift of each centre into `shift` and returns the summed
 * squared shift.
 */
function updateCentres(
  data: Float64Array,
  n: number,
  p: number,
  C: Float64Array,
  k: number,
  labels: Int32Array,
  shift: Float64Array,
  ws: Workspace,
): number {
  ws.previous.set(C);
  const sums = ws.sumsWork;
  const counts = ws.countsWork;
  const live = ws.liveWork;
  sums.set(ws.sums);
  counts.set(ws.counts);
  live.set(ws.live);
  let nEmpty = 0;
  for (let c = 0; c < k; ++c) if (live[c] === 0) ++nEmpty;
  if (nEmpty > 0) relocateEmpty(data, ws.W, n, p, C, k, labels, sums, counts, live, ws.farDist, nEmpty);
  let total = 0;
  for (let c = 0; c < k; ++c) {
    const o = c * p;
    const nonEmpty = live[c] > 0;
    const alpha = nonEmpty ? 1 / counts[c] : 1;
    let s = 0;
    for (let j = 0; j < p; ++j) {
      const v = nonEmpty ? sums[o + j] * alpha : sums[o + j];
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
  data: Float64Array,
  W: Float64Array,
  n: number,
  p: number,
  C: Float64Array,
  k: number,
  labels: Int32Array,
  sums: Float64Array,
  counts: Float64Array,
  live: Int32Array,
  dist: Float64Array,
  nEmpty: number,
): void {
  for (let i = 0; i < n; ++i) dist[i] = sqDist(data, i * p, C, labels[i] * p, p);
  const far = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => dist[b] - dist[a] || a - b)
    .slice(0, nEmpty);
  // the empty clusters are fixed before any move, as in scikit-learn: a cluster that a move drains stays put
  const empty: number[] = [];
  for (let c = 0; c < k; ++c) if (live[c] === 0) empty.push(c);
  for (let e = 0; e < nEmpty; ++e) {
    const c = empty[e];
    const i = far[e];
    const old = labels[i];
    const w = W[i];
    for (let j = 0; j < p; ++j) {
      sums[old * p + j] -= data[i * p + j] * w;
      sums[c * p + j] = data[i * p + j] * w;
    }
    counts[c] = w;
    counts[old] -= w;
    if (w > 0) {
      live[c] = 1;
      if (--live[old] === 0) {
        counts[old] = 0;
        sums.fill(0, old * p, old * p + p);
      }
    }
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

/**
 * Mean over columns of the population variance of each column (numpy `mean(var(X, axis=0))`) of the centred rows
 * in the arena: the squares summed per column in order of the rows.
 */
function meanVariance(ws: Workspace, n: number, p: number): number {
  const ss = columnSums(ws.arena, ws.columns, ws.XPtr, n, true);
  let s = 0;
  for (let j = 0; j < p; ++j) s += ss[j] / n;
  return s / p;
}
