import { readFileSync } from "node:fs";
import type { Matrix } from "../../src/ml/matrix.js";

interface ReliabilityRef {
  bins: number;
  bin: number[];
  n: number[];
  observed: number[];
  mean_predicted: number[];
  ece: number;
}

/** A likelihood-ratio test in the reference: columns of X in the block, statistic, df, p-value. */
export interface TestRef {
  name: string;
  columns: number[];
  statistic: number;
  df: number;
  p: number;
}

/** A Firth (or MLE) fit of the numpy reference; parameters are [intercept, coef…]. */
export interface FirthRef {
  params: number[];
  se: number[];
  objective: number;
  loglik: number;
  iterations: number;
  profile_lower: number[];
  profile_upper: number[];
  lr_tests: TestRef[];
  check: { grad_inf: number; fd_grad_inf: number; modified_score_vs_fd_off_optimum: number };
}

/** A dense data set of the reference: X flattened row-major. */
export interface DataRef {
  X: number[];
  rows: number;
  cols: number;
  y: number[];
  w: number[];
}

/** An aliasing reference: aliased columns with their combinations, kept columns and their VIF. */
export interface AliasRef {
  aliased: { column: number; combination: { column: number; coefficient: number }[] }[];
  kept: number[];
  vif: number[];
}

/** The shape of test/reference/risk_inference.json. */
export interface RiskReference {
  calibration: {
    y: number[];
    p: number[];
    w: number[];
    freq_w: number[];
    p_ties: number[];
    brier: number;
    brier_weighted: number;
    slope: number;
    slope_intercept: number;
    intercept: number;
    slope_weighted: number;
    intercept_weighted: number;
    curves: ReliabilityRef[];
  };
  platt: {
    F: number[];
    y: number[];
    fits: {
      name: string;
      sample_weight: number[] | null;
      a: number;
      b: number;
      opt_a: number;
      opt_b: number;
      grid: number[];
      grid_proba: number[];
      sklearn_vs_opt: number;
    }[];
  };
  isotonic: {
    x: number[];
    y: number[];
    x_new: number[];
    fits: { name: string; sample_weight: number[] | null; x_thresholds: number[]; y_thresholds: number[]; predict: number[] }[];
  };
  prior_shift: { original_rate: number; resampled_rate: number; p: number[]; corrected: number[] }[];
  multiple_testing: { p: number[]; fdr_bh: number[]; bonferroni: number[] };
  fisher: { table: [[number, number], [number, number]]; p: number }[];
  binomtest: { k: number; n: number; p: number; pvalue: number }[];
  chi2_sf: { x: number; df: number; sf: number }[];
  log_gamma: { x: number; lgamma: number }[];
  dense: DataRef & {
    mle: {
      params: number[];
      bse: number[];
      llf: number;
      wald_lower: number[];
      wald_upper: number[];
      expanded_params: number[];
      expanded_bse: number[];
      expanded_llf: number;
      lr_tests: TestRef[];
      profile_lower: number[];
      profile_upper: number[];
    };
    firth: FirthRef;
  };
  separation: DataRef & { firth: FirthRef; complete: { x: number[]; y: number[]; firth: FirthRef } };
  lmpd: {
    codes: number[];
    n_vars: number;
    levels: number[];
    reference: number[];
    zero_event_level: { variable: number; level: number };
    rows: number;
    cols: number;
    y: number[];
    w: number[];
    events: number;
    non_events: number;
    firth: FirthRef;
    vif: number[];
  };
  aliasing: { X: number[]; rows: number; cols: number; w: number[]; weighted: AliasRef; unweighted: AliasRef };
  bootstrap: {
    y: number[];
    score: number[];
    B: number;
    seed: number;
    level: number;
    stats: Record<"roc_auc" | "average_precision", { estimate: number; replicates: number[]; lower: number; upper: number }>;
  };
}

/** The values written by test/reference/risk_inference.py. */
export const riskRef = JSON.parse(readFileSync(new URL("../reference/risk_inference.json", import.meta.url), "utf8")) as RiskReference;

/** A row-major matrix from the script's flattened array. */
export function refMatrix(o: { X: number[]; rows: number; cols: number }): Matrix {
  return { rows: o.rows, cols: o.cols, data: Float64Array.from(o.X) };
}

/** Largest |a − b| / max(1, |b|) over two equal-length arrays (Infinity when lengths differ). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

/** Reference coding of integer codes (n × vars, row-major) with the script's rule: one column per non-reference level. */
export function referenceCoded(codes: number[], vars: number, levels: number[], reference: number[]): { X: Matrix; blocks: number[][] } {
  const n = codes.length / vars;
  const blocks: number[][] = [];
  const colOf: number[][] = [];
  let p = 0;
  for (let v = 0; v < vars; ++v) {
    const block: number[] = [];
    colOf.push([]);
    for (let l = 0; l < levels[v]; ++l) {
      if (l === reference[v]) {
        colOf[v].push(-1);
        continue;
      }
      colOf[v].push(p);
      block.push(p++);
    }
    blocks.push(block);
  }
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) {
    for (let v = 0; v < vars; ++v) {
      const c = colOf[v][codes[i * vars + v]];
      if (c >= 0) data[i * p + c] = 1;
    }
  }
  return { X: { rows: n, cols: p, data }, blocks };
}
