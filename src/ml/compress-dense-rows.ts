import { checkMatrix, type Matrix } from "./matrix.js";

/** Result of {@link compressDenseRows}. */
export interface CompressedDenseRows {
  /** m×p distinct rows, in the order they first occur. */
  X: Matrix;
  /** m counts: how many input rows equal each distinct row. */
  weight: Float64Array;
  /** n indices: the distinct row of each input row, so `X.data[index[i]·p + j]` equals input (i, j). */
  index: Int32Array;
}

/**
 * Merges identical rows of a dense matrix into distinct rows with their counts. Clustering the distinct rows
 * with the counts as sample weights (`kmeans(X, { sampleWeight: weight })`) runs the same weighted Lloyd
 * iterations as clustering every row, at a fraction of the cost, and `labels[index[i]]` is the label of input
 * row i. Two things can still set the runs apart: kmeans scales `tol` by the variance of the rows it is given,
 * and one-hot designs have many rows exactly as near to two centres, which rounding may break either way.
 * Rows are equal when their values
 * are (`0` equals `-0`, NaN equals NaN); they are found with a hash table over the row bits and checked value by
 * value, so a hash collision never merges different rows.
 * @param X n×p data (row-major)
 */
export function compressDenseRows(X: Matrix): CompressedDenseRows {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  // open addressing with linear probing; slots hold a distinct-row id + 1 (0 = free)
  const slots = new Int32Array(size);
  const hashes = new Int32Array(n);
  const first = new Int32Array(n);
  const count = new Float64Array(n);
  const index = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; ++i) {
    const row = i * p;
    const h = hashRow(data, words, row, p);
    let s = h & mask;
    for (;;) {
      const id = slots[s] - 1;
      if (id < 0) {
        slots[s] = m + 1;
        hashes[m] = h;
        first[m] = i;
        count[m] = 1;
        index[i] = m++;
        break;
      }
      if (hashes[id] === h && sameRow(data, first[id] * p, row, p)) {
        count[id] += 1;
        index[i] = id;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  const out = new Float64Array(m * p);
  for (let g = 0; g < m; ++g) out.set(data.subarray(first[g] * p, first[g] * p + p), g * p);
  return { X: { rows: m, cols: p, data: out }, weight: count.slice(0, m), index };
}

/** A 32-bit hash of the p values from data[row]: murmur3-style mixing of both words of each double. */
function hashRow(data: Float64Array, words: Uint32Array, row: number, p: number): number {
  let h = 0x9747b28c ^ p;
  for (let j = 0; j < p; ++j) {
    const v = data[row + j];
    let lo: number;
    let hi: number;
    // -0 and every NaN hash like 0 and one canonical NaN, because sameRow treats them as equal
    if (v === 0) {
      lo = 0;
      hi = 0;
    } else if (v !== v) {
      lo = 0;
      hi = 0x7ff80000;
    } else {
      lo = words[2 * (row + j)];
      hi = words[2 * (row + j) + 1];
    }
    h = mix(h, lo);
    h = mix(h, hi);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function sameRow(data: Float64Array, a: number, b: number, p: number): boolean {
  for (let j = 0; j < p; ++j) {
    const u = data[a + j];
    const v = data[b + j];
    if (u !== v && (u === u || v === v)) return false;
  }
  return true;
}
