import type { Matrix } from "../matrix.js";
import { SIL } from "../wasm/kernels-js.js";
import { arenaLayout, paramBlock, type ArenaLayout, type KernelArena, type ParamBlock } from "../wasm/kernel-arena.js";

// Quads (4 rows) per tile: a tile of 256 rows × p doubles stays in L2 for p up to a few hundred.
const TILE_QUADS = 64;

/** The rows as the silhouette kernels read them: row-major (D) and in quads (Dt), padded to whole quads. */
function layRows(layout: ArenaLayout, X: Matrix) {
  const Gq = Math.ceil(X.rows / 4);
  return { Gq, Dp: layout.f64(Gq * 4 * X.cols), Dtp: layout.f64(Gq * 4 * X.cols) };
}

/** The parameter slots both silhouette kernels read: the rows in both layouts, their quads, p and the tile size. */
function rowParams(arena: KernelArena, P: number, X: Matrix, Dp: number, Dtp: number, Gq: number): ParamBlock {
  return paramBlock(arena, P).i32(SIL.D, Dp).i32(SIL.Dt, Dtp).i32(SIL.Gq, Gq).i32(SIL.p, X.cols).i32(SIL.tq, TILE_QUADS);
}

/** Writes the rows into the regions of {@link layRows}; the padding rows stay zero. */
function writeRows(arena: KernelArena, X: Matrix, Dp: number, Dtp: number, Gq: number): void {
  const { rows: n, cols: p, data } = X;
  arena.f64At(Dp, n * p).set(data.subarray(0, n * p));
  const Dt = arena.f64At(Dtp, Gq * 4 * p);
  for (let i = 0; i < n; ++i) {
    const q = i >> 2;
    const h = i & 3;
    for (let j = 0; j < p; ++j) Dt[(q * p + j) * 4 + h] = data[i * p + j];
  }
}

/** Tiles (I, J), I ≤ J, of T tiles a side, one anti-diagonal after another; need[t]: tiles done before tile t may start. */
function tileSchedule(T: number): { I: number[]; J: number[]; need: number[] } {
  const I: number[] = [];
  const J: number[] = [];
  const need: number[] = [];
  for (let s = 0; s <= 2 * (T - 1); ++s) {
    const before = I.length;
    for (let i = Math.max(0, s - (T - 1)); 2 * i <= s; ++i) {
      I.push(i);
      J.push(s - i);
      need.push(before);
    }
  }
  return { I, J, need };
}

/**
 * Per-row sums of distances to each cluster: S[i·k + c] = Σ w_j·‖x_i − x_j‖ over rows j ≠ i with label c,
 * each sum taken in ascending order of j and each distance as the plain loop computes it (differences squared
 * and added in order of the features), so the sums are bit-identical to
 * `for i, for j > i: d = ‖x_i − x_j‖; S[i][lab j] += w_j·d; S[j][lab i] += w_i·d`.
 *
 * Every pair is visited once, in tiles of 256 × 256 rows, by the WebAssembly SIMD kernel `silhouette_tile`
 * (four rows against four, two lanes per vector). Tiles on one anti-diagonal of the tile grid touch disjoint
 * rows and run on worker threads at once; anti-diagonals run in order, which keeps every sum in order of j.
 * @param X n×p rows (row-major)
 * @param labels cluster of each row, 0..k−1
 * @param k number of clusters
 * @param weight row weights (default 1 each)
 * @returns n×k sums (row-major)
 */
export function clusterDistanceSums(X: Matrix, labels: Int32Array, k: number, weight?: Float64Array): Float64Array {
  const n = X.rows;
  const layout = arenaLayout();
  const P = layout.params(10);
  const { Gq, Dp, Dtp } = layRows(layout, X);
  const G = Gq * 4;
  const labp = layout.i32(G);
  const wp = layout.f64(G);
  const Sp = layout.f64(G * k);
  const arena = layout.create();
  try {
    writeRows(arena, X, Dp, Dtp, Gq);
    arena.i32At(labp, n).set(labels.subarray(0, n));
    // padding rows keep weight 0, so they add exact zeros to the real rows' sums
    const w = arena.f64At(wp, n);
    if (weight) w.set(weight.subarray(0, n));
    else w.fill(1);
    const params = rowParams(arena, P, X, Dp, Dtp, Gq).i32(SIL.lab, labp).i32(SIL.w, wp).i32(SIL.S, Sp).i32(SIL.k, k);
    const { I, J, need } = tileSchedule(Math.ceil(Gq / TILE_QUADS));
    arena.run("silhouette_tile", params, I, J, need);
    return arena.f64At(Sp, n * k).slice();
  } finally {
    arena.dispose();
  }
}

/**
 * The Euclidean distance of every pair of rows: the upper triangle row by row, ‖x_g − x_h‖ for g < h at index
 * g·n − g(g + 1)/2 + h − g − 1, each computed as the plain loop does (differences squared and added in order of
 * the features, then the square root), so the values are bit-identical to
 * `for g, for h > g: s = 0; for j: s += (x_gj − x_hj)²; out.push(√s)`.
 *
 * The WebAssembly SIMD kernel `pair_dist_tile` computes four rows against four at a time, in tiles of 256 × 256
 * rows that write disjoint entries and are shared with worker threads.
 * @param X n×p rows (row-major)
 * @param options.forceJs run the kernel's JavaScript twin (tests)
 * @returns n(n − 1)/2 distances
 */
export function pairDistances(X: Matrix, options: { forceJs?: boolean } = {}): Float64Array {
  const n = X.rows;
  const layout = arenaLayout(options);
  const P = layout.params(12);
  const { Gq, Dp, Dtp } = layRows(layout, X);
  const size = (n * (n - 1)) / 2;
  const Tp = layout.f64(size);
  const arena = layout.create();
  try {
    writeRows(arena, X, Dp, Dtp, Gq);
    const params = rowParams(arena, P, X, Dp, Dtp, Gq).i32(SIL.n, n).i32(SIL.T, Tp);
    const { I, J } = tileSchedule(Math.ceil(Gq / TILE_QUADS));
    arena.run("pair_dist_tile", params, I, J);
    return arena.f64At(Tp, size).slice();
  } finally {
    arena.dispose();
  }
}
