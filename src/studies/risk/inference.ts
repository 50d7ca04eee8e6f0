import type { Encoder } from "../../features/encode.js";
import { aliasedColumns, varianceInflationFactors } from "../../ml/collinearity.js";
import { compressRows } from "../../ml/compress-rows.js";
import {
  eventsPerVariable,
  fitLogisticFirth,
  fitLogisticMle,
  likelihoodRatioTest,
  profileIntervals,
  waldIntervals,
  type LogisticInferenceFit,
  type ParameterIntervals,
} from "../../ml/logistic-inference.js";
import type { Matrix } from "../../ml/matrix.js";
import { sparseToDense, type SparseMatrix } from "../../ml/sparse.js";
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import type { FactorsSpec } from "./spec.js";

/** VIF above which a column is reported as collinear (the usual rule of thumb; Marquardt 1970). */
export const VIF_LIMIT = 10;

/** One coefficient of the inference model: a level against its column's reference, or a numeric feature per sd. */
export interface InferenceFactor {
  feature: string;
  column: string;
  /** Level, or null for a numeric feature. */
  value: string | null;
  /** The column's reference level (null for numeric features). */
  reference: string | null;
  coefficient: number;
  std_error: number;
  odds_ratio: number;
  ci95: [number, number];
  count: number;
  positives: number;
  /** 1 = strongest evidence; null when not ranked (see status). */
  rank: number | null;
  /** "ranked", "below_min_cell" (too few rows to rank or print) or "aliased" (no estimate: see inference.aliased). */
  status: "ranked" | "below_min_cell" | "aliased";
}

/** A variable (block of coefficients) with its likelihood-ratio test. */
export interface InferenceVariable {
  column: string;
  kind: "categorical" | "numeric";
  reference: string | null;
  /** Rows at the reference level (categorical). */
  reference_count: number | null;
  /** How the reference was chosen. */
  reference_rule: "most_frequent" | "study_file" | null;
  /** Standard deviation one unit of the coefficient stands for (numeric; the feature is standardised). */
  scale: number | null;
  /** Coefficients in the block (excluding aliased ones). */
  df: number;
  statistic: number;
  p_value: number;
  /** 1 = strongest evidence (smallest p-value). */
  rank: number;
}

/** The inference model: what its factors and tests rest on. */
export interface InferenceResult {
  method: "firth" | "mle";
  intervals: "profile" | "wald";
  /** Log-odds at every reference level with numeric features at their mean, and its interval. */
  intercept: { coefficient: number; ci95: [number, number]; odds: number; risk: number };
  converged: boolean;
  iterations: number;
  log_likelihood: number;
  penalized_log_likelihood: number;
  /** Distinct (row, label) pairs the model was fitted on (frequency weights), and the rows they stand for. */
  distinct_rows: number;
  rows: number;
  events: number;
  non_events: number;
  /** Estimated coefficients (without the intercept and aliased columns). */
  parameters: number;
  /** Events per variable: min(events, non-events) / parameters. */
  epv: number;
  aliased: { feature: string; combination: string }[];
  high_vif: { feature: string; vif: number }[];
  variables: InferenceVariable[];
  factors: InferenceFactor[];
}

/** Options for {@link fitInference}. */
export interface InferenceOptions {
  spec: FactorsSpec;
  /** Levels with fewer rows are neither ranked nor printed, and not profiled. */
  minCell: number;
  /** For messages. */
  where: string;
}

/**
 * The inference model behind the reported factors: every categorical column reference-coded (its most frequent
 * level, or `factors.reference`, is left out and the others are compared with it), numeric features as
 * standardised, fitted by Firth's penalized likelihood (or plain maximum likelihood) on the real rows (never
 * resampled), merged into weighted distinct rows. Intervals are profile likelihood (or Wald) for the intercept and
 * every level with at least `minCell` rows; each variable gets a likelihood-ratio test of all its coefficients.
 * Variables are ranked by that test and levels within a variable by the bound of their interval nearest 1.
 * @param encoder the study's encoder (its features are the columns of X)
 * @param X n×p one-hot design of the kept rows
 * @param y n labels
 * @param options spec (method, intervals, reference), minCell, where
 */
export function fitInference(encoder: Encoder, X: SparseMatrix, y: Float64Array, options: InferenceOptions): InferenceResult {
  const { spec, minCell, where } = options;
  const features = encoder.features;
  const p = features.length;
  const count = new Float64Array(p);
  const pos = new Float64Array(p);
  for (let i = 0; i < X.rows; ++i) {
    for (let k = X.indptr[i]; k < X.indptr[i + 1]; ++k) {
      if (X.values[k] === 0) continue;
      count[X.indices[k]] += 1;
      pos[X.indices[k]] += y[i];
    }
  }
  const blocks = variableBlocks(encoder, count, spec, where);
  const isReference = new Uint8Array(p);
  for (const b of blocks) if (b.reference !== null) isReference[b.referenceIndex] = 1;
  const designOf = new Int32Array(p).fill(-1);
  const featureOf: number[] = [];
  for (let j = 0; j < p; ++j) if (!isReference[j]) designOf[j] = featureOf.push(j) - 1;
  const reduced = dropColumns(X, designOf, featureOf.length);
  const c = compressRows(reduced, y);
  const D: Matrix = sparseToDense(c.X);
  const w = c.w;
  const fit: LogisticInferenceFit =
    spec.method === "firth" ? fitLogisticFirth(D, c.y, { sampleWeight: w }) : fitLogisticMle(D, c.y, { sampleWeight: w });
  const aliased = new Set(fit.aliased);
  const profiled = [0];
  for (let d = 0; d < featureOf.length; ++d) if (!aliased.has(d) && count[featureOf[d]] >= minCell) profiled.push(d + 1);
  const ci: ParameterIntervals =
    spec.intervals === "profile" ? profileIntervals(D, c.y, fit, { sampleWeight: w, parameters: profiled }) : waldIntervals(fit);

  let events = 0;
  for (const v of y) events += v;
  const parameters = featureOf.length - aliased.size;
  const vif = varianceInflationFactors(D, { sampleWeight: w });
  const name = (d: number) => (d < 0 ? "1" : features[featureOf[d]].name);

  const variables: InferenceVariable[] = blocks.map((b) => {
    const cols = b.members.filter((j) => !isReference[j]).map((j) => designOf[j]);
    const lr = likelihoodRatioTest(D, c.y, fit, cols, { sampleWeight: w });
    return {
      column: b.column,
      kind: b.kind,
      reference: b.reference,
      reference_count: b.reference === null ? null : count[b.referenceIndex],
      reference_rule: b.reference === null ? null : b.rule,
      scale: b.scale,
      df: lr.df,
      statistic: lr.statistic,
      p_value: lr.pValue,
      rank: 0,
    };
  });
  const order = variables
    .map((v, i) => i)
    .sort((a, b) => {
      const pa = variables[a].p_value;
      const pb = variables[b].p_value;
      if (Number.isNaN(pa) !== Number.isNaN(pb)) return Number.isNaN(pa) ? 1 : -1;
      return pa - pb || variables[b].statistic - variables[a].statistic || cmp(variables[a].column, variables[b].column);
    });
  order.forEach((i, r) => (variables[i].rank = r + 1));

  const factors: InferenceFactor[] = [];
  let rank = 0;
  for (const i of order) {
    const b = blocks[i];
    const rows: InferenceFactor[] = [];
    for (const j of b.members) {
      if (isReference[j]) continue;
      const d = designOf[j];
      const f = features[j];
      const isAliased = aliased.has(d);
      const status: InferenceFactor["status"] = isAliased ? "aliased" : count[j] < minCell ? "below_min_cell" : "ranked";
      const coef = fit.coef[d];
      const lo = ci.lower[d + 1];
      const hi = ci.upper[d + 1];
      rows.push({
        feature: f.name,
        column: f.column,
        value: f.value,
        reference: b.reference,
        coefficient: coef,
        std_error: fit.se[d + 1],
        odds_ratio: Math.exp(coef),
        ci95: [Math.exp(lo), Math.exp(hi)],
        count: count[j],
        positives: pos[j],
        rank: null,
        status,
      });
    }
    const ranked = rows
      .filter((r) => r.status === "ranked")
      .sort((a, b) => evidence(b) - evidence(a) || Math.abs(b.coefficient) - Math.abs(a.coefficient) || cmp(a.feature, b.feature));
    for (const r of ranked) r.rank = ++rank;
    factors.push(...ranked, ...rows.filter((r) => r.status !== "ranked").sort((a, b) => cmp(a.feature, b.feature)));
  }

  const aliasList = aliasedColumns(D, { sampleWeight: w }).map((a) => ({
    feature: name(a.column),
    combination: a.combination.length ? a.combination.map((t, k) => term(t.coefficient, name(t.column), k === 0)).join(" ") : "0",
  }));
  const highVif: InferenceResult["high_vif"] = [];
  for (let d = 0; d < featureOf.length; ++d) if (!aliased.has(d) && vif[d] > VIF_LIMIT) highVif.push({ feature: name(d), vif: vif[d] });
  highVif.sort((a, b) => b.vif - a.vif || cmp(a.feature, b.feature));

  return {
    method: spec.method,
    intervals: spec.intervals,
    intercept: {
      coefficient: fit.intercept,
      ci95: [ci.lower[0], ci.upper[0]],
      odds: Math.exp(fit.intercept),
      risk: 1 / (1 + Math.exp(-fit.intercept)),
    },
    converged: fit.converged,
    iterations: fit.iterations,
    log_likelihood: fit.logLikelihood,
    penalized_log_likelihood: fit.penalizedLogLikelihood,
    distinct_rows: D.rows,
    rows: y.length,
    events,
    non_events: y.length - events,
    parameters,
    epv: eventsPerVariable(events, y.length - events, parameters),
    aliased: aliasList,
    high_vif: highVif,
    variables,
    factors,
  };
}

/** Strength of evidence of a level: |log| of its interval's bound nearest 1 when the interval excludes 1, else 0. */
function evidence(f: InferenceFactor): number {
  const [lo, hi] = f.ci95;
  if (lo > 1) return Math.log(lo);
  if (hi < 1) return -Math.log(hi);
  return 0;
}

function term(coefficient: number, name: string, first: boolean): string {
  const sign = coefficient < 0 ? "−" : "+";
  const mag = Math.abs(coefficient);
  const body = Math.abs(mag - 1) < 1e-9 ? name : `${Number(mag.toPrecision(4))}·${name}`;
  return first ? `${coefficient < 0 ? "−" : ""}${body}` : `${sign} ${body}`;
}

interface Block {
  column: string;
  kind: "categorical" | "numeric";
  /** Feature indices of the block, reference included. */
  members: number[];
  reference: string | null;
  referenceIndex: number;
  rule: "most_frequent" | "study_file";
  scale: number | null;
}

/** One block per categorical column (its levels, reference chosen) and per numeric feature, in encoder order. */
function variableBlocks(encoder: Encoder, count: Float64Array, spec: FactorsSpec, where: string): Block[] {
  const blocks: Block[] = [];
  const known = new Set([...encoder.categorical.map((c) => c.column), ...encoder.numeric.map((c) => c.column)]);
  for (const column of Object.keys(spec.reference)) {
    if (!known.has(column)) throw new UserError("risk.reference_level", msg.referenceColumnUnknown(where, column, [...known]));
  }
  let offset = 0;
  for (const c of encoder.categorical) {
    const members = c.levels.map((_, k) => offset + k);
    const wanted = Object.hasOwn(spec.reference, c.column) ? spec.reference[c.column] : undefined;
    let referenceIndex: number;
    if (wanted !== undefined) {
      const k = c.levels.indexOf(wanted);
      if (k < 0) throw new UserError("risk.reference_level", msg.referenceLevelUnknown(where, c.column, wanted, c.levels));
      referenceIndex = offset + k;
    } else {
      referenceIndex = members[0];
      for (const j of members) if (count[j] > count[referenceIndex]) referenceIndex = j;
    }
    blocks.push({
      column: c.column,
      kind: "categorical",
      members,
      reference: encoder.features[referenceIndex].value,
      referenceIndex,
      rule: wanted !== undefined ? "study_file" : "most_frequent",
      scale: null,
    });
    offset += c.levels.length;
  }
  for (const nc of encoder.numeric) {
    blocks.push({
      column: nc.column,
      kind: "numeric",
      members: [offset++],
      reference: null,
      referenceIndex: -1,
      rule: "most_frequent",
      scale: nc.scale,
    });
  }
  return blocks;
}

/** X without the columns that `designOf` maps to −1, the others renumbered. */
function dropColumns(X: SparseMatrix, designOf: Int32Array, cols: number): SparseMatrix {
  const indptr = new Int32Array(X.rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < X.rows; ++i) {
    for (let k = X.indptr[i]; k < X.indptr[i + 1]; ++k) {
      const d = designOf[X.indices[k]];
      if (d >= 0) {
        indices.push(d);
        values.push(X.values[k]);
      }
    }
    indptr[i + 1] = indices.length;
  }
  return { rows: X.rows, cols, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
