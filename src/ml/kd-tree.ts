import type { LevelList } from "./pattern-neighbors.js";
import { iota } from "../util/typed-arrays.js";

/**
 * A k-d tree over the m rows of a dense m×p row-major block (Friedman, Bentley & Finkel, ACM TOMS 3, 1977):
 * nodes split at the median of their widest coordinate, down to leaves of at most {@link LEAF_SIZE} points, each
 * node keeping its bounding box. Searches prune a node when the squared distance from the query to its box
 * exceeds the current bound; that box distance is summed over coordinates in the same order as the point
 * distances, with each term no larger than the matching point term, so in floating point too it never exceeds
 * the distance to any point inside and the pruning loses no neighbour, ties included.
 */
export class KdTree {
  /** Points in tree order: node t holds perm[start[t] .. end[t]). */
  readonly perm: Int32Array;
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  /** Bounding boxes: lo/hi of node t at [t·p .. t·p + p). */
  private lo: Float64Array;
  private hi: Float64Array;
  private nodes = 0;

  constructor(
    private readonly X: Float64Array,
    m: number,
    private readonly p: number,
  ) {
    this.perm = iota(m);
    const cap = Math.max(1, 2 * Math.ceil(m / (LEAF_SIZE / 2)));
    this.lo = new Float64Array(cap * p);
    this.hi = new Float64Array(cap * p);
    if (m > 0) this.build(0, m);
  }

  private build(a: number, b: number): number {
    const t = this.nodes++;
    const { X, p, perm } = this;
    if ((t + 1) * p > this.lo.length) {
      const lo = new Float64Array(this.lo.length * 2);
      lo.set(this.lo);
      const hi = new Float64Array(this.hi.length * 2);
      hi.set(this.hi);
      this.lo = lo;
      this.hi = hi;
    }
    const { lo, hi } = this;
    for (let l = 0; l < p; ++l) {
      lo[t * p + l] = Infinity;
      hi[t * p + l] = -Infinity;
    }
    for (let r = a; r < b; ++r) {
      const o = perm[r] * p;
      for (let l = 0; l < p; ++l) {
        const v = X[o + l];
        if (v < lo[t * p + l]) lo[t * p + l] = v;
        if (v > hi[t * p + l]) hi[t * p + l] = v;
      }
    }
    this.start[t] = a;
    this.end[t] = b;
    this.left[t] = -1;
    this.right[t] = -1;
    if (b - a <= LEAF_SIZE) return t;
    let dim = 0;
    let width = -1;
    for (let l = 0; l < p; ++l) {
      const w = hi[t * p + l] - lo[t * p + l];
      if (w > width) {
        width = w;
        dim = l;
      }
    }
    if (!(width > 0)) return t;
    const mid = (a + b) >> 1;
    selectNth(perm, a, b, mid, (i) => X[i * p + dim]);
    this.left[t] = this.build(a, mid);
    this.right[t] = this.build(mid, b);
    return t;
  }

  /**
   * Offers to `list` every point whose squared distance to query row q of X can be within the list's bound.
   * @param q query row (a row of X)
   * @param list the query's candidates, usually reset
   * @param stack scratch of at least 64 entries
   */
  search(q: number, list: LevelList, stack: Int32Array): void {
    const { X, p, lo, hi, perm } = this;
    const qo = q * p;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const t = stack[--top];
      if (boxDistance(X, qo, lo, hi, t * p, p, list.bound) > list.bound) continue;
      const L = this.left[t];
      if (L < 0) {
        for (let r = this.start[t], e = this.end[t]; r < e; ++r) {
          const j = perm[r];
          const d = boundedDistance(X, qo, j * p, p, list.bound);
          if (d <= list.bound) list.offer(d, j);
        }
        continue;
      }
      const R = this.right[t];
      // Visit the nearer child first (pushed last), so the bound tightens before the farther one is tested.
      const dl = boxDistance(X, qo, lo, hi, L * p, p, Infinity);
      const dr = boxDistance(X, qo, lo, hi, R * p, p, Infinity);
      if (dl <= dr) {
        stack[top++] = R;
        stack[top++] = L;
      } else {
        stack[top++] = L;
        stack[top++] = R;
      }
    }
  }
}

/** Largest number of points in a leaf. */
export const LEAF_SIZE = 16;

/**
 * Σ_l (xᵢ − xⱼ)² over the p coordinates in order, stopping once the partial sum exceeds `bound` (the returned
 * value is then some number above the bound): partial sums of non-negative terms only grow, in rounding too.
 */
export function boundedDistance(X: Float64Array, a: number, b: number, p: number, bound: number): number {
  let d = 0;
  for (let l = 0; l < p; ++l) {
    const t = X[a + l] - X[b + l];
    d += t * t;
    if (d > bound) return d;
  }
  return d;
}

/** Squared distance from the point at X[a ..] to the box [lo, hi] at offset o, in coordinate order, early exit as above. */
function boxDistance(X: Float64Array, a: number, lo: Float64Array, hi: Float64Array, o: number, p: number, bound: number): number {
  let d = 0;
  for (let l = 0; l < p; ++l) {
    const v = X[a + l];
    const L = lo[o + l];
    const H = hi[o + l];
    if (v < L) {
      const t = v - L;
      d += t * t;
    } else if (v > H) {
      const t = v - H;
      d += t * t;
    }
    if (d > bound) return d;
  }
  return d;
}

/** Partially sorts idx[a .. b) so that idx[n] holds the element of rank n − a by key (ties by index), Hoare select. */
function selectNth(idx: Int32Array, a: number, b: number, n: number, key: (i: number) => number): void {
  let lo = a;
  let hi = b - 1;
  const less = (i: number, j: number): boolean => {
    const ki = key(i);
    const kj = key(j);
    return ki < kj || (ki === kj && i < j);
  };
  while (hi > lo) {
    const pivot = idx[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (less(idx[i], pivot)) ++i;
      while (less(pivot, idx[j])) --j;
      if (i <= j) {
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        ++i;
        --j;
      }
    }
    if (n <= j) hi = j;
    else if (n >= i) lo = i;
    else return;
  }
}
