/**
 * The row-level SMOTE that openbeat shipped before the search over distinct rows (kept verbatim as a test oracle):
 * every pair of minority rows compared, each row's k + 1 nearest by (distance, row), the first dropped. The
 * pattern-level search must give exactly its output, ties and repeated rows included.
 */
import type { Matrix } from "../../src/ml/matrix.js";
import { RandomState } from "../../src/ml/numpy-random.js";
import { binaryClassCounts, checkXy, indicesOf, overSamplingCount, type SamplingStrategy } from "../../src/ml/resample.js";
import { isSparse, sparseTakeRows, sparseVstack, type SparseMatrix } from "../../src/ml/sparse.js";

/** Options for {@link smote}. */
interface SmoteOptions {
  /** Neighbours among the minority class to interpolate towards (default 5). */
  kNeighbors?: number;
  /** Seed of numpy's legacy `RandomState` (default 0); the same seed gives imbalanced-learn's draws. */
  seed?: number;
  /** `"auto"` (default: balance the classes) or the ratio minority/majority wanted after over-sampling. */
  samplingStrategy?: SamplingStrategy;
}

/** SMOTE output: the original rows first, then the synthetic minority rows. */
interface SmoteResult<M extends Matrix | SparseMatrix> {
  X: M;
  y: Float64Array;
}

/**
 * SMOTE over-sampling (Chawla et al. 2002) as imbalanced-learn's `SMOTE(k_neighbors, random_state=seed)`:
 * for each of the `n_new` synthetic rows draws `randint(0, n_min·k)` picking a minority row i and one of its k
 * nearest minority neighbours j (exact Euclidean distances, ties broken by row order), then `u ~ uniform()`,
 * and emits xᵢ + u·(xⱼ − xᵢ). With the same seed and continuous data without distance ties, the output
 * equals imbalanced-learn's; with ties (one-hot data) the chosen neighbour may differ among equally near ones.
 * @param X n×p matrix, dense or CSR (the output has the same kind)
 * @param y n labels in {0, 1}
 * @param options kNeighbors (5), seed (0), samplingStrategy ("auto")
 */
export function smoteRowLevel<M extends Matrix | SparseMatrix>(X: M, y: Float64Array, options: SmoteOptions = {}): SmoteResult<M> {
  const { kNeighbors: k = 5, seed = 0, samplingStrategy = "auto" } = options;
  checkXy(X, y);
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`invalid kNeighbors: ${k} (expected an integer ≥ 1)`);
  const { minority } = binaryClassCounts(y);
  const nNew = overSamplingCount(y, samplingStrategy);
  if (nNew === 0) return { X: copyOf(X), y: Float64Array.from(y) };
  const idx = indicesOf(y, minority);
  const m = idx.length;
  if (m < k + 1) {
    throw new Error(`invalid kNeighbors: ${k} needs at least ${k + 1} minority rows, got ${m}`);
  }
  const rs = new RandomState(seed);
  const draws = rs.randint(0, m * k, nNew);
  const steps = rs.uniform(nNew);
  const yOut = new Float64Array(y.length + nNew);
  yOut.set(y);
  yOut.fill(minority, y.length);
  if (isSparse(X)) {
    const Xc = sparseTakeRows(X, idx);
    const nn = sparseNeighbors(Xc, k);
    return { X: sparseVstack([X, sparseSynthetic(Xc, nn, k, draws, steps)]) as M, y: yOut };
  }
  const D: Matrix = X;
  const p = D.cols;
  const Xc = new Float64Array(m * p);
  for (let r = 0; r < m; ++r) Xc.set(D.data.subarray(idx[r] * p, idx[r] * p + p), r * p);
  const nn = denseNeighbors(Xc, m, p, k);
  const data = new Float64Array((D.rows + nNew) * p);
  data.set(D.data);
  for (let s = 0; s < nNew; ++s) {
    const row = Math.floor(draws[s] / k);
    const col = draws[s] - row * k;
    const a = row * p;
    const b = nn[row * k + col] * p;
    const o = (D.rows + s) * p;
    const u = steps[s];
    for (let j = 0; j < p; ++j) data[o + j] = Xc[a + j] + u * (Xc[b + j] - Xc[a + j]);
  }
  return { X: { rows: D.rows + nNew, cols: p, data } as M, y: yOut };
}

/**
 * The k nearest neighbours of each of the m rows of a dense m×p block among the same rows, nearest first, as an
 * m×k row-major Int32Array. As imbalanced-learn queries k + 1 neighbours and drops the first (normally the row
 * itself), candidates are ordered by (distance, row) and the first of the k + 1 is dropped.
 */
export function denseNeighbors(Xc: Float64Array, m: number, p: number, k: number): Int32Array {
  const best = new NeighborLists(m, k + 1);
  for (let i = 0; i < m; ++i) {
    best.offer(i, i, 0);
    const a = i * p;
    for (let j = i + 1; j < m; ++j) {
      const b = j * p;
      let d = 0;
      for (let l = 0; l < p; ++l) {
        const t = Xc[a + l] - Xc[b + l];
        d += t * t;
      }
      best.offer(i, j, d);
      best.offer(j, i, d);
    }
  }
  return best.dropFirst();
}

/** {@link denseNeighbors} for CSR rows, with exact squared distances by merging the sorted column lists. */
export function sparseNeighbors(S: SparseMatrix, k: number): Int32Array {
  const m = S.rows;
  const { indptr, indices, values } = S;
  const best = new NeighborLists(m, k + 1);
  for (let i = 0; i < m; ++i) {
    best.offer(i, i, 0);
    const ai = indptr[i];
    const ae = indptr[i + 1];
    for (let j = i + 1; j < m; ++j) {
      let a = ai;
      let b = indptr[j];
      const be = indptr[j + 1];
      let d = 0;
      while (a < ae && b < be) {
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
      for (; a < ae; ++a) d += values[a] * values[a];
      for (; b < be; ++b) d += values[b] * values[b];
      best.offer(i, j, d);
      best.offer(j, i, d);
    }
  }
  return best.dropFirst();
}

/** Synthetic CSR rows xᵢ + u·(xⱼ − xᵢ) over the union of columns, dropping exact zeros as scipy does. */
function sparseSynthetic(Xc: SparseMatrix, nn: Int32Array, k: number, draws: Float64Array, steps: Float64Array): SparseMatrix {
  const { indptr, indices, values } = Xc;
  const nNew = draws.length;
  const outPtr = new Int32Array(nNew + 1);
  let cap = 0;
  for (let s = 0; s < nNew; ++s) {
    const row = Math.floor(draws[s] / k);
    const nb = nn[row * k + (draws[s] - row * k)];
    cap += indptr[row + 1] - indptr[row] + indptr[nb + 1] - indptr[nb];
  }
  const outIdx = new Int32Array(cap);
  const outVal = new Float64Array(cap);
  let o = 0;
  for (let s = 0; s < nNew; ++s) {
    const row = Math.floor(draws[s] / k);
    const nb = nn[row * k + (draws[s] - row * k)];
    const u = steps[s];
    let a = indptr[row];
    const ae = indptr[row + 1];
    let b = indptr[nb];
    const be = indptr[nb + 1];
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
  return { rows: nNew, cols: Xc.cols, indptr: outPtr, indices: outIdx.slice(0, o), values: outVal.slice(0, o) };
}

/** For each of m rows, the `size` smallest (distance, row) pairs seen so far, kept sorted by insertion. */
class NeighborLists {
  private readonly dist: Float64Array;
  private readonly idx: Int32Array;
  private readonly len: Int32Array;

  constructor(
    private readonly m: number,
    private readonly size: number,
  ) {
    this.dist = new Float64Array(m * size).fill(Infinity);
    this.idx = new Int32Array(m * size).fill(-1);
    this.len = new Int32Array(m);
  }

  offer(i: number, j: number, d: number): void {
    const size = this.size;
    const base = i * size;
    const dist = this.dist;
    const idx = this.idx;
    let n = this.len[i];
    if (n === size) {
      const wd = dist[base + size - 1];
      if (d > wd || (d === wd && j > idx[base + size - 1])) return;
      --n;
    } else {
      this.len[i] = n + 1;
    }
    let pos = base + n;
    while (pos > base && (dist[pos - 1] > d || (dist[pos - 1] === d && idx[pos - 1] > j))) {
      dist[pos] = dist[pos - 1];
      idx[pos] = idx[pos - 1];
      --pos;
    }
    dist[pos] = d;
    idx[pos] = j;
  }

  dropFirst(): Int32Array {
    const k = this.size - 1;
    const out = new Int32Array(this.m * k);
    for (let i = 0; i < this.m; ++i) out.set(this.idx.subarray(i * this.size + 1, (i + 1) * this.size), i * k);
    return out;
  }
}

function copyOf<M extends Matrix | SparseMatrix>(X: M): M {
  if (isSparse(X)) {
    return { rows: X.rows, cols: X.cols, indptr: X.indptr.slice(), indices: X.indices.slice(), values: X.values.slice() } as M;
  }
  const D: Matrix = X;
  return { rows: D.rows, cols: D.cols, data: D.data.slice() } as M;
}
