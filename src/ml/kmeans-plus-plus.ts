import type { Matrix } from "./matrix.js";
import type { Rng } from "../util/random.js";
import { arenaLayout, paramBlock, type ArenaLayout, type KernelArena, type ParamBlock } from "./wasm/kernel-arena.js";
import { PP } from "./wasm/kernels-js.js";
import { sqDist } from "./sq-dist.js";

export { sqDist };

/**
 * Greedy k-means++ seeding as in scikit-learn's `_kmeans_plusplus` (Arthur & Vassilvitskii 2007): the first
 * centre is a uniformly drawn row; each further centre is the best of `2 + floor(ln k)` candidates drawn with
 * probability proportional to the squared distance to the nearest chosen centre, "best" meaning the candidate
 * that leaves the smallest total squared distance.
 *
 * With sample weights w, every draw is as if row i appeared wᵢ times: the first centre is drawn with probability
 * ∝ wᵢ, candidates with probability ∝ wᵢ·D(xᵢ)², and the potential is Σ wᵢ·D(xᵢ)². scikit-learn 1.2.1 ignores
 * sample weights when seeding; this is what later versions (1.3+) do.
 * @param X n×p data (row-major)
 * @param k number of centres, 1..n
 * @param rng seeded generator
 * @param nLocalTrials candidates per centre; default `2 + floor(ln k)`
 * @param sampleWeight optional n non-negative row weights (default: all rows count once)
 * @returns k×p matrix of centres (copies of rows of X)
 */
export function kmeansPlusPlus(X: Matrix, k: number, rng: Rng, nLocalTrials?: number, sampleWeight?: Float64Array): Matrix {
  const { rows: n, cols: p } = X;
  const trials = nLocalTrials ?? 2 + Math.floor(Math.log(k));
  const layout = arenaLayout();
  const rowsPtr = layout.f64(n * p);
  const centresPtr = layout.f64(k * p);
  const S = seedingLayout(layout, n, trials);
  const arena = layout.create();
  try {
    arena.f64At(rowsPtr, n * p).set(X.data.subarray(0, n * p));
    const C = arena.f64At(centresPtr, k * p);
    seedPlusPlus(seedingArena(arena, S, rowsPtr, n, p), k, rng, C, trials, sampleWeight);
    return { rows: k, cols: p, data: C.slice() };
  } finally {
    arena.dispose();
  }
}

/** Arena regions that {@link seedPlusPlus} works in: reserve them with {@link seedingLayout}. */
export interface SeedingRegions {
  params: number;
  ids: number;
  closest: number;
  candidates: number;
  trials: number;
}

/**
 * Reserves the regions {@link seedPlusPlus} needs for n rows and up to `trials` candidates per centre.
 * @param layout the arena layout of the caller
 * @param n rows
 * @param trials candidates per centre
 */
export function seedingLayout(layout: ArenaLayout, n: number, trials: number): SeedingRegions {
  return { params: layout.params(8), ids: layout.i32(trials), closest: layout.f64(n), candidates: layout.f64(trials * n), trials };
}

/** The rows to seed from and the arena views that {@link seedPlusPlus} works in. */
export interface SeedingArena {
  arena: KernelArena;
  params: ParamBlock;
  /** The n×p rows, in the arena. */
  X: Float64Array;
  n: number;
  p: number;
  ids: Int32Array;
  closest: Float64Array;
  candidates: Float64Array;
  /** Byte offsets of closest and candidates. */
  closestPtr: number;
  candidatesPtr: number;
  /** Most candidates per centre the regions hold. */
  trials: number;
}

/**
 * Views and the kernel parameter block for seeding from the n×p rows at byte offset `rowsPtr` of an arena.
 * @param arena the caller's arena
 * @param S regions reserved by {@link seedingLayout}
 * @param rowsPtr byte offset of the rows
 * @param n rows
 * @param p columns
 */
export function seedingArena(arena: KernelArena, S: SeedingRegions, rowsPtr: number, n: number, p: number): SeedingArena {
  const params = paramBlock(arena, S.params).i32(PP.X, rowsPtr).i32(PP.p, p).i32(PP.ids, S.ids).i32(PP.n, n);
  return {
    arena,
    params,
    X: arena.f64At(rowsPtr, n * p),
    n,
    p,
    ids: arena.i32At(S.ids, S.trials),
    closest: arena.f64At(S.closest, n),
    candidates: arena.f64At(S.candidates, S.trials * n),
    closestPtr: S.closest,
    candidatesPtr: S.candidates,
    trials: S.trials,
  };
}

/**
 * {@link kmeansPlusPlus} over rows already in an arena: writes k centres (copies of rows) into C (k×p).
 * @param A the rows and work regions
 * @param k number of centres
 * @param rng seeded generator
 * @param C output, k×p
 * @param trials candidates per centre, at most A.trials
 * @param W optional row weights
 */
export function seedPlusPlus(A: SeedingArena, k: number, rng: Rng, C: Float64Array, trials: number, W?: Float64Array): void {
  const { n, p, X, ids, closest, candidates } = A;
  if (trials > A.trials) throw new Error(`invalid trials: ${trials} (the arena has room for ${A.trials})`);
  closest.fill(Infinity);
  const pots = new Float64Array(trials);
  const cumsum = new Float64Array(n);
  let first: number;
  if (W) {
    let acc = 0;
    for (let i = 0; i < n; ++i) cumsum[i] = acc += W[i];
    first = searchSorted(cumsum, rng.next() * acc);
  } else {
    first = rng.int(n);
  }
  C.set(X.subarray(first * p, first * p + p), 0);
  ids[0] = first;
  minDistances(A, 1, A.closestPtr, closest, pots, W);
  let pot = pots[0];
  for (let c = 1; c < k; ++c) {
    let acc = 0;
    if (W) for (let i = 0; i < n; ++i) cumsum[i] = acc += W[i] * closest[i];
    else for (let i = 0; i < n; ++i) cumsum[i] = acc += closest[i];
    for (let t = 0; t < trials; ++t) ids[t] = searchSorted(cumsum, rng.next() * pot);
    minDistances(A, trials, A.candidatesPtr, candidates, pots, W);
    let best = 0;
    // strict < keeps the first of tied candidates, like numpy's argmin
    for (let t = 1; t < trials; ++t) if (pots[t] < pots[best]) best = t;
    pot = pots[best];
    closest.set(candidates.subarray(best * n, best * n + n));
    C.set(X.subarray(ids[best] * p, ids[best] * p + p), c * p);
  }
}

// Work per task of the candidate-distance kernel (multiply-adds): enough to cover handing a task to a thread.
const SEED_GRAIN = 200_000;

/**
 * For each candidate row ids[t] (t < m): out[t·n + i] = min(closest[i], ‖x_i − x_ids[t]‖²) by the kernel (rows
 * shared among threads), then pots[t] = Σ_i of that in order of i (weighted by W[i] when given).
 */
function minDistances(A: SeedingArena, m: number, outPtr: number, out: Float64Array, pots: Float64Array, W?: Float64Array): void {
  const { n, p } = A;
  A.params.i32(PP.m, m).i32(PP.closest, A.closestPtr).i32(PP.out, outPtr);
  A.arena.runRange("kmeanspp_min", A.params, 0, n, Math.ceil(SEED_GRAIN / (m * p + 1)));
  for (let t = 0; t < m; ++t) {
    let pot = 0;
    const o = t * n;
    if (W) for (let i = 0; i < n; ++i) pot += W[i] * out[o + i];
    else for (let i = 0; i < n; ++i) pot += out[o + i];
    pots[t] = pot;
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
