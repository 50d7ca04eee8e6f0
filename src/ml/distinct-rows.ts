import type { Matrix } from "./matrix.js";
import type { SparseMatrix } from "./sparse.js";

/**
 * The distinct rows among selected rows of a matrix. Rows are equal when their stored values are bit for bit the
 * same (and, for CSR, their column lists too), so −0 and 0 differ and NaN equals NaN; with `numbers`, when the
 * values are equal as numbers, except that NaN equals NaN (−0 and 0 then agree). Patterns are numbered in order
 * of first appearance.
 */
export interface DistinctRows {
  /** Pattern of each selected row (index into the selection order). */
  pattern: Int32Array;
  /** First selected row of each pattern. */
  first: Int32Array;
  /** Selected rows per pattern, ascending: those of pattern q are rows[ptr[q] .. ptr[q + 1]). */
  ptr: Int32Array;
  rows: Int32Array;
  /** Number of selected rows of each pattern. */
  count: Int32Array;
}

/** 32-bit FNV-1a step over one 32-bit word. */
function mix(h: number, word: number): number {
  return Math.imul(h ^ word, 0x01000193);
}

/**
 * Groups selected rows of X into distinct patterns with a hash table over the rows' bits (no string keys), in
 * O(total stored values) expected time.
 * @param X dense row-major or CSR matrix
 * @param select rows of X to group (default all), in the order their indices are reported
 * @param label optional per-row labels that must also be equal (e.g. y for (x, y) pairs); indexed like X's rows
 */
export function distinctRows(
  X: Matrix | SparseMatrix,
  select?: ArrayLike<number>,
  label?: Float64Array,
  options: { numbers?: boolean } = {},
): DistinctRows {
  const m = select ? select.length : X.rows;
  const rowOf = (r: number): number => (select ? select[r] : r);
  const sparse = "indptr" in X;
  const numbers = options.numbers === true;
  const words = numbers
    ? canonicalWords(sparse ? X.values : X.data)
    : sparse
      ? new Uint32Array(X.values.buffer, X.values.byteOffset, X.values.length * 2)
      : wordsOf(X.data);
  const labelWords = label ? (numbers ? canonicalWords(label) : wordsOf(label)) : null;
  const p = X.cols;
  const hashRow = (i: number): number => {
    let h = 0x811c9dc5;
    if (labelWords) h = mix(mix(h, labelWords[2 * i]), labelWords[2 * i + 1]);
    if (sparse) {
      const { indptr, indices } = X;
      for (let k = indptr[i]; k < indptr[i + 1]; ++k) h = mix(mix(mix(h, indices[k]), words[2 * k]), words[2 * k + 1]);
      h = mix(h, indptr[i + 1] - indptr[i]);
    } else {
      for (let w = 2 * i * p, e = 2 * (i + 1) * p; w < e; ++w) h = mix(h, words[w]);
    }
    return h >>> 0;
  };
  const sameRow = (i: number, j: number): boolean => {
    if (labelWords && (labelWords[2 * i] !== labelWords[2 * j] || labelWords[2 * i + 1] !== labelWords[2 * j + 1])) return false;
    if (sparse) {
      const { indptr, indices } = X;
      const a = indptr[i];
      const b = indptr[j];
      const len = indptr[i + 1] - a;
      if (indptr[j + 1] - b !== len) return false;
      for (let k = 0; k < len; ++k) {
        if (indices[a + k] !== indices[b + k]) return false;
        if (words[2 * (a + k)] !== words[2 * (b + k)] || words[2 * (a + k) + 1] !== words[2 * (b + k) + 1]) return false;
      }
      return true;
    }
    for (let a = 2 * i * p, b = 2 * j * p, e = a + 2 * p; a < e; ++a, ++b) if (words[a] !== words[b]) return false;
    return true;
  };
  let size = 16;
  while (size < 2 * m) size *= 2;
  const table = new Int32Array(size).fill(-1);
  const pattern = new Int32Array(m);
  const firstList: number[] = [];
  const countList: number[] = [];
  for (let r = 0; r < m; ++r) {
    const i = rowOf(r);
    let slot = hashRow(i) & (size - 1);
    for (;;) {
      const q = table[slot];
      if (q < 0) {
        table[slot] = firstList.length;
        pattern[r] = firstList.length;
        firstList.push(r);
        countList.push(1);
        break;
      }
      if (sameRow(rowOf(firstList[q]), i)) {
        pattern[r] = q;
        countList[q]++;
        break;
      }
      slot = (slot + 1) & (size - 1);
    }
  }
  return groupedRows(pattern, firstList, Int32Array.from(countList));
}

/**
 * {@link DistinctRows} from each row's pattern, each pattern's first row and each pattern's count: the rows of each
 * pattern listed together (`ptr`, `rows`), in row order.
 */
export function groupedRows(pattern: Int32Array, firstList: number[], count: Int32Array): DistinctRows {
  const nPatterns = firstList.length;
  const m = pattern.length;
  const ptr = new Int32Array(nPatterns + 1);
  for (let q = 0; q < nPatterns; ++q) ptr[q + 1] = ptr[q] + count[q];
  const next = ptr.slice(0, nPatterns);
  const rows = new Int32Array(m);
  for (let r = 0; r < m; ++r) rows[next[pattern[r]]++] = r;
  return { pattern, first: Int32Array.from(firstList), ptr, rows, count };
}

function wordsOf(a: Float64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
}

/**
 * The bits of `a` with −0 written as 0 and every NaN as one NaN, so that bit equality is number equality: a view of
 * `a` itself when it holds neither (no copy), else of a copy.
 */
function canonicalWords(a: Float64Array): Uint32Array {
  let plain = true;
  for (let i = 0; i < a.length && plain; ++i) {
    const v = a[i];
    if (v !== v || (v === 0 && 1 / v < 0)) plain = false;
  }
  if (plain) return wordsOf(a);
  const c = new Float64Array(a.length);
  for (let i = 0; i < a.length; ++i) {
    const v = a[i];
    c[i] = v === 0 ? 0 : v !== v ? NaN : v;
  }
  return wordsOf(c);
}
