import { RandomState } from "./numpy-random.js";
import { indicesWhere } from "../util/typed-arrays.js";

/** One train/test split as row indices (ascending). */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/** Options for {@link stratifiedKFold}. */
export interface StratifiedKFoldOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** Shuffle rows within each class before assigning folds (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0). */
  seed?: number;
}

/**
 * Stratified k-fold splits: the rows of each class are (optionally) shuffled and dealt round-robin to the folds,
 * continuing where the previous class stopped, so every fold keeps the class ratio (class counts per fold differ
 * by at most one) and fold sizes differ by at most one. Deterministic per seed; not scikit-learn's exact folds.
 * @param y n labels (any values; each distinct value is a class)
 * @param options folds (5), shuffle (true), seed (0)
 */
export function stratifiedKFold(y: Float64Array, options: StratifiedKFoldOptions = {}): Split[] {
  const { folds = 5, shuffle = true, seed = 0 } = options;
  const n = y.length;
  if (!(Number.isInteger(folds) && folds >= 2 && folds <= n)) {
    throw new Error(`invalid folds: ${folds} (expected an integer in 2..${n})`);
  }
  const fold = new Int32Array(n);
  const rs = new RandomState(seed);
  let next = 0;
  for (const rows of classRows(y)) {
    if (shuffle) rs.shuffle(rows);
    for (let r = 0; r < rows.length; ++r) {
      fold[rows[r]] = next;
      next = (next + 1) % folds;
    }
  }
  const out: Split[] = [];
  for (let f = 0; f < folds; ++f) out.push(splitBy(fold, f));
  return out;
}

/** Options for {@link stratifiedHoldout}. */
export interface StratifiedHoldoutOptions {
  /** Share of rows in the test set, in (0, 1) (default 0.25). */
  testSize?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
}

/**
 * One stratified train/test split: from each class, round(n_c · testSize) shuffled rows go to the test set.
 * @param y n labels
 * @param options testSize (0.25), seed (0)
 */
export function stratifiedHoldout(y: Float64Array, options: StratifiedHoldoutOptions = {}): Split {
  const { testSize = 0.25, seed = 0 } = options;
  if (!(testSize > 0 && testSize < 1)) throw new Error(`invalid testSize: ${testSize} (expected in (0, 1))`);
  const isTest = new Int32Array(y.length);
  const rs = new RandomState(seed);
  for (const rows of classRows(y)) {
    rs.shuffle(rows);
    const t = Math.round(rows.length * testSize);
    for (let r = 0; r < t; ++r) isTest[rows[r]] = 1;
  }
  return splitBy(isTest, 1);
}

/** Options for {@link temporalSplit}. */
export interface TemporalSplitOptions {
  /** Rows with time ≥ testFrom are the test set (takes precedence over testSize). */
  testFrom?: number;
  /** Otherwise, the latest share of rows to test on (default 0.25); ties in time never straddle the split. */
  testSize?: number;
}

/**
 * A temporal split: every training row is strictly earlier than every test row. With `testSize`, the cut is the
 * time of the row at the (1 − testSize) quantile, and all rows sharing that time go to the test set.
 * @param times n timestamps (any numeric unit, e.g. epoch ms); NaN is rejected
 * @param options testFrom, or testSize (0.25)
 */
export function temporalSplit(times: Float64Array, options: TemporalSplitOptions = {}): Split {
  const { testFrom, testSize = 0.25 } = options;
  const n = times.length;
  for (let i = 0; i < n; ++i) if (Number.isNaN(times[i])) throw new Error(`invalid times[${i}]: NaN`);
  let cut: number;
  if (testFrom !== undefined) {
    cut = testFrom;
  } else {
    if (!(testSize > 0 && testSize < 1)) throw new Error(`invalid testSize: ${testSize} (expected in (0, 1))`);
    const sorted = Float64Array.from(times).sort();
    const first = Math.min(n - 1, Math.max(0, n - Math.round(n * testSize)));
    cut = n ? sorted[first] : 0;
  }
  const isTest = new Int32Array(n);
  for (let i = 0; i < n; ++i) isTest[i] = times[i] >= cut ? 1 : 0;
  return splitBy(isTest, 1);
}

/** Row indices of each distinct label, labels in ascending order. */
function classRows(y: Float64Array): Int32Array[] {
  const labels = Array.from(new Set(y)).sort((a, b) => a - b);
  return labels.map((label) => indicesWhere(y, (v) => v === label));
}

/** The rows whose tag is `testTag` (the test set) and the others (the training set), each ascending. */
function splitBy(tag: Int32Array, testTag: number): Split {
  let m = 0;
  for (let i = 0; i < tag.length; ++i) if (tag[i] === testTag) ++m;
  const train = new Int32Array(tag.length - m);
  const test = new Int32Array(m);
  for (let i = 0, a = 0, b = 0; i < tag.length; ++i) {
    if (tag[i] === testTag) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}
