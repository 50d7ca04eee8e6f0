import type { Db } from "../../data/Db.js";
import { encodeSparse, fitEncoder, type FeatureInput } from "../../features/encode.js";
import { coefficientStandardErrors, fitLogisticRegression, predictProba } from "../../ml/logistic-regression.js";
import { compressRows } from "../../ml/compress-rows.js";
import { take } from "../../ml/matrix.js";
import {
  balancedAccuracy,
  classificationReportImbalanced,
  confusionMatrix,
  f1,
  precision,
  recall,
} from "../../ml/metrics/classification.js";
import { averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from "../../ml/metrics/ranking.js";
import { stratifiedHoldout, stratifiedKFold, temporalSplit } from "../../ml/model-selection.js";
import { balancedSampleWeights, randomOverSample, randomUnderSample } from "../../ml/resample.js";
import { smote } from "../../ml/smote.js";
import { sparseTakeRows, type SparseMatrix } from "../../ml/sparse.js";
import { mean, sd } from "../../ml/stats.js";
import type { ResampleSpec, RiskSpec, RiskStudySpec } from "./spec.js";
import { assertUnreachable, UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { readFeatureInput, requireColumns } from "../analysis-table.js";
import type { Factor, Finding, MeanSd, RiskResults } from "../../results/types.js";
import { createTableFromColumns } from "../../data/create-table.js";
import type { KindInput, KindOutput } from "../kind.js";
import { stableJson } from "../write-results.js";
import { leakageWarnings } from "./leakage.js";
import { rateFindings } from "./findings.js";
import type { RiskModelFile } from "./model-file.js";
import { columnRangeSql, epochMsSql, targetNotBinarySql, targetValuesSql } from "./sql.js";

/** Reads the binary target as 0/1 (NaN when missing); accepts 0/1, true/false and yes/no text. */
async function readTarget(db: Db, table: string, target: string, where: string): Promise<Float64Array> {
  const bad = await db.query(targetNotBinarySql(table, target));
  if (bad.length) {
    throw new UserError(
      "data.target_not_binary",
      msg.targetNotBinary(
        where,
        target,
        bad.map((b) => b.v),
      ),
    );
  }
  const { columns } = await db.queryColumns(targetValuesSql(table, target));
  return Float64Array.from(columns[0] as (number | null)[], (v) => (v === null ? NaN : v));
}

function meanSd(values: number[]): MeanSd {
  return { mean: mean(values), sd: values.length > 1 ? sd(values) : 0, folds: values };
}

function resampleTrain(
  X: SparseMatrix,
  y: Float64Array,
  spec: ResampleSpec,
  seed: number,
): { X: SparseMatrix; y: Float64Array; w?: Float64Array } {
  switch (spec.method) {
    case "smote": {
      const minority = Math.min(...[0, 1].map((c) => y.filter((v) => v === c).length));
      if (minority <= spec.k_neighbors) {
        throw new UserError("risk.smote_too_few", msg.smoteTooFew(spec.k_neighbors, minority));
      }
      return smote(X, y, { kNeighbors: spec.k_neighbors, seed });
    }
    case "random_over":
      return randomOverSample(X, y, { seed });
    case "random_under":
      return randomUnderSample(X, y, { seed });
    case "class_weight":
      return { X, y, w: balancedSampleWeights(y) };
    case "none":
      return { X, y };
    default:
      return assertUnreachable(spec);
  }
}

/** Splits into train/test index sets (indices into the kept rows). */
async function makeSplits(db: Db, table: string, spec: RiskSpec, y: Float64Array, keep: Int32Array, seed: number, where: string) {
  const v = spec.validation;
  switch (v.method) {
    case "stratified_kfold":
      return { method: v.method, splits: stratifiedKFold(y, { folds: v.folds, shuffle: true, seed }) };
    case "holdout":
      return { method: v.method, splits: [stratifiedHoldout(y, { testSize: v.test_size, seed })] };
    case "temporal": {
      const types = await requireColumns(db, table, [v.column], `${where}: risk.validation.column`);
      if (!/TIMESTAMP|DATE/.test(types.get(v.column) ?? "")) {
        throw new UserError("data.not_date", msg.validationColumnNotDate(where, v.column, types.get(v.column)));
      }
      const { columns } = await db.queryColumns(epochMsSql(table, v.column));
      const all = columns[0] as (number | null)[];
      const times = Float64Array.from(keep, (i) => all[i] ?? NaN);
      const testFrom = v.test_from ? Date.parse(v.test_from) : undefined;
      if (v.test_from && Number.isNaN(testFrom)) throw new UserError("study.invalid", msg.testFromNotDate(where, v.test_from));
      const split = temporalSplit(times, { testFrom, testSize: v.test_size });
      let cut = Infinity;
      for (const i of split.test) cut = Math.min(cut, times[i]);
      return { method: v.method, splits: [split], cut: Number.isFinite(cut) ? new Date(cut).toISOString() : undefined };
    }
    default:
      return assertUnreachable(v);
  }
}

/** Fits the model on (resampled) training rows, merged into weighted distinct rows first (same optimum, faster). */
function fit(r: { X: SparseMatrix; y: Float64Array; w?: Float64Array }, spec: RiskSpec) {
  const c = compressRows(r.X, r.y, r.w);
  return fitLogisticRegression(c.X, c.y, { C: spec.model.C, maxIter: spec.model.max_iter, tol: spec.model.tol, sampleWeight: c.w });
}

/** Thins a curve to at most `max` points, keeping the ends. */
function thin<T>(xs: T[], max = 300): T[] {
  if (xs.length <= max) return xs;
  const out: T[] = [];
  const step = (xs.length - 1) / (max - 1);
  for (let i = 0; i < max; ++i) out.push(xs[Math.round(i * step)]);
  return out;
}

const round = (x: number, d = 6) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * The risk study: binary target, one-hot features, resampling confined to training folds, L2 logistic regression,
 * imbalanced-class metrics, odds-ratio factors, rate findings and leakage warnings.
 */
export async function runRisk(kindInput: KindInput, study: RiskStudySpec): Promise<KindOutput<RiskResults>> {
  const { db, table, file: where, logger } = kindInput;
  const spec = study.risk;
  const seed = kindInput.seed;
  const yAll = await readTarget(db, table, spec.target, where);
  const input: FeatureInput = await readFeatureInput(db, table, spec.features, `${where}: risk.features`, { logger });
  if (!Object.keys(input.categorical).length && !Object.keys(input.numeric).length) {
    throw new UserError("study.no_features", msg.riskNoFeatures(where));
  }
  const n0 = yAll.length;
  const encoded = fitEncoder(input, {
    skip: { mask: Uint8Array.from(yAll, (v) => (Number.isNaN(v) ? 1 : 0)), reason: `missing ${spec.target}` },
    minFrequency: spec.features.min_frequency,
    missingCategorical: spec.features.missing.categorical,
    missingNumeric: spec.features.missing.numeric,
    excludeValues: spec.features.exclude_values,
    standardize: true,
  });
  const dropped = encoded.dropped;
  const keep = encoded.keep;
  const y = take(yAll, keep);
  const positives = y.reduce((s, v) => s + v, 0);
  if (yAll.every((v) => Number.isNaN(v))) {
    throw new UserError("data.target_empty", msg.targetEmpty(where, spec.target, yAll.length));
  }
  if (y.length === 0) {
    throw new UserError("data.no_rows_left", msg.noRowsLeft(where, dropped));
  }
  if (positives === 0 || positives === y.length) {
    throw new UserError("data.one_class", msg.targetOneClass(where, spec.target, positives, y.length));
  }
  for (const [reason, count] of Object.entries(dropped)) {
    logger.warn({ code: "data.rows_dropped", message: msg.rowsDropped(count, reason), reason, rows: count });
  }
  const { X } = encodeSparse(encoded.encoder, input, keep);
  const names = encoded.encoder.features.map((f) => f.name);
  logger.info(`risk: ${y.length} rows, ${positives} positives (${((100 * positives) / y.length).toFixed(1)}%), ${names.length} features`);

  for (const w of leakageWarnings(input, yAll, keep, spec)) logger.warn(w);

  const { method, splits, cut } = await makeSplits(db, table, spec, y, keep, seed, where);
  const scores = new Float64Array(y.length).fill(NaN);
  const per: Record<string, number[]> = { balanced_accuracy: [], precision: [], recall: [], f1: [], roc_auc: [], pr_auc: [] };
  const cm: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  const testIdx: number[] = [];
  for (let f = 0; f < splits.length; ++f) {
    const { train, test } = splits[f];
    const yTrain = take(y, train);
    const yTest = take(y, test);
    if (yTest.every((v) => v === yTest[0]) || yTrain.every((v) => v === yTrain[0])) {
      throw new UserError(
        "risk.split_one_class",
        msg.splitOneClass(where, f + 1, yTest.every((v) => v === yTest[0]) ? "test" : "training"),
      );
    }
    const r = resampleTrain(sparseTakeRows(X, train), yTrain, spec.resample, seed + f);
    const model = fit(r, spec);
    const p = predictProba(model, sparseTakeRows(X, test));
    const pred = Float64Array.from(p, (v) => (v >= spec.threshold ? 1 : 0));
    for (let i = 0; i < test.length; ++i) {
      scores[test[i]] = p[i];
      testIdx.push(test[i]);
    }
    per.balanced_accuracy.push(balancedAccuracy(yTest, pred));
    per.precision.push(precision(yTest, pred));
    per.recall.push(recall(yTest, pred));
    per.f1.push(f1(yTest, pred));
    per.roc_auc.push(rocAuc(yTest, p));
    per.pr_auc.push(averagePrecision(yTest, p));
    const c = confusionMatrix(yTest, pred);
    cm[0][0] += c[0][0];
    cm[0][1] += c[0][1];
    cm[1][0] += c[1][0];
    cm[1][1] += c[1][1];
    logger.info(
      `  ${method} split ${f + 1}/${splits.length}: balanced accuracy ${per.balanced_accuracy[f].toFixed(3)}, precision ${per.precision[f].toFixed(3)}, recall ${per.recall[f].toFixed(3)}, ROC AUC ${per.roc_auc[f].toFixed(3)}`,
    );
  }
  testIdx.sort((a, b) => a - b);
  const yOof = Float64Array.from(testIdx, (i) => y[i]);
  const sOof = Float64Array.from(testIdx, (i) => scores[i]);
  const predOof = Float64Array.from(sOof, (v) => (v >= spec.threshold ? 1 : 0));
  const report = classificationReportImbalanced(yOof, predOof);
  const roc = rocCurve(yOof, sOof);
  const pr = precisionRecallCurve(yOof, sOof);
  const rocPts = thin(Array.from(roc.fpr, (x, i) => [x, roc.tpr[i]]));
  const prPts = thin(Array.from(pr.recall, (x, i) => [x, pr.precision[i]]));

  const model = fit(resampleTrain(X, y, spec.resample, seed), spec);
  const compact = compressRows(X, y);
  const plain = fitLogisticRegression(compact.X, compact.y, {
    C: spec.model.C,
    maxIter: spec.model.max_iter,
    tol: spec.model.tol,
    sampleWeight: compact.w,
  });
  const se = coefficientStandardErrors(plain, compact.X, compact.w);
  const counts = columnCounts(X);
  const factors: Factor[] = encoded.encoder.features.map((f, j) => {
    const b = plain.coef[j];
    const s = se.coef[j];
    return {
      feature: f.name,
      column: f.column,
      value: f.value,
      coefficient: round(b),
      std_error: round(s),
      odds_ratio: round(Math.exp(b)),
      ci95: [round(Math.exp(b - 1.959963984540054 * s)), round(Math.exp(b + 1.959963984540054 * s))],
      count: counts[j],
    };
  });
  factors.sort((a, b) => b.coefficient - a.coefficient || (a.feature < b.feature ? -1 : 1));

  const findings: Finding[] = rateFindings(input, yAll, keep, spec, spec.target);
  const baseRate = positives / y.length;
  const modelFile: RiskModelFile = {
    openbeat_model: 1,
    study: study.name,
    kind: "risk",
    target: spec.target,
    id: spec.id ?? null,
    features: spec.features,
    encoder: encoded.encoder,
    coef: Array.from(model.coef),
    intercept: model.intercept,
    threshold: spec.threshold,
    resample: spec.resample.method,
  };

  return {
    results: {
      target: spec.target,
      validation: {
        method,
        folds: splits.length,
        resample: spec.resample.method,
        ...(method !== "stratified_kfold" ? { train_rows: splits[0].train.length, test_rows: splits[0].test.length } : {}),
        ...(cut ? { cut } : {}),
      },
      threshold: spec.threshold,
      model: { type: spec.model.type, C: spec.model.C, converged: model.converged },
      metrics: {
        balanced_accuracy: meanSd(per.balanced_accuracy.map((x) => round(x))),
        precision: meanSd(per.precision.map((x) => round(x))),
        recall: meanSd(per.recall.map((x) => round(x))),
        f1: meanSd(per.f1.map((x) => round(x))),
        roc_auc: meanSd(per.roc_auc.map((x) => round(x))),
        pr_auc: meanSd(per.pr_auc.map((x) => round(x))),
        confusion_matrix: cm,
        classification_report: roundReport(report),
      },
      curves: {
        roc: { fpr: rocPts.map((p) => round(p[0], 4)), tpr: rocPts.map((p) => round(p[1], 4)) },
        pr: { recall: prPts.map((p) => round(p[0], 4)), precision: prPts.map((p) => round(p[1], 4)) },
        top_share: topShare(yOof, sOof),
      },
      factors,
      findings,
      base_rate: round(baseRate),
      data: {
        rows: y.length,
        features: names.length,
        table_rows: n0,
        dropped,
        missing: encoded.missing,
        positives,
        ...(await dateRange(db, table, spec.date)),
      },
    },
    rowOutput: { table: await writeRowOutput(db, expand(scores, keep, n0)) },
    design: { X, names, keep, ...(spec.id ? { id: spec.id } : {}) },
    files: [{ name: "model.json", text: stableJson(modelFile) }],
  };
}

/** `_risk_rows`: the out-of-fold score of each analysis row, for prepared.parquet. */
async function writeRowOutput(db: Db, scores: Float64Array): Promise<string> {
  const table = "_risk_rows";
  await createTableFromColumns(db, table, [
    { name: "_row", type: "INTEGER", values: Int32Array.from(scores.keys()) },
    { name: "_score", type: "DOUBLE", values: scores },
  ]);
  return table;
}

/** Range of the study's date column, for the report. */
async function dateRange(db: Db, table: string, column: string | undefined) {
  if (!column) return {};
  const [r] = await db.query(columnRangeSql(table, column));
  return { date_range: { column, min: (r.lo as string | null) ?? null, max: (r.hi as string | null) ?? null } };
}

function roundReport(r: ReturnType<typeof classificationReportImbalanced>) {
  const out: Record<string, Record<string, number>> = {};
  for (const [k, v] of Object.entries(r)) {
    out[k] = {};
    for (const [m, x] of Object.entries(v as Record<string, number>)) out[k][m] = m === "sup" ? x : round(x);
  }
  return out as unknown as RiskResults["metrics"]["classification_report"];
}

/** "Flag the top share of rows by score": recall and precision at each share. */
function topShare(y: Float64Array, s: Float64Array) {
  const order = Array.from(s.keys()).sort((a, b) => s[b] - s[a] || a - b);
  const total = y.reduce((a, v) => a + v, 0);
  const out = [];
  for (const share of [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5]) {
    const m = Math.max(1, Math.round(share * order.length));
    let tp = 0;
    for (let i = 0; i < m; ++i) tp += y[order[i]];
    out.push({ share, threshold: round(s[order[m - 1]]), recall: round(tp / total), precision: round(tp / m) });
  }
  return out;
}

function columnCounts(X: SparseMatrix): number[] {
  const c = new Array<number>(X.cols).fill(0);
  for (let k = 0; k < X.indices.length; ++k) if (X.values[k] !== 0) c[X.indices[k]]++;
  return c;
}

function expand(values: Float64Array, keep: Int32Array, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  for (let r = 0; r < keep.length; ++r) out[keep[r]] = values[r];
  return out;
}
