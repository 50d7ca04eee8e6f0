import { compressRows, type CompressedRows } from "./compress-rows.js";
import { compressSelected, selectPatterns, type RowPatterns } from "./row-patterns.js";
import { take, type Matrix } from "./matrix.js";
import { distinctRows, type DistinctRows } from "./distinct-rows.js";
import { KdTree } from "./kd-tree.js";
import { allPairsNeighbors } from "./neighbor-kernels.js";
import { RandomState } from "./numpy-random.js";
import { emitNeighbors, LevelList } from "./pattern-neighbors.js";
import { binaryClassCounts, checkXy, indicesOf, overSamplingCount, type SamplingStrategy } from "./resample.js";
import { isSparse, sparseVstack, type SparseMatrix } from "./sparse.js";
import { isIota, mapInt32 } from "../util/typed-arrays.js";

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
 * {@link smote} on a CSR matrix with its output merged into weighted distinct (row, label) pairs: bit for bit
 * `compressRows(r.X, r.y)` of `r = smote(X, y, options)` (the same draws, rows, labels, weights and group order),
 * without building the resampled matrix. A synthetic row drawn towards a neighbour with the same entries as its
 * own row (on one-hot data, most are: a repeated pattern's nearest rows are its own copies) is that row, entry for
 * entry, so it only adds 1 to its row's weight; the others are made as `smote` makes them and merged by a hash of
 * their entries. Entries that are 0 or not finite make a pattern's synthetic rows go the long way.
 * @param X n×p CSR matrix
 * @param y n labels in {0, 1}
 * @param options kNeighbors (5), seed (0), samplingStrategy ("auto")
 */
export function smoteCompressed(X: SparseMatrix, y: Float64Array, options: SmoteOptions = {}): CompressedRows {
  return smoteMerged(X, y, null, options);
}

/**
 * {@link smoteCompressed} of the selected rows, from the patterns of X: bit for bit
 * `smoteCompressed(sparseTakeRows(X, select), take(y, select), options)`, with the rows grouped by their patterns
 * instead of by a hash of each row.
 * @param X n×p CSR matrix
 * @param patterns {@link rowPatterns} of X
 * @param y n labels in {0, 1}, indexed like X's rows
 * @param select rows of X, in order (the training rows)
 * @param options kNeighbors (5), seed (0), samplingStrategy ("auto")
 */
export function smoteCompressedSelected(
  X: SparseMatrix,
  patterns: RowPatterns,
  y: Float64Array,
  select: Int32Array,
  options: SmoteOptions = {},
): CompressedRows {
  return smoteMerged(X, y, { patterns, select }, options);
}

function smoteMerged(
  X: SparseMatrix,
  y: Float64Array,
  by: { patterns: RowPatterns; select: Int32Array } | null,
  options: SmoteOptions,
): CompressedRows {
  const { kNeighbors: k = 5, seed = 0, samplingStrategy = "auto" } = options;
  checkXy(X, y);
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`invalid kNeighbors: ${k} (expected an integer ≥ 1)`);
  // Labels and positions of the rows taken part (all of X without a selection); idx holds their rows of X.
  const ySel = by && !isIota(by.select, y.length) ? take(y, by.select) : y;
  const rowAt = (t: number): number => (by ? by.select[t] : t);
  const { minority } = binaryClassCounts(ySel);
  const nNew = overSamplingCount(ySel, samplingStrategy);
  if (nNew === 0) return by ? compressSelected(X, by.patterns, y, by.select) : compressRows(X, y);
  const positions = indicesOf(ySel, minority);
  const idx = by ? mapInt32(positions, rowAt) : positions;
  const m = idx.length;
  if (m < k + 1) {
    throw new Error(`invalid kNeighbors: ${k} needs at least ${k + 1} minority rows, got ${m}`);
  }
  const groups = by ? selectPatterns(by.patterns, idx) : distinctRows(X, idx);
  const rs = new RandomState(seed);
  const draws = rs.randint(0, m * k, nNew);
  const steps = rs.uniform(nNew);
  const nn = sparsePatternNeighbors(X, idx, groups, k);
  const { indptr, indices, values } = X;
  const { pattern, first } = groups;
  // Patterns whose entries are all finite and non-zero: a synthetic row towards the same pattern reproduces them.
  const plain = Uint8Array.from(first, (f) => {
    const i = idx[f];
    for (let a = indptr[i]; a < indptr[i + 1]; ++a) if (!Number.isFinite(values[a]) || values[a] === 0) return 0;
    return 1;
  });
  const table = new RowTable(X.cols);
  const n = ySel.length;
  const groupOf = new Int32Array(n);
  if (by) {
    // Rows of one number class and label are one pair: the table sees only the first, the others add to its count.
    const { pattern: rowPattern, numeric } = by.patterns;
    const pair = new Int32Array(2 * by.patterns.classes).fill(-1);
    for (let t = 0; t < n; ++t) {
      const i = by.select[t];
      const key = 2 * numeric[rowPattern[i]] + ySel[t];
      if (pair[key] >= 0) table.count[(groupOf[t] = pair[key])] += 1;
      else groupOf[t] = pair[key] = table.add(indices, values, indptr[i], indptr[i + 1], ySel[t]);
    }
  } else {
    for (let i = 0; i < n; ++i) groupOf[i] = table.add(indices, values, indptr[i], indptr[i + 1], y[i]);
  }
  let rowIdx = new Int32Array(2 * X.cols + 16);
  let rowVal = new Float64Array(2 * X.cols + 16);
  for (let s = 0; s < nNew; ++s) {
    const row = Math.floor(draws[s] / k);
    const q = pattern[row];
    const nb = nn[q * k + (draws[s] - row * k)];
    const i = idx[row];
    if (nb === q && plain[q]) {
      table.count[groupOf[positions[row]]] += 1;
      continue;
    }
    const j = idx[first[nb]];
    const a = indptr[i];
    const b = indptr[j];
    const len = indptr[i + 1] - a + indptr[j + 1] - b;
    if (rowIdx.length < len) {
      rowIdx = new Int32Array(2 * len);
      rowVal = new Float64Array(2 * len);
    }
    const o = syntheticEntries(X, i, j, steps[s], rowIdx, rowVal, 0);
    table.add(rowIdx, rowVal, 0, o, minority);
  }
  return table.compressed();
}

class RowTable {
  private slots = new Int32Array(1024).fill(-1);
  private ptr = new Int32Array(257);
  private idx = new Int32Array(1024);
  private val = new Float64Array(1024);
  private labels = new Float64Array(256);
  /** Times each pair was added. */
  count = new Float64Array(256);
  private size = 0;
  private readonly bits = new Float64Array(1);
  private readonly words = new Uint32Array(this.bits.buffer);

  constructor(private readonly cols: number) {}

  /** Adds the row of entries `index[from..to)`, `value[from..to)` with its label; returns its pair's number. */
  add(index: Int32Array, value: Float64Array, from: number, to: number, label: number): number {
    const mask = this.slots.length - 1;
    let slot = this.hash(index, value, from, to, label) & mask;
    for (let g = this.slots[slot]; g >= 0; g = this.slots[slot]) {
      if (this.same(g, index, value, from, to, label)) {
        this.count[g] += 1;
        return g;
      }
      slot = (slot + 1) & mask;
    }
    const g = this.size;
    this.reserve(g, to - from);
    const start = this.ptr[g];
    this.idx.set(index.subarray(from, to), start);
    this.val.set(value.subarray(from, to), start);
    this.ptr[g + 1] = start + (to - from);
    this.labels[g] = label;
    this.count[g] = 1;
    this.slots[slot] = g;
    this.size = g + 1;
    if (2 * this.size > this.slots.length) this.rehash();
    return g;
  }

  /** The pairs as compressRows gives them: their rows, labels and counts as weights. */
  compressed(): CompressedRows {
    const m = this.size;
    const nnz = this.ptr[m];
    return {
      X: { rows: m, cols: this.cols, indptr: this.ptr.slice(0, m + 1), indices: this.idx.slice(0, nnz), values: this.val.slice(0, nnz) },
      y: this.labels.slice(0, m),
      w: this.count.slice(0, m),
    };
  }

  /** FNV-1a over the label, the columns and the values' bits (−0 as 0, every NaN as one NaN) and the length. */
  private hash(index: Int32Array, value: Float64Array, from: number, to: number, label: number): number {
    let h = this.mixValue(0x811c9dc5, label);
    for (let a = from; a < to; ++a) h = this.mixValue(Math.imul(h ^ index[a], 0x01000193), value[a]);
    h = Math.imul(h ^ (to - from), 0x01000193);
    return h ^ (h >>> 16);
  }

  private mixValue(h: number, v: number): number {
    let lo = 0;
    let hi = 0;
    if (v !== v) hi = 0x7ff80000;
    else if (v !== 0) {
      this.bits[0] = v;
      lo = this.words[0];
      hi = this.words[1];
    }
    return Math.imul(Math.imul(h ^ lo, 0x01000193) ^ hi, 0x01000193);
  }

  private same(g: number, index: Int32Array, value: Float64Array, from: number, to: number, label: number): boolean {
    const a = this.ptr[g];
    if (this.ptr[g + 1] - a !== to - from) return false;
    const l = this.labels[g];
    if (l !== label && !(l !== l && label !== label)) return false;
    for (let k = 0; k < to - from; ++k) {
      if (this.idx[a + k] !== index[from + k]) return false;
      const x = this.val[a + k];
      const v = value[from + k];
      if (x !== v && !(x !== x && v !== v)) return false;
    }
    return true;
  }

  /** Room for pair g and its entries. */
  private reserve(g: number, entries: number): void {
    if (g + 2 > this.ptr.length) {
      this.ptr = grow(this.ptr, 2 * this.ptr.length);
      this.labels = grow(this.labels, this.ptr.length);
      this.count = grow(this.count, this.ptr.length);
    }
    const need = this.ptr[g] + entries;
    if (need > this.idx.length) {
      const cap = Math.max(need, 2 * this.idx.length);
      this.idx = grow(this.idx, cap);
      this.val = grow(this.val, cap);
    }
  }

  private rehash(): void {
    const slots = new Int32Array(2 * this.slots.length).fill(-1);
    const mask = slots.length - 1;
    for (let g = 0; g < this.size; ++g) {
      let slot = this.hash(this.idx, this.val, this.ptr[g], this.ptr[g + 1], this.labels[g]) & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = g;
    }
    this.slots = slots;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
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
  const { indptr } = X;
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
    o = syntheticEntries(X, rowOf[s], nbOf[s], steps[s], outIdx, outVal, o);
    outPtr[s + 1] = o;
  }
  return { rows: nNew, cols: X.cols, indptr: outPtr, indices: outIdx.slice(0, o), values: outVal.slice(0, o) };
}

/**
 * Writes the entries of xᵢ + u·(xⱼ − xᵢ) (rows i and j of X) over the union of their columns from `o` on, dropping
 * exact zeros as scipy does; returns the end.
 */
function syntheticEntries(X: SparseMatrix, i: number, j: number, u: number, outIdx: Int32Array, outVal: Float64Array, o: number): number {
  const { indptr, indices, values } = X;
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
  return o;
}

function copyOf<M extends Matrix | SparseMatrix>(X: M): M {
  if (isSparse(X)) {
    return { rows: X.rows, cols: X.cols, indptr: X.indptr.slice(), indices: X.indices.slice(), values: X.values.slice() } as M;
  }
  const D: Matrix = X;
  return { rows: D.rows, cols: D.cols, data: D.data.slice() } as M;
}
