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
  /** Merge category values that differ only in letter case or surrounding whitespace (see {@link FoldOptions}). */
  fold?: FoldOptions;
  /** Rows set aside before anything else (mask value 1), counted under `reason`; a list is counted in order. */
  skip?: { mask: Uint8Array; reason: string } | { mask: Uint8Array; reason: string }[];
}

/** Which differences between category values do not make a new level. */
export interface FoldOptions {
  /** `BAR`, `Bar` and `bar` are one level. */
  case?: boolean;
  /** `PATROL` and `PATROL ` are one level (leading and trailing white space is ignored). */
  whitespace?: boolean;
}

/**
 * The key two category values share when they are one level under `fold`: trimmed and/or lower-cased (code-point
 * lower-casing, independent of locale).
 * @param value category value
 * @param fold what to ignore (nothing when absent)
 */
export function foldKey(value: string, fold: FoldOptions | undefined): string {
  if (!fold) return value;
  let v = fold.whitespace ? value.trim() : value;
  if (fold.case) v = v.toLowerCase();
  return v;
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
  /**
   * `fold`: values are matched to levels by {@link foldKey} (absent in model files written before folding existed).
   * `rare`: values seen in training fewer than `minFrequency` times, which go to {@link OTHER} (so scoring does not
   * count them as unseen; absent in older model files).
   */
  categorical: { column: string; levels: string[]; other: boolean; exclude: string[]; fold?: FoldOptions; rare?: string[] }[];
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
    const fold = options.fold && (options.fold.case || options.fold.whitespace) ? { ...options.fold } : undefined;
    const excluded = new Set(exclude.map((v) => foldKey(v, fold)));
    // Counted by fold key; each key's level is its most frequent spelling (ties: the first in code-point order).
    const counts = new Map<string, number>();
    const spellings = new Map<string, Map<string, number>>();
    let other = false;
    for (const i of keep) {
      const v = values[i] ?? MISSING;
      const key = foldKey(v, fold);
      if (excluded.has(key)) {
        other = true;
        continue;
      }
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (fold) {
        let s = spellings.get(key);
        if (!s) spellings.set(key, (s = new Map<string, number>()));
        s.set(v, (s.get(v) ?? 0) + 1);
      }
    }
    const levels: string[] = [];
    const rare: string[] = [];
    for (const [key, c] of counts) {
      const level = fold ? mostFrequent(spellings.get(key) ?? new Map<string, number>([[key, c]])) : key;
      if (c >= minFrequency) levels.push(level);
      else {
        other = true;
        rare.push(level);
      }
    }
    levels.sort(compareStrings);
    rare.sort(compareStrings);
    if (other) levels.push(OTHER);
    categorical.push({ column, levels, other, exclude, ...(fold ? { fold } : {}), ...(rare.length ? { rare } : {}) });
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
      if (Number.isFinite(center) && Number.isFinite(sd)) scale = sd > 0 ? sd : 1;
      else [center, scale] = centerScale(filled);
    }
    numeric.push({ column, center, scale, fill });
    features.push({ name: column, column, value: null });
  }
  const names = designNames(features.map((f) => (f.value === null ? f.name : `${f.column}=${f.value}`)));
  features.forEach((f, j) => (f.name = names[j]));
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
    c.levels.forEach((v, i) => m.set(foldKey(v, c.fold), i));
    // Values pooled into "(other)" in training (excluded or rare) are known: they are not counted as unseen.
    const pooled = new Set([...c.exclude, ...(c.rare ?? [])].map((v) => foldKey(v, c.fold)));
    return { ...c, map: m, excluded: pooled, values: input.categorical[c.column] };
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
      const raw = foldKey(col.values[i] ?? MISSING, col.fold);
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

/**
 * Mean and population standard deviation (1 for a constant column) of finite values of any size, for columns whose
 * plain sums overflow (ordinary columns keep the plain formula, so their results stay bit for bit). The values are
 * divided by the largest magnitude first, so neither the sum nor the squares overflow: a value of 1e308 would
 * otherwise make the sum of squares infinite and the column all zeros (two-pass algorithm, Chan, Golub & LeVeque,
 * "Algorithms for computing the sample variance", The American Statistician 37, 1983).
 */
function centerScale(xs: number[]): [number, number] {
  let m = 0;
  for (const x of xs) m = Math.max(m, Math.abs(x));
  if (!(m > 0) || !Number.isFinite(m)) return [m > 0 ? NaN : 0, 1];
  let s = 0;
  for (const x of xs) s += x / m;
  const mu = s / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x / m - mu) ** 2;
  const sd = Math.sqrt(ss / xs.length);
  return [mu * m, sd > 0 ? sd * m : 1];
}

/** The most frequent key of a count map; ties go to the first in code-point order. */
function mostFrequent(counts: Map<string, number>): string {
  let best = "";
  let bestCount = -1;
  for (const [v, c] of counts) if (c > bestCount || (c === bestCount && compareStrings(v, best) < 0)) [best, bestCount] = [v, c];
  return best;
}

/** Names openbeat gives columns of its own beside the design matrix (features.parquet's `_row`). */
const RESERVED_NAMES = ["_row"];

/**
 * Design-matrix column names that are unique by construction and stay readable: control characters (a NUL byte, a
 * tab, a line break) are written as `\xNN` / `\uNNNN` escapes, and a name equal to an earlier one when compared
 * without letter case (SQL identifiers, DuckDB's among them, ignore case; Parquet readers differ) gets ` #2`, ` #3`.
 * @param raw the names as `COLUMN=value` or the numeric column's name, in design order
 */
export function designNames(raw: string[]): string[] {
  const taken = new Set(RESERVED_NAMES);
  return raw.map((r) => {
    const base = escapeControl(r);
    let name = base;
    for (let k = 2; taken.has(name.toLowerCase()); ++k) name = `${base} #${k}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** `text` with C0 controls and DEL as `\xNN`, and other invisible separators (U+2028, U+2029, BOM) as `\uNNNN`. */
function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point of this function
  return text.replace(/[\x00-\x1f\x7f\u2028\u2029\ufeff]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
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
