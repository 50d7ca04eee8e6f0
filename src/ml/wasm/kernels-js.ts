/**
 * JavaScript twins of the task kernels in kernels.wat, used where WebAssembly is unavailable or the data do not
 * fit in its 4 GiB memory. Each twin performs the same floating-point operations in the same order as its
 * WebAssembly kernel, so the two give bit-identical results (test/ml/wasm-kernels.test.ts checks this). The
 * twins read their operands from `P`, the same values the WebAssembly parameter block holds (byte offsets into
 * the arena), in the same slots.
 */
import { choleskyFactor, choleskyInverse } from "../cholesky.js";
import { sqDist } from "../sq-dist.js";

/** Views of an arena's bytes. */
export interface ArenaViews {
  f64: Float64Array;
  i32: Int32Array;
}

/** A task kernel: parameter values P, task range [a, b). */
export type JsKernel = (v: ArenaViews, P: readonly number[], a: number, b: number) => void;

/** Slots of the k-means parameter block (kernels.wat), as indices into P. */
export const KM = { X: 0, C: 1, p: 2, k: 3, labels: 4, upper: 5, lower: 6, drift: 7, half: 8, halfNearest: 9, out: 10, slack: 12 } as const;
/** Slots of the k-means++ parameter block. */
export const PP = { X: 0, p: 1, ids: 2, m: 3, closest: 4, out: 5, n: 6 } as const;
/** Slots of the cluster-sums parameter block. */
export const SUMS = { X: 0, p: 1, labels: 2, W: 3, sums: 4, counts: 5, live: 6 } as const;
/** Slots of the silhouette parameter block. */
export const SIL = { D: 0, Dt: 1, lab: 2, w: 3, S: 4, Gq: 5, p: 6, k: 7, tq: 8, n: 9, T: 10 } as const;
/** Slots of the column parameter block. */
export const COL = { X: 0, n: 1, p: 2, out: 3, mean: 4 } as const;
/** Slots of the Cholesky parameter block (`ok`: byte offset of the factor's i32 result). */
export const CH = { A: 0, L: 1, q: 2, out: 3, work: 4, ok: 5 } as const;
/** Slots of the PCA parameter block. */
export const PCA = { X: 0, n: 1, p: 2, S: 3, Vt: 4, m2: 5, out: 6 } as const;

/** kernels.wat `sqdist`: two-lane blocks of four, lanes combined, then the tail (offsets in doubles). */
export function sqdistWasmOrder(f: Float64Array, a: number, b: number, p: number): number {
  let s00 = 0;
  let s01 = 0;
  let s10 = 0;
  let s11 = 0;
  const end = p & ~3;
  let j = 0;
  for (; j < end; j += 4) {
    const d0 = f[a + j] - f[b + j];
    const d1 = f[a + j + 1] - f[b + j + 1];
    const d2 = f[a + j + 2] - f[b + j + 2];
    const d3 = f[a + j + 3] - f[b + j + 3];
    s00 += d0 * d0;
    s01 += d1 * d1;
    s10 += d2 * d2;
    s11 += d3 * d3;
  }
  let s = s00 + s10 + (s01 + s11);
  for (; j < p; ++j) {
    const e = f[a + j] - f[b + j];
    s += e * e;
  }
  return s;
}

/** kernels.wat `sqdist_js`: the order of {@link sqDist} within one array (offsets in doubles). */
export function sqdistJsOrder(f: Float64Array, a: number, b: number, p: number): number {
  return sqDist(f, a, f, b, p);
}

const kmeansAssignFull: JsKernel = ({ f64, i32 }, P, a, b) => {
  const X = P[KM.X] / 8;
  const C = P[KM.C] / 8;
  const p = P[KM.p];
  const k = P[KM.k];
  const labels = P[KM.labels] / 4;
  const upper = P[KM.upper] / 8;
  const lower = P[KM.lower] / 8;
  for (let i = a; i < b; ++i) {
    const row = X + i * p;
    const lo = lower + i * k;
    let best = Infinity;
    let arg = 0;
    for (let c = 0; c < k; ++c) {
      const d = Math.sqrt(sqdistWasmOrder(f64, row, C + c * p, p));
      f64[lo + c] = d;
      if (d < best) {
        best = d;
        arg = c;
      }
    }
    i32[labels + i] = arg;
    f64[upper + i] = best;
  }
};

const kmeansAssignBounded: JsKernel = ({ f64, i32 }, P, a, b) => {
  const X = P[KM.X] / 8;
  const C = P[KM.C] / 8;
  const p = P[KM.p];
  const k = P[KM.k];
  const labels = P[KM.labels] / 4;
  const upper = P[KM.upper] / 8;
  const lower = P[KM.lower] / 8;
  const drift = P[KM.drift] / 8;
  const half = P[KM.half] / 8;
  const halfNearest = P[KM.halfNearest] / 8;
  const slack = P[KM.slack];
  for (let i = a; i < b; ++i) {
    const a0 = i32[labels + i];
    let u = f64[upper + i] + f64[drift + a0];
    let us = u * slack;
    if (us < f64[halfNearest + a0]) continue;
    let cur = a0;
    let ha = half + cur * k;
    const row = X + i * p;
    const li = lower + i * k;
    let tight = false;
    for (let c = 0; c < k; ++c) {
      if (c === cur) continue;
      const l = f64[li + c] - f64[drift + c];
      const h = f64[ha + c];
      const z = l > h ? l : h;
      if (us < z) continue;
      if (!tight) {
        u = Math.sqrt(sqdistWasmOrder(f64, row, C + cur * p, p));
        us = u * slack;
        f64[li + cur] = u + f64[drift + cur];
        tight = true;
        if (us < z) continue;
      }
      const d = Math.sqrt(sqdistWasmOrder(f64, row, C + c * p, p));
      f64[li + c] = d + f64[drift + c];
      if (d < u || (d === u && c < cur)) {
        cur = c;
        ha = half + cur * k;
        u = d;
        us = u * slack;
      }
    }
    f64[upper + i] = u - f64[drift + cur];
    i32[labels + i] = cur;
  }
};

const kmeansSums: JsKernel = ({ f64, i32 }, P, a, b) => {
  const X = P[SUMS.X] / 8;
  const p = P[SUMS.p];
  const labels = P[SUMS.labels] / 4;
  const W = P[SUMS.W] / 8;
  const sums = P[SUMS.sums] / 8;
  const counts = P[SUMS.counts] / 8;
  const live = P[SUMS.live] / 4;
  for (let i = a; i < b; ++i) {
    const w = f64[W + i];
    if (w === 0) continue;
    const c = i32[labels + i];
    f64[counts + c] += w;
    i32[live + c] += 1;
    const o = sums + c * p;
    const row = X + i * p;
    for (let j = 0; j < p; ++j) f64[o + j] += f64[row + j] * w;
  }
};

const kmeansRowDist: JsKernel = ({ f64, i32 }, P, a, b) => {
  const X = P[KM.X] / 8;
  const C = P[KM.C] / 8;
  const p = P[KM.p];
  const labels = P[KM.labels] / 4;
  const out = P[KM.out] / 8;
  for (let i = a; i < b; ++i) f64[out + i] = sqdistWasmOrder(f64, X + i * p, C + i32[labels + i] * p, p);
};

const kmeansNearest: JsKernel = ({ f64, i32 }, P, a, b) => {
  const X = P[KM.X] / 8;
  const C = P[KM.C] / 8;
  const p = P[KM.p];
  const k = P[KM.k];
  const labels = P[KM.labels] / 4;
  for (let i = a; i < b; ++i) {
    const row = X + i * p;
    let best = Infinity;
    let arg = 0;
    for (let c = 0; c < k; ++c) {
      const s = sqdistJsOrder(f64, row, C + c * p, p);
      if (s < best) {
        best = s;
        arg = c;
      }
    }
    i32[labels + i] = arg;
  }
};

const kmeansppMin: JsKernel = ({ f64, i32 }, P, a, b) => {
  const X = P[PP.X] / 8;
  const p = P[PP.p];
  const ids = P[PP.ids] / 4;
  const m = P[PP.m];
  const closest = P[PP.closest] / 8;
  const out = P[PP.out] / 8;
  const n = P[PP.n];
  for (let i = a; i < b; ++i) {
    const row = X + i * p;
    const cl = f64[closest + i];
    for (let t = 0; t < m; ++t) {
      const d = sqdistWasmOrder(f64, row, X + i32[ids + t] * p, p);
      f64[out + t * n + i] = d < cl ? d : cl;
    }
  }
};

/**
 * `$sil_quad`: the 16 distances ‖x_{4Q+r} − x_{4R+h}‖ into d[r·4 + h], rows x from D (row-major) and y from Dt (in
 * quads), each the squared differences added in order of the features, then the square root.
 */
function silQuad(f64: Float64Array, D: number, Dt: number, p: number, Q: number, R: number, d: Float64Array): void {
  for (let r = 0; r < 4; ++r) {
    const x = D + (4 * Q + r) * p;
    for (let h = 0; h < 4; ++h) {
      const y = Dt + R * p * 4 + h;
      let s = 0;
      for (let j = 0; j < p; ++j) {
        const e = f64[x + j] - f64[y + 4 * j];
        s += e * e;
      }
      d[r * 4 + h] = Math.sqrt(s);
    }
  }
}

const silhouetteTile: JsKernel = ({ f64, i32 }, P, I, J) => {
  const D = P[SIL.D] / 8;
  const Dt = P[SIL.Dt] / 8;
  const lab = P[SIL.lab] / 4;
  const w = P[SIL.w] / 8;
  const S = P[SIL.S] / 8;
  const Gq = P[SIL.Gq];
  const p = P[SIL.p];
  const k = P[SIL.k];
  const tq = P[SIL.tq];
  const d = new Float64Array(16);
  const quad = (Q: number, R: number) => {
    silQuad(f64, D, Dt, p, Q, R, d);
  };
  const add = (x: number, y: number, v: number) => {
    f64[S + x * k + i32[lab + y]] += f64[w + y] * v;
  };
  const q1 = Math.min(I * tq + tq, Gq);
  const r1 = Math.min(J * tq + tq, Gq);
  for (let Q = I * tq; Q < q1; ++Q) {
    let R = J * tq;
    if (I === J) {
      quad(Q, Q);
      for (let r = 0; r < 4; ++r) {
        for (let h = r + 1; h < 4; ++h) {
          add(4 * Q + r, 4 * Q + h, d[r * 4 + h]);
          add(4 * Q + h, 4 * Q + r, d[r * 4 + h]);
        }
      }
      R = Q + 1;
    }
    for (; R < r1; ++R) {
      quad(Q, R);
      for (let r = 0; r < 4; ++r) for (let h = 0; h < 4; ++h) add(4 * Q + r, 4 * R + h, d[r * 4 + h]);
      for (let h = 0; h < 4; ++h) for (let r = 0; r < 4; ++r) add(4 * R + h, 4 * Q + r, d[r * 4 + h]);
    }
  }
};

const pairDistTile: JsKernel = ({ f64 }, P, I, J) => {
  const D = P[SIL.D] / 8;
  const Dt = P[SIL.Dt] / 8;
  const Gq = P[SIL.Gq];
  const p = P[SIL.p];
  const tq = P[SIL.tq];
  const n = P[SIL.n];
  const T = P[SIL.T] / 8;
  const d = new Float64Array(16);
  const q1 = Math.min(I * tq + tq, Gq);
  const r1 = Math.min(J * tq + tq, Gq);
  for (let Q = I * tq; Q < q1; ++Q) {
    for (let R = I === J ? Q : J * tq; R < r1; ++R) {
      silQuad(f64, D, Dt, p, Q, R, d);
      // $pd_store: pairs g < y of real rows, at their place in the triangle
      for (let r = 0; r < 4 && 4 * Q + r < n; ++r) {
        const g = 4 * Q + r;
        const base = T + g * n - (g * (g + 1)) / 2 - g - 1;
        for (let h = 0; h < 4 && 4 * R + h < n; ++h) {
          const y = 4 * R + h;
          if (y > g) f64[base + y] = d[r * 4 + h];
        }
      }
    }
  }
};

const pcaCross: JsKernel = ({ f64 }, P, a, b) => {
  const X = P[PCA.X] / 8;
  const n = P[PCA.n];
  const p = P[PCA.p];
  const S = P[PCA.S] / 8;
  for (let i = 0; i < n; ++i) {
    const row = X + i * p;
    for (let u = a; u < b; ++u) {
      const xu = f64[row + u];
      if (xu === 0) continue;
      const o = S + u * p;
      for (let v = u; v < p; ++v) f64[o + v] += xu * f64[row + v];
    }
  }
};

const pcaProject: JsKernel = ({ f64 }, P, a, b) => {
  const X = P[PCA.X] / 8;
  const p = P[PCA.p];
  const Vt = P[PCA.Vt] / 8;
  const m2 = P[PCA.m2];
  const out = P[PCA.out] / 8;
  for (let i = a; i < b; ++i) {
    const row = X + i * p;
    for (let c = 0; c < m2; ++c) {
      let s = 0;
      for (let j = 0; j < p; ++j) s += f64[row + j] * f64[Vt + j * m2 + c];
      f64[out + i * m2 + c] = s;
    }
  }
};

const colSums: JsKernel = ({ f64 }, P, a, b) => {
  const X = P[COL.X] / 8;
  const n = P[COL.n];
  const p = P[COL.p];
  const out = P[COL.out] / 8;
  for (let j = a; j < b; ++j) {
    let s = 0;
    for (let i = 0; i < n; ++i) s += f64[X + i * p + j];
    f64[out + j] = s;
  }
};

const colSumsq: JsKernel = ({ f64 }, P, a, b) => {
  const X = P[COL.X] / 8;
  const n = P[COL.n];
  const p = P[COL.p];
  const out = P[COL.out] / 8;
  for (let j = a; j < b; ++j) {
    let s = 0;
    for (let i = 0; i < n; ++i) {
      const v = f64[X + i * p + j];
      s += v * v;
    }
    f64[out + j] = s;
  }
};

const centreRows: JsKernel = ({ f64 }, P, a, b) => {
  const X = P[COL.X] / 8;
  const p = P[COL.p];
  const mean = P[COL.mean] / 8;
  for (let i = a; i < b; ++i) for (let j = 0; j < p; ++j) f64[X + i * p + j] -= f64[mean + j];
};

/** The q×q matrix at byte offset `ptr`. */
const square = (f64: Float64Array, ptr: number, q: number): Float64Array => f64.subarray(ptr / 8, ptr / 8 + q * q);

// The Cholesky kernels are the functions of cholesky.ts, over the arena's regions.
const cholFactor: JsKernel = ({ f64, i32 }, P) => {
  const q = P[CH.q];
  i32[P[CH.ok] / 4] = choleskyFactor(square(f64, P[CH.A], q), q, square(f64, P[CH.L], q)) ? 1 : 0;
};

const cholInverse: JsKernel = ({ f64 }, P) => {
  const q = P[CH.q];
  choleskyInverse(square(f64, P[CH.L], q), q, square(f64, P[CH.out], q), square(f64, P[CH.work], q));
};

/** The task kernels by their export name in kernels.wat. */
export const JS_KERNELS = {
  kmeans_assign_full: kmeansAssignFull,
  kmeans_assign_bounded: kmeansAssignBounded,
  kmeans_row_dist: kmeansRowDist,
  kmeans_sums: kmeansSums,
  kmeans_nearest: kmeansNearest,
  kmeanspp_min: kmeansppMin,
  silhouette_tile: silhouetteTile,
  pair_dist_tile: pairDistTile,
  pca_cross: pcaCross,
  pca_project: pcaProject,
  col_sums: colSums,
  col_sumsq: colSumsq,
  centre_rows: centreRows,
  chol_factor: cholFactor,
  chol_inverse: cholInverse,
} satisfies Record<string, JsKernel>;

/** Name of a task kernel. */
export type KernelName = keyof typeof JS_KERNELS;
