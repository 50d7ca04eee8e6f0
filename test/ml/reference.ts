import { readFileSync } from "node:fs";
import type { Matrix } from "../../src/ml/matrix.js";
import type { SparseMatrix } from "../../src/ml/sparse.js";

/** A CSR matrix as the reference script writes it. */
export interface RefCsr {
  rows: number;
  cols: number;
  indptr: number[];
  indices: number[];
  values: number[];
}

/** One scikit-learn LogisticRegression fit; the intercept's standard error exists only with an intercept. */
export type RefLogisticFit = {
  name: string;
  data: "dense" | "onehot";
  C: number;
  weighted: boolean;
  sample_weight: number[] | null;
  coef: number[];
  intercept: number;
  n_iter: number;
  grad_inf: number;
  opt_coef: number[];
  opt_intercept: number;
  opt_grad_inf: number;
  sklearn_vs_opt: number;
  proba_head: number[];
  se_coef: number[];
} & ({ fit_intercept: true; se_intercept: number } | { fit_intercept: false; se_intercept: null });

/** One imbalanced-learn per-class report row. */
export interface RefClassReport {
  pre: number;
  rec: number;
  spe: number;
  f1: number;
  geo: number;
  iba: number;
  sup: number;
}

/** The layout of test/reference/classification.json. */
export interface ClassificationReference {
  versions: Record<"numpy" | "scipy" | "sklearn" | "imblearn", string>;
  random_state: {
    seed: number;
    random_sample: number[];
    randint_7: number[];
    randint_1000: number[];
    randint_big: number[];
    uniform: number[];
    randint_2pow32: number[];
    permutation_9: number[];
    choice_replace: number[];
    choice_noreplace: number[];
  }[];
  dense: { X: number[]; rows: number; cols: number; y: number[]; sample_weight: number[] };
  onehot: { X: RefCsr; y: number[]; positives: number };
  logistic: RefLogisticFit[];
  smote_dense: { seed: number; k: number; strategy: "auto" | number; rows: number; synthetic: number[]; y: number[] }[];
  smote_sparse: { X: RefCsr; y: number[]; seed: number; resampled: RefCsr; y_resampled: number[] };
  smote_onehot: { rows: number; positives: number };
  random_resample: { seed: number; strategy: "auto" | number; over: number[]; under: number[] }[];
  metrics: {
    name: string;
    y_true: number[];
    scores: number[];
    y_pred: number[];
    confusion_matrix: number[][];
    balanced_accuracy: number;
    precision: number;
    recall: number;
    f1: number;
    specificity: number;
    geometric_mean: number;
    roc_auc: number;
    average_precision: number;
    roc_curve: { fpr: number[]; tpr: number[]; thresholds: number[] };
    pr_curve: { precision: number[]; recall: number[]; thresholds: number[] };
    report: Record<"0" | "1", RefClassReport> &
      Record<"avg_pre" | "avg_rec" | "avg_spe" | "avg_f1" | "avg_geo" | "avg_iba" | "total_support", number>;
  }[];
  stats: { norm_ppf: [number, number][]; sd: { x: number[]; sd: number } };
}

/** The values written by test/reference/classification.py. */
export const ref = JSON.parse(
  readFileSync(new URL("../reference/classification.json", import.meta.url), "utf8"),
) as ClassificationReference;

export const f64 = (a: number[]): Float64Array => Float64Array.from(a);

export function refCsr(o: RefCsr): SparseMatrix {
  return {
    rows: o.rows,
    cols: o.cols,
    indptr: Int32Array.from(o.indptr),
    indices: Int32Array.from(o.indices),
    values: Float64Array.from(o.values),
  };
}

export function refDense(): { X: Matrix; y: Float64Array; sw: Float64Array } {
  const d = ref.dense;
  return { X: { rows: d.rows, cols: d.cols, data: f64(d.X) }, y: f64(d.y), sw: f64(d.sample_weight) };
}

/** Largest absolute difference between two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
