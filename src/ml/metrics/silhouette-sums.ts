import type { Matrix } from "../matrix.js";
import { SIL } from "../wasm/kernels-js.js";
import { arenaLayout, paramBlock } from "../wasm/kernel-arena.js";

// Quads (4 rows) per tile: a tile of 256 rows × p doubles stays in L2 for p up to a few hundred.
const TILE_QUADS = 64;

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
  const { rows: n, cols: p, data } = X;
  const Gq = Math.ceil(n / 4);
  const G = Gq * 4;
  const layout = arenaLayout();
  const P = layout.params(10);
  const Dp = layout.f64(G * p);
  const Dtp = layout.f64(G * p);
  const labp = layout.i32(G);
  const wp = layout.f64(G);
  const Sp = layout.f64(G * k);
  const arena = layout.create();
  try {
    arena.f64At(Dp, n * p).set(data.subarray(0, n * p));
    const Dt = arena.f64At(Dtp, G * p);
    for (let i = 0; i < n; ++i) {
      const q = i >> 2;
      const h = i & 3;
      for (let j = 0; j < p; ++j) Dt[(q * p + j) * 4 + h] = data[i * p + j];
    }
    arena.i32At(labp, n).set(labels.subarray(0, n));
    // padding rows keep weight 0, so they add exact zeros to the real rows' sums
    const w = arena.f64At(wp, n);
    if (weight) w.set(weight.subarray(0, n));
    else w.fill(1);
    const tq = TILE_QUADS;
    const params = paramBlock(arena, P)
      .i32(SIL.D, Dp)
      .i32(SIL.Dt, Dtp)
      .i32(SIL.lab, labp)
      .i32(SIL.w, wp)
      .i32(SIL.S, Sp)
      .i32(SIL.Gq, Gq)
      .i32(SIL.p, p)
      .i32(SIL.k, k)
      .i32(SIL.tq, tq);
    const T = Math.ceil(Gq / tq);
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
    arena.run("silhouette_tile", params, I, J, need);
    return arena.f64At(Sp, n * k).slice();
  } finally {
    arena.dispose();
  }
}
