import { checkMatrix, takeRows, type Matrix } from "./matrix.js";
import { RandomState } from "./numpy-random.js";
import { checkSparse, isSparse, sparseTakeRows, type SparseMatrix } from "./sparse.js";
import { indicesWhere } from "../util/typed-arrays.js";

/** How many rows to reach: `"auto"` balances the classes; a number is the minority/majority ratio wanted. */
export type SamplingStrategy = "auto" | number;

/** Options shared by the resamplers. */
export interface ResampleOptions {
  /** Seed of numpy's legacy `RandomState` (default 0), so results equal imbalanced-learn's for the same seed. */
  seed?: number;
  /** `"auto"` (default) or the ratio minority/majority after resampling. */
  samplingStrategy?: SamplingStrategy;
}

/** A resampled data set; `sampleIndices` are the rows of the input that were kept or repeated, in order. */
export interface ResampleResult<M extends Matrix | SparseMatrix> {
  X: M;
  y: Float64Array;
  sampleIndices: Int32Array;
}

/** Class sizes of binary labels, with which class is the majority (imbalanced-learn's choice on ties). */
export interface BinaryClassCounts {
  counts: [number, number];
  majority: 0 | 1;
  minority: 0 | 1;
}

/**
 * Counts labels 0 and 1 and names the majority class. On a tie the label seen first in y is the majority,
 * as imbalanced-learn's `max(Counter(y), key=...)`.
 * @param y labels in {0, 1}
 */
export function binaryClassCounts(y: Float64Array): BinaryClassCounts {
  let n1 = 0;
  for (let i = 0; i < y.length; ++i) {
    if (y[i] === 1) ++n1;
    else if (y[i] !== 0) throw new Error(`invalid y[${i}]: ${y[i]} (expected 0 or 1)`);
  }
  const n0 = y.length - n1;
  const majority: 0 | 1 = n1 > n0 || (n1 === n0 && y.length > 0 && y[0] === 1) ? 1 : 0;
  return { counts: [n0, n1], majority, minority: majority === 1 ? 0 : 1 };
}

/**
 * Number of minority rows to add so that minority/majority reaches the strategy (imbalanced-learn's
 * over-sampling targets: `n_maj − n_min` for "auto", `int(n_maj·ratio − n_min)` for a ratio, which must be > 0).
 */
export function overSamplingCount(y: Float64Array, samplingStrategy: SamplingStrategy = "auto"): number {
  const { counts, majority, minority } = binaryClassCounts(y);
  if (samplingStrategy === "auto") return counts[majority] - counts[minority];
  if (!(samplingStrategy > 0 && samplingStrategy <= 1)) {
    throw new Error(`invalid samplingStrategy: ${samplingStrategy} (expected "auto" or a ratio in (0, 1])`);
  }
  const add = Math.trunc(counts[majority] * samplingStrategy - counts[minority]);
  if (add <= 0) {
    throw new Error(
      `invalid samplingStrategy: ${samplingStrategy} would remove minority rows (minority ${counts[minority]}, majority ${counts[majority]})`,
    );
  }
  return add;
}

/**
 * Random over-sampling: appends minority rows drawn with replacement, exactly as imbalanced-learn's
 * `RandomOverSampler(random_state=seed)` (originals first, then the drawn rows).
 * @param X n×p matrix, dense or CSR
 * @param y n labels in {0, 1}
 * @param options seed (0), samplingStrategy ("auto")
 */
export function randomOverSample<M extends Matrix | SparseMatrix>(X: M, y: Float64Array, options: ResampleOptions = {}): ResampleResult<M> {
  checkXy(X, y);
  const sampleIndices = overSampleIndices(y, options);
  return { X: takeAny(X, sampleIndices), y: takeLabels(y, sampleIndices), sampleIndices };
}

/**
 * {@link randomOverSample} as weights instead of copies: wᵢ = 1 + the number of times row i is drawn (the same
 * draws). A weighted loss over the original rows equals the loss over the resampled copies term for term, so a
 * model fitted with these weights has the same optimum, without an n_new×p copy; merged with `compressRows`,
 * the weighted rows give exactly the distinct rows and counts the copies give.
 * @param y n labels in {0, 1}
 * @param options seed (0), samplingStrategy ("auto")
 */
export function randomOverSampleWeights(y: Float64Array, options: ResampleOptions = {}): Float64Array {
  const sampleIndices = overSampleIndices(y, options);
  const w = new Float64Array(y.length);
  for (const i of sampleIndices) w[i] += 1;
  return w;
}

/** The originals then imbalanced-learn's drawn minority rows. */
function overSampleIndices(y: Float64Array, options: ResampleOptions): Int32Array {
  const { seed = 0, samplingStrategy = "auto" } = options;
  const { minority } = binaryClassCounts(y);
  const add = overSamplingCount(y, samplingStrategy);
  const sampleIndices = new Int32Array(y.length + add);
  for (let i = 0; i < y.length; ++i) sampleIndices[i] = i;
  if (add > 0) sampleIndices.set(new RandomState(seed).choice(indicesOf(y, minority), add, true), y.length);
  return sampleIndices;
}

/**
 * Random under-sampling without replacement, exactly as imbalanced-learn's `RandomUnderSampler(random_state=seed)`:
 * rows are returned grouped by class (label 0 first), the majority reduced to n_min ("auto") or
 * `int(n_min / ratio)` rows.
 * @param X n×p matrix, dense or CSR
 * @param y n labels in {0, 1}
 * @param options seed (0), samplingStrategy ("auto")
 */
export function randomUnderSample<M extends Matrix | SparseMatrix>(
  X: M,
  y: Float64Array,
  options: ResampleOptions = {},
): ResampleResult<M> {
  checkXy(X, y);
  const sampleIndices = underSampleIndices(y, options);
  return { X: takeAny(X, sampleIndices), y: takeLabels(y, sampleIndices), sampleIndices };
}

/**
 * {@link randomUnderSample} as weights: 1 for the rows it keeps, 0 for the others (the same draws), so a weighted
 * fit over the original rows has the same optimum without a copy. The loss sums in row order rather than in the
 * resampled order, so the fitted numbers can differ from a fit on the copies in the last digits.
 * @param y n labels in {0, 1}
 * @param options seed (0), samplingStrategy ("auto")
 */
export function randomUnderSampleWeights(y: Float64Array, options: ResampleOptions = {}): Float64Array {
  const w = new Float64Array(y.length);
  for (const i of underSampleIndices(y, options)) w[i] = 1;
  return w;
}

/**
 * The rows {@link randomUnderSample} keeps, in its order (grouped by class, label 0 first; the majority in the order
 * drawn): the resampled matrix is X's rows taken in this order, so a fit that reads X through these indices (e.g.
 * `compressRows(X, y, undefined, rows)`) sees the same rows in the same order without the copy.
 * @param y n labels in {0, 1}
 * @param options seed (0), samplingStrategy ("auto")
 */
export function randomUnderSampleRows(y: Float64Array, options: ResampleOptions = {}): Int32Array {
  return underSampleIndices(y, options);
}

/** The rows imbalanced-learn's RandomUnderSampler keeps, grouped by class (label 0 first). */
function underSampleIndices(y: Float64Array, options: ResampleOptions): Int32Array {
  const { seed = 0, samplingStrategy = "auto" } = options;
  const { counts } = binaryClassCounts(y);
  // imbalanced-learn's under-sampling takes min(Counter(y)): on a tie the label seen first is the minority.
  const minority: 0 | 1 = counts[0] < counts[1] || (counts[0] === counts[1] && y[0] === 0) ? 0 : 1;
  const majority: 0 | 1 = minority === 0 ? 1 : 0;
  let keep = counts[minority];
  if (samplingStrategy !== "auto") {
    if (!(samplingStrategy > 0 && samplingStrategy <= 1)) {
      throw new Error(`invalid samplingStrategy: ${samplingStrategy} (expected "auto" or a ratio in (0, 1])`);
    }
    keep = Math.trunc(counts[minority] / samplingStrategy);
    if (keep > counts[majority]) {
      throw new Error(`invalid samplingStrategy: ${samplingStrategy} would need more majority rows than the ${counts[majority]} present`);
    }
  }
  const rs = new RandomState(seed);
  const parts: Int32Array[] = [];
  for (const label of [0, 1] as const) {
    if (counts[label] === 0) continue;
    const idx = indicesOf(y, label);
    if (label === majority) {
      const pick = rs.choice(
        new Int32Array(counts[label]).map((_, i) => i),
        keep,
        false,
      );
      parts.push(pick.map((r) => idx[r]));
    } else {
      parts.push(idx);
    }
  }
  const sampleIndices = new Int32Array(parts.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of parts) {
    sampleIndices.set(a, o);
    o += a.length;
  }
  return sampleIndices;
}

/**
 * Per-sample weights like scikit-learn's `class_weight="balanced"`: n / (2·n_c) for a row of class c, so each
 * class carries the same total weight. A class absent from y gets no rows and so no weight.
 * @param y labels in {0, 1}
 */
export function balancedSampleWeights(y: Float64Array): Float64Array {
  const { counts } = binaryClassCounts(y);
  const n = y.length;
  const w0 = n / (2 * counts[0]);
  const w1 = n / (2 * counts[1]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ++i) out[i] = y[i] === 1 ? w1 : w0;
  return out;
}

/** Row indices with label `label`, ascending. */
export function indicesOf(y: Float64Array, label: number): Int32Array {
  return indicesWhere(y, (v) => v === label);
}

function takeAny<M extends Matrix | SparseMatrix>(X: M, index: Int32Array): M {
  return (isSparse(X) ? sparseTakeRows(X, index) : takeRows(X, index)) as M;
}

function takeLabels(y: Float64Array, index: Int32Array): Float64Array {
  const out = new Float64Array(index.length);
  for (let i = 0; i < index.length; ++i) out[i] = y[index[i]];
  return out;
}

/** Shape checks shared by the resamplers. */
export function checkXy(X: Matrix | SparseMatrix, y: Float64Array): void {
  if (isSparse(X)) checkSparse(X);
  else checkMatrix(X);
  if (y.length !== X.rows) throw new Error(`invalid y: length ${y.length} (expected ${X.rows})`);
}
