import type { Matrix } from "../ml/matrix.js";
import type { SparseMatrix } from "../ml/sparse.js";

/** Level name given to missing categorical values when they are kept. */
export const MISSING = "(missing)";
/** Level name given to rare or excluded categorical values. */
export const OTHER = "(other)";

/** Input columns: categorical as strings (null = missing), numeric as Float64Array (NaN = missing). */
export interface FeatureInput {
  categorical: Record<string, (string | null)[]>;
  numeric: Record<string, Float64Array>;
}

export interface EncodeOptions {
  /** Levels seen fewer times go to {@link OTHER} (default 1). */
  minFrequency?: number;
  /** Missing categorical values: own level, or drop the row (default "category"). */
  missingCategorical?: "category" | "drop";
  /** Missing numeric values: drop the row, or impute (default "drop"). */
  missingNumeric?: "drop" | "mean" | "median";
  /** Values mapped to {@link OTHER}: { column: [values] }. */
  excludeValues?: Record<string, string[]>;
  /** Standardize numeric columns to mean 0, sd 1 (population sd, as scikit-learn's StandardScaler). */
  standardize?: boolean;
  /** Rows set aside before anything else (mask value 1), counted under `reason`; a list is counted in order. */
  skip?: { mask: Uint8Array; reason: string } | { mask: Uint8Array; reason: string }[];
}

/** How one design-matrix column was made, so coefficients and profiles read back as `COLUMN=value`. */
export interface FeatureInfo {
  name: string;
  column: string;
  /** Category level for one-hot columns, null for numeric. */
  value: string | null;
}

/** Everything needed to encode new rows the same way (JSON-serialisable). */
export interface Encoder {
  categorical: { column: string; levels: string[]; other: boolean; exclude: string[] }[];
  numeric: { column: string; center: number; scale: number; fill: number | null }[];
  missingCategorical: "category" | "drop";
  features: FeatureInfo[];
}

export interface EncodeResult {
  encoder: Encoder;
  /** Row indices of the input that were kept, in order. */
  keep: Int32Array;
  /** Rows dropped, by reason. */
  dropped: Record<string, number>;
  /** Missing values per column, before the policy. */
  missing: Record<string, number>;
}

/**
 * Learns an encoder from the input columns: one-hot levels (sorted, rare ones to "(other)", missing as its own
 * level or dropped), numeric centring/scaling and imputation values. Does not build the matrix.
 */
export function fitEncoder(input: FeatureInput, options: EncodeOptions = {}): EncodeResult {
  const minFrequency = options.minFrequency ?? 1;
  const missingCategorical = options.missingCategorical ?? "category";
  const missingNumeric = options.missingNumeric ?? "drop";
  const n = rowCount(input);
  const dropRow = new Uint8Array(n);
  const dropped: Record<string, number> = {};
  const missing: Record<string, number> = {};
  const markDrop = (i: number, reason: string) => {
    if (!dropRow[i]) {
      dropRow[i] = 1;
      dropped[reason] = (dropped[reason] ?? 0) + 1;
    }
  };
  const skips = options.skip ? (Array.isArray(options.skip) ? options.skip : [options.skip]) : [];
  for (const skip of skips) for (let i = 0; i < n; ++i) if (skip.mask[i]) markDrop(i, skip.reason);

  for (const [column, values] of Object.entries(input.categorical)) {
    let m = 0;
    for (let i = 0; i < n; ++i)
      if (values[i] === null) {
        ++m;
        if (missingCategorical === "drop") markDrop(i, `missing ${column}`);
      }
    missing[column] = m;
  }
  for (const [column, values] of Object.entries(input.numeric)) {
    let m = 0;
    for (let i = 0; i < n; ++i)
      if (Number.isNaN(values[i])) {
        ++m;
        if (missingNumeric === "drop") markDrop(i, `missing ${column}`);
      }
    missing[column] = m;
  }
  const keepList: number[] = [];
  for (let i = 0; i < n; ++i) if (!dropRow[i]) keepList.push(i);
  const keep = Int32Array.from(keepList);

  const features: FeatureInfo[] = [];
  const categorical: Encoder["categorical"] = [];
  for (const [column, values] of Object.entries(input.categorical)) {
    const exclude = options.excludeValues?.[column] ?? [];
    const excluded = new Set(exclude);
    const counts = new Map<string, number>();
    for (const i of keep) {
      const v = values[i] ?? MISSING;
      if (!excluded.has(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    let other = excluded.size > 0 && keep.some((i) => excluded.has(values[i] ?? MISSING));
    const levels: string[] = [];
    for (const [v, c] of counts) {
      if (c >= minFrequency) levels.push(v);
      else other = true;
    }
    levels.sort(compareStrings);
    if (other) levels.push(OTHER);
    categorical.push({ column, levels, other, exclude });
    for (const v of levels) features.push({ name: `${column}=${v}`, column, value: v });
  }

  const numeric: Encoder["numeric"] = [];
  for (const [column, values] of Object.entries(input.numeric)) {
    const present: number[] = [];
    for (const i of keep) if (!Number.isNaN(values[i])) present.push(values[i]);
    const fill = missingNumeric === "mean" ? meanOf(present) : missingNumeric === "median" ? medianOf(present) : null;
    const filled =
      present.length < keep.length && fill !== null ? [...present, ...new Array<number>(keep.length - present.length).fill(fill)] : present;
    let center = 0;
    let scale = 1;
    if (options.standardize) {
      center = meanOf(filled);
      const sd = Math.sqrt(filled.reduce((s, x) => s + (x - center) ** 2, 0) / Math.max(1, filled.length));
      scale = sd > 0 ? sd : 1;
    }
    numeric.push({ column, center, scale, fill });
    features.push({ name: column, column, value: null });
  }
  return { encoder: { categorical, numeric, missingCategorical, features }, keep, dropped, missing };
}

/** Unseen categories met while encoding, per column. */
export type UnseenCounts = Record<string, number>;

/**
 * Builds the design matrix for `rows` of the input with a fitted encoder. Unseen categories go to "(other)" when the
 * encoder has it, else the row gets no one-hot bit for that column; both are counted in `unseen`.
 */
export function encodeDense(encoder: Encoder, input: FeatureInput, rows: Int32Array): { X: Matrix; unseen: UnseenCounts } {
  const p = encoder.features.length;
  const data = new Float64Array(rows.length * p);
  const unseen: UnseenCounts = {};
  forEachEntry(encoder, input, rows, unseen, (r, j, v) => {
    data[r * p + j] = v;
  });
  return { X: { rows: rows.length, cols: p, data }, unseen };
}

/** Same as {@link encodeDense} but in CSR form (one-hot data is mostly zeros). */
export function encodeSparse(encoder: Encoder, input: FeatureInput, rows: Int32Array): { X: SparseMatrix; unseen: UnseenCounts } {
  const p = encoder.features.length;
  const perRow = encoder.categorical.length + encoder.numeric.length;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(rows.length * perRow);
  const values = new Float64Array(rows.length * perRow);
  let nnz = 0;
  let last = -1;
  const unseen: UnseenCounts = {};
  forEachEntry(encoder, input, rows, unseen, (r, j, v) => {
    while (last < r) indptr[++last] = nnz;
    if (v !== 0) {
      indices[nnz] = j;
      values[nnz++] = v;
    }
  });
  while (last < rows.length) indptr[++last] = nnz;
  return { X: { rows: rows.length, cols: p, indptr, indices: indices.slice(0, nnz), values: values.slice(0, nnz) }, unseen };
}

/** Calls `emit(row, column, value)` for every entry of each row, columns in increasing order within a row. */
function forEachEntry(
  encoder: Encoder,
  input: FeatureInput,
  rows: Int32Array,
  unseen: UnseenCounts,
  emit: (r: number, j: number, v: number) => void,
): void {
  const maps = encoder.categorical.map((c) => {
    const m = new Map<string, number>();
    c.levels.forEach((v, i) => m.set(v, i));
    return { ...c, map: m, excluded: new Set(c.exclude), values: input.categorical[c.column] };
  });
  const offsets: number[] = [];
  let off = 0;
  for (const c of encoder.categorical) {
    offsets.push(off);
    off += c.levels.length;
  }
  const numericStart = off;
  for (let r = 0; r < rows.length; ++r) {
    const i = rows[r];
    for (let c = 0; c < maps.length; ++c) {
      const col = maps[c];
      const raw = col.values[i] ?? MISSING;
      let level = col.excluded.has(raw) ? col.map.get(OTHER) : col.map.get(raw);
      if (level === undefined) {
        unseen[col.column] = (unseen[col.column] ?? 0) + 1;
        level = col.map.get(OTHER);
      }
      if (level !== undefined) emit(r, offsets[c] + level, 1);
    }
    for (let c = 0; c < encoder.numeric.length; ++c) {
      const nc = encoder.numeric[c];
      let v = input.numeric[nc.column][i];
      if (Number.isNaN(v)) v = nc.fill ?? NaN;
      emit(r, numericStart + c, (v - nc.center) / nc.scale);
    }
  }
}

function rowCount(input: FeatureInput): number {
  for (const v of Object.values(input.categorical)) return v.length;
  for (const v of Object.values(input.numeric)) return v.length;
  return 0;
}

/** Code-point order, independent of locale, so runs are byte-identical everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function meanOf(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : NaN;
}

function medianOf(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
