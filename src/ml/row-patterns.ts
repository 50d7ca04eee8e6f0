import { compressRows, type CompressedRows } from "./compress-rows.js";
import { distinctRows, groupedRows, type DistinctRows } from "./distinct-rows.js";
import { predictProba, type LogisticModel } from "./logistic-regression.js";
import { take } from "./matrix.js";
import { sparseTakeRows, type SparseMatrix } from "./sparse.js";

/**
 * The distinct rows of a CSR design, found once, so that any selection of its rows (a training fold, an inner
 * fold, a test set) is grouped, merged and scored by pattern in O(selected rows) integer work, without copying
 * the rows or hashing them again. One-hot designs have a few thousand patterns however many rows repeat them.
 */
export interface RowPatterns {
  /** Pattern of each row of X: rows with the same stored bits (and columns) share one, numbered by first row. */
  pattern: Int32Array;
  /** First row of each pattern. */
  first: Int32Array;
  /**
   * Number class of each pattern: patterns whose values are equal as numbers (−0 = 0, NaN = NaN) share one,
   * numbered in order of first appearance. These are the groups {@link compressRows} merges.
   */
  numeric: Int32Array;
  /** Number of number classes. */
  classes: number;
}

/**
 * The patterns of X's rows (see {@link RowPatterns}).
 * @param X n×p CSR matrix
 */
export function rowPatterns(X: SparseMatrix): RowPatterns {
  const bits = distinctRows(X);
  const numbers = distinctRows(sparseTakeRows(X, bits.first), undefined, undefined, { numbers: true });
  return { pattern: bits.pattern, first: bits.first, numeric: numbers.pattern, classes: numbers.first.length };
}

/**
 * `distinctRows(X, select)` from the patterns of X (bit for bit the same groups, in the same order), in
 * O(selected rows + patterns).
 * @param patterns {@link rowPatterns} of X
 * @param select rows of X, in order
 */
export function selectPatterns(patterns: RowPatterns, select: ArrayLike<number>): DistinctRows {
  const local = new Int32Array(patterns.first.length).fill(-1);
  const m = select.length;
  const pattern = new Int32Array(m);
  const firstList: number[] = [];
  for (let r = 0; r < m; ++r) {
    const g = patterns.pattern[select[r]];
    let q = local[g];
    if (q < 0) {
      q = local[g] = firstList.length;
      firstList.push(r);
    }
    pattern[r] = q;
  }
  const count = new Int32Array(firstList.length);
  for (let r = 0; r < m; ++r) count[pattern[r]]++;
  return groupedRows(pattern, firstList, count);
}

/**
 * The selected rows merged into weighted distinct (row, label) pairs: bit for bit
 * `compressRows(sparseTakeRows(X, select), take(y, select), w)` (the same pairs, order, rows, labels and summed
 * weights), in O(selected rows) without the copy or a hash per row. Labels other than 0 and 1 take that long way.
 * @param X n×p CSR matrix
 * @param patterns {@link rowPatterns} of X
 * @param y n labels, indexed like X's rows
 * @param select rows of X, in order (a row may repeat)
 * @param w optional weights, one per entry of `select` (default 1)
 */
export function compressSelected(
  X: SparseMatrix,
  patterns: RowPatterns,
  y: Float64Array,
  select: Int32Array,
  w?: Float64Array,
): CompressedRows {
  const m = select.length;
  for (let r = 0; r < m; ++r) {
    const v = y[select[r]];
    if (v !== 0 && v !== 1) return compressRows(sparseTakeRows(X, select), take(y, select), w);
  }
  const { pattern, numeric } = patterns;
  const group = new Int32Array(2 * patterns.classes).fill(-1);
  const firstRow: number[] = [];
  const weight: number[] = [];
  for (let r = 0; r < m; ++r) {
    const i = select[r];
    const key = 2 * numeric[pattern[i]] + y[i];
    let g = group[key];
    if (g < 0) {
      g = group[key] = firstRow.length;
      firstRow.push(i);
      weight.push(0);
    }
    weight[g] += w ? w[r] : 1;
  }
  const out = sparseTakeRows(X, firstRow);
  return { X: out, y: take(y, firstRow), w: Float64Array.from(weight) };
}

/**
 * `predictProba(model, sparseTakeRows(X, select))` bit for bit, computed once per pattern: rows with the same bits
 * have the same linear predictor.
 * @param model a fitted model
 * @param X n×p CSR matrix
 * @param patterns {@link rowPatterns} of X
 * @param select rows of X to score, in order
 */
export function predictSelected(model: LogisticModel, X: SparseMatrix, patterns: RowPatterns, select: ArrayLike<number>): Float64Array {
  const z = predictProba(model, sparseTakeRows(X, patterns.first));
  const out = new Float64Array(select.length);
  for (let r = 0; r < select.length; ++r) out[r] = z[patterns.pattern[select[r]]];
  return out;
}
