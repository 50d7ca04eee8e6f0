import { distinctRows, type DistinctRows } from "./distinct-rows.js";
import { KdTree } from "./kd-tree.js";
import type { Matrix } from "./matrix.js";
import { allPairsNeighbors } from "./neighbor-kernels.js";
import { RandomState } from "./numpy-random.js";
import { emitNeighbors, LevelList } from "./pattern-neighbors.js";
import { binaryClassCounts, checkXy, indicesOf, overSamplingCount, type SamplingStrategy } from "./resample.js";
import { isSparse, sparseVstack, type SparseMatrix } from "./sparse.js";

/** Options for {@link smote}. */
export interface SmoteOptions {
  /** Neighbours among the minority class to interpolate towards (default 5). */
  kNeighbors?: number;
  /** Seed of numpy's legacy `RandomState` (default 0); the same seed gives imbalanced-learn's draws. */
  seed?: number;
  /** `"auto"` (default: balance the classes) or the ratio minority/majority wanted after over-sampling. */
  samplingStrategy?: SamplingStrategy;
}

/** What a SMOTE run costs, known before it runs (see {@link smoteCost}). */
export interface SmoteCost {
  minorityRows: number;
  /** Distinct minority rows: the neighbour search runs over these. */
  distinctMinorityRows: number;
  /** Synthetic rows SMOTE adds. */
  syntheticRows: number;
  /** How the neighbours are found: a k-d tree (dense data with many distinct rows) or all pairs of distinct rows. */
  search: "kd-tree" | "pairs";
  /** Distance evaluations of an all-pairs search over the distinct rows, m'(m' − 1)/2 (an upper bound for the tree). */
  pairs: number;
  /** Bytes of the resampled matrix SMOTE returns (8 per dense value; 12 per stored CSR value plus 4 per row). */
  outputBytes: number;
  /** True when SMOTE is asked for on more than {@link SMOTE_WARN_MINORITY_ROWS} minority rows. */
  warn: boolean;
}

/** SMOTE output: the original rows first, then the synthetic minority rows, and what the run cost. */
export interface SmoteResult<M extends Matrix | SparseMatrix> {
  X: M;
  y: Float64Array;
  cost: SmoteCost;
}

/** Minority rows above which {@link smoteCost} sets `warn`: SMOTE's output then holds millions of synthetic rows. */
export const SMOTE_WARN_MINORITY_ROWS = 1_000_000;

/**
 * Dense data with more distinct minority rows than this, in at most {@link TREE_MAX_DIM} coordinates, use the k-d
 * tree; otherwise all pairs (as scikit-learn, whose neighbour search leaves trees for brute force above 15
 * coordinates: in many dimensions a tree prunes too little to pay for itself).
 */
const TREE_MIN_ROWS = 256;
const TREE_MAX_DIM = 12;

/**
 * SMOTE over-sampling (Chawla et al. 2002) as imbalanced-learn's `SMOTE(k_neighbors, random_state=seed)`:
 * for each of the `n_new` synthetic rows draws `randint(0, n_min·k)` picking a minority row i and one of its k
 * nearest minority neighbours j, then `u ~ uniform()`, and emits xᵢ + u·(xⱼ − xᵢ). Neighbours are exact
 * Euclidean ones, equal distances broken by row order; with the same seed and continuous data without distance
 * ties, the output equals imbalanced-learn's, and with ties (one-hot data) the neighbour chosen among equally near
 * rows may differ from theirs.
 *
 * The search runs over distinct minority rows with their counts (see `pattern-neighbors.ts`), with a k-d tree for
 * dense data: the same neighbours as comparing all pairs of rows, so one-hot designs with a few hundred distinct
 * rows cost next to nothing however many rows repeat them.
 * @param X n×p matrix, dense or CSR (the output has the same kind)
 * @param y n labels in {0, 1}
 * @param options kNeighbors (5), seed (0), samplingStrategy ("auto")
 */
export function smote<M extends Matrix | SparseMatrix>(X: M, y: Float64Array, options: SmoteOptions = {}): SmoteResult<M> {
  const { kNeighbors: k = 5, seed = 0, samplingStrategy = "auto" } = options;
  checkXy(X, y);
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`invalid kNeighbors: ${k} (expected an integer ≥ 1)`);
  const { minority } = binaryClassCounts(y);
  const nNew = overSamplingCount(y, samplingStrategy);
  const idx = indicesOf(y, minority);
  const m = idx.length;
  if (nNew === 0) {
    const groups = distinctRows(X, idx);
    return { X: copyOf(X), y: Float64Array.from(y), cost: costOf(X, m, groups.first.length, 0) };
  }
  if (m < k + 1) {
    throw new Error(`invalid kNeighbors: ${k} needs at least ${k + 1} minority rows, got ${m}`);
  }
  const groups = distinctRows(X, idx);
  const cost = costOf(X, m, groups.first.length, nNew);
  const rs = new RandomState(seed);
  const draws = rs.randint(0, m * k, nNew);
  const steps = rs.uniform(nNew);
  const yOut = new Float64Array(y.length + nNew);
  yOut.set(y);
  yOut.fill(minority, y.length);
  if (isSparse(X)) {
    const nn = sparsePatternNeighbors(X, idx, groups, k);
    return { X: sparseVstack([X, sparseSynthetic(X, idx, groups, nn, k, draws, steps)]) as M, y: yOut, cost };
  }
  const D: Matrix = X;
  const p = D.cols;
  const P = patternMatrix(D, idx, groups);
  const nn = densePatternNeighbors(P, groups, p, k);
  const data = new Float64Array((D.rows + nNew) * p);
  data.set(D.data);
  const { pattern } = groups;
  for (let s = 0; s < nNew; ++s) {
    const row = Math.floor(draws[s] / k);
    const col = draws[s] - row * k;
    const q = pattern[row];
    const a = q * p;
    const b = nn[q * k + col] * p;
    const o = (D.rows + s) * p;
    const u = steps[s];
    for (let j = 0; j < p; ++j) data[o + j] = P[a + j] + u * (P[b + j] - P[a + j]);
  }
  return { X: { rows: D.rows + nNew, cols: p, data } as M, y: yOut, cost };
}

/**
 * What {@link smote} would do with these options, without running it: minority and distinct minority rows, the
 * synthetic rows and the bytes of the output, and `warn` above {@link SMOTE_WARN_MINORITY_ROWS} minority rows.
 * Costs one pass over the minority rows.
 * @param X n×p matrix, dense or CSR
 * @param y n labels in {0, 1}
 * @param options samplingStrategy ("auto"); kNeighbors and seed do not change the cost
 */
export function smoteCost(X: Matrix | SparseMatrix, y: Float64Array, options: SmoteOptions = {}): SmoteCost {
  checkXy(X, y);
  const { minority } = binaryClassCounts(y);
  const idx = indicesOf(y, minority);
  return costOf(X, idx.length, distinctRows(X, idx).first.length, overSamplingCount(y, options.samplingStrategy ?? "auto"));
}

function costOf(X: Matrix | SparseMatrix, m: number, distinct: number, nNew: number): SmoteCost {
  const sparse = isSparse(X);
  const n = X.rows;
  // A synthetic CSR row has at most the union of two rows' entries: about twice a row's average.
  const outputBytes = sparse ? 12 * (X.indptr[n] + (n ? (2 * X.indptr[n] * nNew) / n : 0)) + 4 * (n + nNew + 1) : 8 * (n + nNew) * X.cols;
  return {
    minorityRows: m,
    distinctMinorityRows: distinct,
    syntheticRows: nNew,
    search: !sparse && distinct > TREE_MIN_ROWS && X.cols <= TREE_MAX_DIM ? "kd-tree" : "pairs",
    pairs: (distinct * (distinct - 1)) / 2,
    outputBytes: Math.round(outputBytes),
    warn: m > SMOTE_WARN_MINORITY_ROWS,
  };
}

/** The distinct minority rows of dense X as a row-major m'×p block, in pattern order. */
function patternMatrix(X: Matrix, idx: Int32Array, groups: DistinctRows): Float64Array {
  const p = X.cols;
  const { first } = groups;
  const P = new Float64Array(first.length * p);
  for (let q = 0; q < first.length; ++q) {
    const o = idx[first[q]] * p;
    P.set(X.data.subarray(o, o + p), q * p);
  }
  return P;
}

/** The k neighbour patterns of each pattern (m'×k), dense data: a k-d tree in few dimensions, else all pairs. */
function densePatternNeighbors(P: Float64Array, groups: DistinctRows, p: number, k: number): Int32Array {
  const mp = groups.first.length;
  const out = new Int32Array(mp * k);
  if (mp > TREE_MIN_ROWS && p <= TREE_MAX_DIM) {
    const list = new LevelList(groups.count, k + 1);
    const tree = new KdTree(P, mp, p);
    const stack = new Int32Array(128);
    for (let q = 0; q < mp; ++q) {
      list.reset();
      tree.search(q, list, stack);
      emitNeighbors(list, groups, k, q, out);
    }
    return out;
  }
  const lists = allPairsNeighbors(P, mp, p, groups.count, k + 1);
  for (let q = 0; q < mp; ++q) emitNeighbors(lists[q], groups, k, q, out);
  return out;
}

/** The k neighbour patterns of each pattern (m'×k), CSR data: all pairs of patterns, exact merged distances. */
function sparsePatternNeighbors(S: SparseMatrix, idx: Int32Array, groups: DistinctRows, k: number): Int32Array {
  const { indptr, indices, values } = S;
  const { first } = groups;
  const mp = first.length;
  const out = new Int32Array(mp * k);
  const list = new LevelList(groups.count, k + 1);
  for (let q = 0; q < mp; ++q) {
    list.reset();
    const i = idx[first[q]];
    const ai = indptr[i];
    const ae = indptr[i + 1];
    for (let r = 0; r < mp; ++r) {
      const j = idx[first[r]];
      let a = ai;
      let b = indptr[j];
      const be = indptr[j + 1];
      const bound = list.bound;
      let d = 0;
      // The entries' squared differences in column order, as a merge of the two sorted column lists.
      while (a < ae && b < be && d <= bound) {
        const ca = indices[a];
        const cb = indices[b];
        if (ca === cb) {
          const t = values[a++] - values[b++];
          d += t * t;
        } else if (ca < cb) {
          d += values[a] * values[a];
          ++a;
        } else {
          d += values[b] * values[b];
          ++b;
        }
      }
      for (; a < ae && d <= bound; ++a) d += values[a] * values[a];
      for (; b < be && d <= bound; ++b) d += values[b] * values[b];
      if (d <= bound) list.offer(d, r);
    }
    emitNeighbors(list, groups, k, q, out);
  }
  return out;
}

/** Synthetic CSR rows xᵢ + u·(xⱼ − xᵢ) over the union of columns, dropping exact zeros as scipy does. */
function sparseSynthetic(
  X: SparseMatrix,
  idx: Int32Array,
  groups: DistinctRows,
  nn: Int32Array,
  k: number,
  draws: Float64Array,
  steps: Float64Array,
): SparseMatrix {
  const { indptr, indices, values } = X;
  const { pattern, first } = groups;
  const nNew = draws.length;
  const outPtr = new Int32Array(nNew + 1);
  const rowOf = new Int32Array(nNew);
  const nbOf = new Int32Array(nNew);
  let cap = 0;
  for (let s = 0; s < nNew; ++s) {
    const row = Math.floor(draws[s] / k);
    const q = pattern[row];
    const i = idx[row];
    const j = idx[first[nn[q * k + (draws[s] - row * k)]]];
    rowOf[s] = i;
    nbOf[s] = j;
    cap += indptr[i + 1] - indptr[i] + indptr[j + 1] - indptr[j];
  }
  const outIdx = new Int32Array(cap);
  const outVal = new Float64Array(cap);
  let o = 0;
  for (let s = 0; s < nNew; ++s) {
    const i = rowOf[s];
    const j = nbOf[s];
    const u = steps[s];
    let a = indptr[i];
    const ae = indptr[i + 1];
    let b = indptr[j];
    const be = indptr[j + 1];
    while (a < ae || b < be) {
      const ca = a < ae ? indices[a] : Infinity;
      const cb = b < be ? indices[b] : Infinity;
      let c: number;
      let xa = 0;
      let xb = 0;
      if (ca === cb) {
        c = ca;
        xa = values[a++];
        xb = values[b++];
      } else if (ca < cb) {
        c = ca;
        xa = values[a++];
      } else {
        c = cb;
        xb = values[b++];
      }
      const v = xa + u * (xb - xa);
      if (v !== 0) {
        outIdx[o] = c;
        outVal[o++] = v;
      }
    }
    outPtr[s + 1] = o;
  }
  return { rows: nNew, cols: X.cols, indptr: outPtr, indices: outIdx.slice(0, o), values: outVal.slice(0, o) };
}

function copyOf<M extends Matrix | SparseMatrix>(X: M): M {
  if (isSparse(X)) {
    return { rows: X.rows, cols: X.cols, indptr: X.indptr.slice(), indices: X.indices.slice(), values: X.values.slice() } as M;
  }
  const D: Matrix = X;
  return { rows: D.rows, cols: D.cols, data: D.data.slice() } as M;
}
