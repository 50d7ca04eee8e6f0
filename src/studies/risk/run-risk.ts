import type { Db } from "../../data/Db.js";
import { encodeSparse, fitEncoder, type FeatureInput } from "../../features/encode.js";
import { fitLogisticRegression } from "../../ml/logistic-regression.js";
import type { CompressedRows } from "../../ml/compress-rows.js";
import { take } from "../../ml/matrix.js";
import { classificationReportImbalanced } from "../../ml/metrics/classification.js";
import { distinctScores } from "../../ml/metrics/distinct-scores.js";
import { ranking } from "../../ml/metrics/ranking.js";
import { stratifiedHoldout, stratifiedKFold } from "../../ml/model-selection.js";
import { balancedSampleWeights, binaryClassCounts, randomOverSampleWeights, randomUnderSampleRows } from "../../ml/resample.js";
import { smoteCompressedSelected, smoteCost } from "../../ml/smote.js";
import { compressSelected, predictSelected, rowPatterns, type RowPatterns } from "../../ml/row-patterns.js";
import type { SparseMatrix } from "../../ml/sparse.js";
import { mean, sd } from "../../ml/stats.js";
import type { ResampleSpec, RiskSpec, RiskStudySpec } from "./spec.js";
import { assertUnreachable, UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { featureColumns, readFeatureInput, requireColumns } from "../analysis-table.js";
import type { Factor, LabelInfo, MeanSd, ComputedRiskResults as RiskResults } from "../../results/types.js";
import { createTableFromColumns } from "../../data/create-table.js";
import type { KindInput, KindOutput } from "../kind.js";
import { stableJson } from "../write-results.js";
import { bootstrapMetrics, type BootstrapMetric } from "./bootstrap-metrics.js";
import { calibrationMethod, fitCalibrator, priorShiftCalibrator, type Calibrator } from "./calibration.js";
import { comparisonRow, runSummaries, type ResamplingComparisonRow } from "./compare-resampling.js";
import {
  atTested,
  crossValidate,
  testedRows,
  type CrossValidation,
  type FoldMetrics,
  type ScoreRows,
  type TrainModel,
} from "./cross-validate.js";
import { fitInference, VIF_LIMIT } from "./inference.js";
import { labelDrift } from "./label-drift.js";
import { checkTargetNotFeature, leakageWarnings } from "./leakage.js";
import { rateFindings } from "./findings.js";
import type { RiskModelFile } from "./model-file.js";
import { columnRangeSql, duplicateIdsSql, epochMsSql, targetNotBinarySql, targetValuesSql } from "./sql.js";
import { readRowFilters, runLabelChecks, type RowFilters } from "./row-filters.js";
import { temporalSplitDated } from "./temporal-split.js";
import { costRatio, ruleThreshold, thresholdReason, thresholdRule } from "./threshold.js";
import { indicesWhere, iota, isIota, mapUint8 } from "../../util/typed-arrays.js";

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
  return (await db.queryNumbers(targetValuesSql(table, target))).columns[0];
}

function meanSd(values: number[]): MeanSd {
  return { mean: mean(values), sd: values.length > 1 ? sd(values) : 0, folds: values };
}

/**
 * The training rows, resampled, as the weighted distinct (row, label) pairs the fit takes, and the positive rate
 * they hold. The random resamplers and class weights are weights and a row order rather than copies (bit for bit
 * the copies' pairs); SMOTE's rows are merged as they are made (see smoteCompressed). The rows are grouped by the
 * design's patterns, found once for the whole run.
 */
function resampleTrain(
  X: SparseMatrix,
  patterns: RowPatterns,
  y: Float64Array,
  rows: Int32Array,
  spec: ResampleSpec,
  seed: number,
): { compressed: CompressedRows; rate: number } {
  const yt = isIota(rows, y.length) ? y : take(y, rows);
  switch (spec.method) {
    case "smote": {
      const { counts } = binaryClassCounts(yt);
      const minority = Math.min(counts[0], counts[1]);
      if (minority <= spec.k_neighbors) {
        throw new UserError("risk.smote_too_few", msg.smoteTooFew(spec.k_neighbors, minority));
      }
      const compressed = smoteCompressedSelected(X, patterns, y, rows, { kNeighbors: spec.k_neighbors, seed });
      // over merged pairs, the same sums: SMOTE's weights are counts, and its labels 0 or 1
      return { compressed, rate: weightedRate(compressed.y, compressed.w) };
    }
    case "random_over": {
      const w = randomOverSampleWeights(yt, { seed });
      return { compressed: compressSelected(X, patterns, y, rows, w), rate: weightedRate(yt, w) };
    }
    case "random_under": {
      const kept = randomUnderSampleRows(yt, { seed });
      return {
        compressed: compressSelected(
          X,
          patterns,
          y,
          kept.map((r) => rows[r]),
        ),
        rate: weightedRate(yt, undefined, kept),
      };
    }
    case "class_weight": {
      const w = balancedSampleWeights(yt);
      return { compressed: compressSelected(X, patterns, y, rows, w), rate: weightedRate(yt, w) };
    }
    case "none":
      return { compressed: compressSelected(X, patterns, y, rows), rate: weightedRate(yt) };
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
      const all = (await db.queryNumbers(epochMsSql(table, v.column))).columns[0];
      const times = take(all, keep);
      const testFrom = v.test_from ? Date.parse(v.test_from) : undefined;
      if (v.test_from && Number.isNaN(testFrom)) throw new UserError("study.invalid", msg.testFromNotDate(where, v.test_from));
      const { split, undated } = temporalSplitDated(times, { testFrom, testSize: v.test_size });
      let cut = Infinity;
      for (const i of split.test) cut = Math.min(cut, times[i]);
      return { method: v.method, splits: [split], cut: Number.isFinite(cut) ? new Date(cut).toISOString() : undefined, undated };
    }
    default:
      return assertUnreachable(v);
  }
}

/**
 * Fits the model on (resampled) training rows, merged into weighted distinct rows (same optimum, faster).
 * It runs to the gradient tolerance (`ftol: 0`): scipy's relative-decrease stop, which scikit-learn takes, ends
 * where the path happens to slow, and that point differs between the merged rows and the full design.
 */
function fit(c: CompressedRows, spec: RiskSpec) {
  return fitLogisticRegression(c.X, c.y, {
    C: spec.model.C,
    maxIter: spec.model.max_iter,
    tol: spec.model.tol,
    ftol: 0,
    sampleWeight: c.w,
  });
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
 * An odds ratio or bound to a relative precision of 5e-7 (as its log to 6 decimals): 6 decimals from 1 up, 7
 * significant digits below 1. Odds ratios span orders of magnitude (a large level with no events has a lower bound
 * near 1e-6), and 6 decimals would leave such a bound one digit, or 0.
 */
const roundOdds = (x: number) => (!Number.isFinite(x) || Math.abs(x) >= 1 ? round(x) : Number(x.toPrecision(7)));

/**
 * The risk study: binary target, one-hot features, resampling confined to training folds, L2 logistic regression
 * for scoring with its scores calibrated inside the training folds, imbalanced-class and calibration metrics, a
 * resampling comparison, reference-coded factors from a Firth inference model, rate findings with multiplicity
 * adjustment, leakage warnings and label checks.
 */
export async function runRisk(kindInput: KindInput, study: RiskStudySpec): Promise<KindOutput<RiskResults>> {
  const { db, table, file: where, logger } = kindInput;
  const spec = study.risk;
  const minCell = kindInput.minCell;
  const seed = kindInput.seed;
  const yAll = await readTarget(db, table, spec.target, where);
  if (spec.id) await warnDuplicateIds(db, table, spec.id, where, logger);
  const input: FeatureInput = await readFeatureInput(db, table, spec.features, `${where}: risk.features`, { logger });
  if (!Object.keys(input.categorical).length && !Object.keys(input.numeric).length) {
    throw new UserError("study.no_features", msg.riskNoFeatures(where));
  }
  const n0 = yAll.length;
  checkTargetNotFeature(
    input,
    yAll,
    indicesWhere(yAll, (v) => !Number.isNaN(v)),
    spec.target,
    where,
  );
  const filters = await readRowFilters(db, table, spec, where);
  const encoded = fitEncoder(input, {
    skip: [{ mask: mapUint8(yAll, (v) => (Number.isNaN(v) ? 1 : 0)), reason: `missing ${spec.target}` }, ...filters.skips],
    minFrequency: spec.features.min_frequency,
    missingCategorical: spec.features.missing.categorical,
    missingNumeric: spec.features.missing.numeric,
    excludeValues: spec.features.exclude_values,
    fold: spec.features.fold,
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
  const baseRate = positives / y.length;
  logger.info(`risk: ${y.length} rows, ${positives} positives (${((100 * positives) / y.length).toFixed(1)}%), ${names.length} features`);

  for (const w of leakageWarnings(input, yAll, keep, spec, minCell)) logger.warn(w);
  const label = await labelInfo(db, table, spec, yAll, keep, filters, where, minCell, logger);

  if (spec.resample.method === "smote") {
    // What SMOTE costs on all rows (each training fold is a share of it): a warning above a million minority rows
    const cost = smoteCost(X, y);
    if (cost.warn)
      logger.warn({
        code: "risk.smote_large",
        message: msg.smoteLarge(cost.minorityRows, cost.distinctMinorityRows, cost.syntheticRows, cost.outputBytes),
        minority_rows: cost.minorityRows,
        distinct_minority_rows: cost.distinctMinorityRows,
        synthetic_rows: cost.syntheticRows,
        output_bytes: cost.outputBytes,
      });
  }
  const { method, splits, cut, undated } = await makeSplits(db, table, spec, y, keep, seed, where);
  if (undated)
    logger.warn({
      code: "risk.temporal_undated",
      message: msg.temporalUndated(undated, spec.validation.method === "temporal" ? spec.validation.column : ""),
      rows: undated,
    });
  const oneClass = (rows: Int32Array) => rows.every((i) => y[i] === y[rows[0]]);
  for (let f = 0; f < splits.length; ++f) {
    const test = oneClass(splits[f].test);
    if (test || oneClass(splits[f].train)) {
      throw new UserError("risk.split_one_class", msg.splitOneClass(where, f + 1, test ? "test" : "training"));
    }
  }
  // L-BFGS fits that ran out of iterations, over every fit of the run (folds, inner folds, comparisons, final)
  const fits = { total: 0, maxIter: 0 };
  const patterns = rowPatterns(X);
  const train: TrainModel = (rows, resample, s) => {
    const r = resampleTrain(X, patterns, y, rows, resample, s);
    const model = fit(r.compressed, spec);
    fits.total++;
    if (model.stop === "max_iter") fits.maxIter++;
    return { model, resampledRate: r.rate };
  };
  const score: ScoreRows = (m, rows) => predictSelected(m, X, patterns, rows);
  const allRows = iota(y.length);
  const rule = thresholdRule(spec);
  const calibration = calibrationMethod(spec.calibration, spec.resample.method);
  const cvOptions = { train, score, innerFolds: spec.calibration.inner_folds, threshold: rule, seed };
  const cv = crossValidate(y, splits, { ...cvOptions, resample: spec.resample, calibration });
  const tested = testedRows(cv);
  const summaries = runSummaries(y, cv, spec.calibration.bins, tested);
  const per = summaries.folds;
  const cm: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  per.forEach((m, f) => {
    for (const a of [0, 1]) for (const b of [0, 1]) cm[a][b] += m.confusion[a][b];
    logger.info(
      `  ${method} split ${f + 1}/${splits.length}: balanced accuracy ${m.balanced_accuracy.toFixed(3)}, precision ${m.precision.toFixed(3)}, recall ${m.recall.toFixed(3)}, ROC AUC ${m.roc_auc.toFixed(3)}`,
    );
  });
  const yOof = atTested(y, tested);
  const sOof = atTested(cv.calibrated, tested);
  const rOof = atTested(cv.raw, tested);
  const report = outOfFoldReport(cv, tested, yOof, sOof);
  const { roc, pr } = ranking(yOof, sOof);
  const rocPts = thin(Array.from(roc.fpr, (x, i) => [x, roc.tpr[i]]));
  const prPts = thin(Array.from(pr.recall, (x, i) => [x, pr.precision[i]]));
  const { calibrated: cal, raw: calRaw } = summaries;
  const single = splits.length === 1 ? bootstrapMetrics(yOof, sOof, cv.folds[0].threshold, { seed }) : undefined;
  const metric = (k: keyof FoldMetrics & BootstrapMetric): MeanSd => ({
    ...meanSd(per.map((m) => round(m[k]))),
    ...(single ? { ci95: [round(single[k].ci95[0]), round(single[k].ci95[1])] as [number, number] } : {}),
  });

  let comparison: ResamplingComparisonRow[] = [];
  if (spec.compare_resampling) {
    // One cross-validation at a time, each kept only as its row of the comparison
    comparison = [comparisonRow(y, cv, spec.calibration.bins, true, summaries)];
    const others: ResampleSpec[] = [{ method: "none" }, { method: "class_weight" }];
    for (const other of others) {
      if (other.method === spec.resample.method) continue;
      const otherCalibration =
        spec.calibration.method === "platt" || spec.calibration.method === "isotonic"
          ? calibration
          : calibrationMethod({ ...spec.calibration, method: "auto" }, other.method);
      const run = crossValidate(y, splits, { ...cvOptions, resample: other, calibration: otherCalibration });
      comparison.push(comparisonRow(y, run, spec.calibration.bins, false));
    }
    for (const row of comparison.slice(1))
      logger.info(
        `  compared: ${row.resample} gives ROC AUC ${row.roc_auc.mean.toFixed(3)}, Brier ${row.brier.toFixed(4)} (chosen ${spec.resample.method}: ${comparison[0].roc_auc.mean.toFixed(3)}, ${comparison[0].brier.toFixed(4)})`,
      );
  }

  const final = train(allRows, spec.resample, seed);
  const model = final.model;
  if (fits.maxIter)
    logger.warn({
      code: "risk.model_not_converged",
      message: msg.modelNotConverged(spec.model.max_iter, spec.model.tol, fits.maxIter, fits.total, model.stop === "max_iter"),
      max_iter: spec.model.max_iter,
      fits: fits.total,
      not_converged: fits.maxIter,
      final: model.stop === "max_iter",
    });
  const calibrator: Calibrator =
    calibration === "none"
      ? { method: "none" }
      : calibration === "prior_shift"
        ? priorShiftCalibrator(baseRate, final.resampledRate)
        : fitCalibrator(calibration, rOof, yOof);
  const threshold = ruleThreshold(rule, baseRate, sOof);
  const reason = thresholdReason(rule, threshold, baseRate);

  const inference = fitInference(encoded.encoder, X, y, { spec: spec.factors, minCell, where });
  if (!inference.converged) logger.warn({ code: "risk.inference_not_converged", message: msg.inferenceNotConverged(inference.method) });
  if (inference.epv < 10)
    logger.warn({
      code: "risk.low_epv",
      message: msg.lowEpv(inference.epv, Math.min(inference.events, inference.non_events), inference.parameters),
      epv: round(inference.epv, 3),
    });
  if (inference.aliased.length)
    logger.warn({ code: "risk.aliased", message: msg.aliasedLevels(inference.aliased), columns: inference.aliased.map((a) => a.feature) });
  if (inference.high_vif.length)
    logger.warn({
      code: "risk.collinear",
      message: msg.collinearLevels(inference.high_vif, VIF_LIMIT),
      columns: inference.high_vif.map((a) => a.feature),
    });
  const factors: Factor[] = inference.factors.map((f) => ({
    ...f,
    coefficient: round(f.coefficient),
    std_error: round(f.std_error),
    odds_ratio: roundOdds(f.odds_ratio),
    ci95: [roundOdds(f.ci95[0]), roundOdds(f.ci95[1])],
  }));

  const { findings, tests } = rateFindings(input, yAll, keep, spec, spec.target);
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
    threshold,
    resample: spec.resample.method,
    calibration: calibrator,
    threshold_reason: reason,
    input_types: await inputTypes(db, table, [...featureColumns(spec.features), ...(spec.id ? [spec.id] : [])]),
  };
  // The calibrated scores of the tested rows, NaN elsewhere: cv.calibrated itself (tested rows are where it is a number)
  const scoresCal = cv.calibrated;
  let scoresRaw = cv.raw;
  if (tested.length !== y.length) {
    scoresRaw = new Float64Array(y.length).fill(NaN);
    tested.forEach((i, k) => (scoresRaw[i] = rOof[k]));
  }
  const single1 = method !== "stratified_kfold";

  return {
    results: {
      target: spec.target,
      eligibility: {
        table: study.table ?? study.prepare.at(-1)?.name ?? Object.keys(study.sources)[0],
        steps: study.prepare.map((p) => ({ name: p.name, sql: p.sql })),
      },
      label,
      validation: {
        method,
        folds: splits.length,
        resample: spec.resample.method,
        calibration,
        ...(calibration === "platt" || calibration === "isotonic" ? { inner_folds: spec.calibration.inner_folds } : {}),
        ...(single1 ? { train_rows: splits[0].train.length, test_rows: splits[0].test.length } : {}),
        ...(method === "temporal" ? { undated } : {}),
        ...(cut ? { cut } : {}),
      },
      threshold: round(threshold, 9),
      threshold_rule: {
        method: rule.method,
        ...(rule.method === "fixed" ? { value: rule.value } : {}),
        ...(rule.method === "top_share" ? { share: rule.share } : {}),
        ...(rule.method === "cost" ? { cost_ratio: round(costRatio(rule, baseRate)), balanced: rule.cost_ratio === "balanced" } : {}),
        folds: cv.folds.map((f) => round(f.threshold, 9)),
        reason,
      },
      model: {
        type: spec.model.type,
        C: spec.model.C,
        converged: model.converged,
        role: "scoring",
        resample: spec.resample.method,
        resampled_rate: round(final.resampledRate),
        intercept: round(model.intercept),
        calibration: roundDeep(calibrator),
        coefficients: names.map((feature, j) => ({ feature, coefficient: round(model.coef[j]) })),
      },
      metrics: {
        balanced_accuracy: metric("balanced_accuracy"),
        precision: metric("precision"),
        recall: metric("recall"),
        f1: metric("f1"),
        roc_auc: metric("roc_auc"),
        pr_auc: metric("pr_auc"),
        confusion_matrix: cm,
        classification_report: roundReport(report),
        calibration: {
          method: calibration,
          ...roundDeep(cal),
          raw: roundDeep({
            brier: calRaw.brier,
            mean_predicted: calRaw.mean_predicted,
            intercept: calRaw.intercept,
            slope: calRaw.slope,
            ece: calRaw.ece,
          }),
        },
        ...(single ? { brier_ci95: [round(single.brier.ci95[0]), round(single.brier.ci95[1])] as [number, number] } : {}),
      },
      resampling_comparison: roundDeep(comparison),
      curves: {
        roc: { fpr: rocPts.map((p) => round(p[0], 4)), tpr: rocPts.map((p) => round(p[1], 4)) },
        pr: { recall: prPts.map((p) => round(p[0], 4)), precision: prPts.map((p) => round(p[1], 4)) },
        top_share: topShare(yOof, sOof),
      },
      inference: roundDeep({ ...inference, factors: undefined }),
      factors,
      findings: findings.map((f) => ({ ...f, p_value: roundSig(f.p_value), q_value: roundSig(f.q_value) })),
      multiple_testing: tests,
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
    rowOutput: { table: await writeRowOutput(db, expand(scoresCal, keep, n0), expand(scoresRaw, keep, n0)) },
    design: { X, names, keep, ...(spec.id ? { id: spec.id } : {}) },
    files: [{ name: "model.json", text: stableJson(modelFile) }],
  };
}

/** Positive rate of labels `y` under weights `w` (default 1). */
function weightedRate(y: Float64Array, w?: Float64Array, rows?: Int32Array): number {
  let s = 0;
  let t = 0;
  const n = rows ? rows.length : y.length;
  for (let r = 0; r < n; ++r) {
    const i = rows ? rows[r] : r;
    const wi = w ? w[i] : 1;
    s += wi * y[i];
    t += wi;
  }
  return s / t;
}

/** The label window, the drift check and the label checks, with their warnings. */
async function labelInfo(
  db: Db,
  table: string,
  spec: RiskSpec,
  yAll: Float64Array,
  keep: Int32Array,
  filters: RowFilters,
  where: string,
  minCell: number,
  logger: KindInput["logger"],
): Promise<LabelInfo> {
  const drift = filters.times ? labelDrift(filters.times, yAll, keep, spec.label.drift) : null;
  if (drift?.drifts && drift.first && drift.last && drift.highest && drift.lowest) {
    logger.warn({
      code: "risk.label_drift",
      message: msg.labelDrift(spec.target, {
        first: drift.first.period,
        firstRate: drift.first.rate,
        last: drift.last.period,
        lastRate: drift.last.rate,
        high: drift.highest.period,
        highRate: drift.highest.rate,
        low: drift.lowest.period,
        lowRate: drift.lowest.rate,
        p: drift.p_value,
      }),
      ratio: round(drift.ratio),
      p_value: roundSig(drift.p_value),
    });
  }
  const checks = await runLabelChecks(db, table, spec, yAll, keep, where);
  let total = 0;
  for (const i of keep) total += yAll[i];
  for (const c of checks) {
    if (c.rows === 0) continue;
    logger.warn({
      code: "risk.label_check",
      message: msg.labelCheck(spec.target, c.name, { positives: c.positives, negatives: c.negatives, total, minCell }),
      check: c.name,
    });
  }
  return {
    censor_before: spec.label.censor_before ?? null,
    censor_after: spec.label.censor_after ?? null,
    censored_before: filters.censored.before,
    censored_after: filters.censored.after,
    undated: filters.censored.undated,
    drift: drift ? roundDeep({ ...drift, undated: undefined }) : null,
    checks,
  };
}

/** Rounds a p-value to 4 significant digits (tiny p-values keep their magnitude). */
function roundSig(p: number): number {
  return Number.isFinite(p) && p > 0 ? Number(p.toPrecision(4)) : p;
}

/** Rounds every non-integer number of a plain value to 7 significant digits, so p-values keep their size (undefined keys dropped). */
function roundDeep<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_, v: unknown) =>
      typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(7)) : v,
    ),
  ) as T;
}

/** `_risk_rows`: the out-of-fold calibrated risk (`_score`) and raw score (`_score_raw`) of each analysis row. */
async function writeRowOutput(db: Db, scores: Float64Array, raw: Float64Array): Promise<string> {
  const table = "_risk_rows";
  await createTableFromColumns(db, table, [
    { name: "_row", type: "INTEGER", values: iota(scores.length) },
    { name: "_score", type: "DOUBLE", values: scores },
    { name: "_score_raw", type: "DOUBLE", values: raw },
  ]);
  return table;
}

/**
 * imbalanced-learn's classification report of the out-of-fold predictions: each tested row flagged at its own
 * split's threshold. A function of its own so that its row-sized arrays do not live as long as the run.
 */
function outOfFoldReport(cv: CrossValidation, tested: Int32Array, yOof: Float64Array, sOof: Float64Array) {
  const foldOf = new Int32Array(cv.calibrated.length);
  cv.folds.forEach((fold, f) => {
    for (const i of fold.test) foldOf[i] = f;
  });
  const predOof = new Float64Array(tested.length);
  for (let k = 0; k < tested.length; ++k) predOof[k] = sOof[k] >= cv.folds[foldOf[tested[k]]].threshold ? 1 : 0;
  return classificationReportImbalanced(yOof, predOof);
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

/**
 * "Flag the top share of rows by score": recall and precision at each share. Rows are ranked by score, highest
 * first, ties by row order; the ranking is read from the distinct scores with their counts (a one-hot model gives
 * a few thousand distinct scores to a million rows), and only a tie cut by a share is looked up row by row.
 */
export function topShare(y: Float64Array, s: Float64Array) {
  const n = s.length;
  const { values, counts, positives, index } = distinctScores(s, y);
  let total = 0;
  for (const v of positives) total += v;
  const out = [];
  for (const share of [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5]) {
    const m = Math.max(1, Math.round(share * n));
    let taken = 0;
    let tp = 0;
    // Distinct scores from the highest down, until the one whose rows reach m.
    let last = values.length - 1;
    while (taken + counts[last] < m) {
      taken += counts[last];
      tp += positives[last];
      --last;
    }
    // The last score flagged: all of its rows, or its first rows in row order.
    if (taken + counts[last] === m) tp += positives[last];
    else {
      for (let i = 0, left = m - taken; left > 0; ++i) {
        if (index[i] !== last) continue;
        tp += y[i];
        --left;
      }
    }
    out.push({ share, threshold: round(values[last]), recall: round(tp / total), precision: round(tp / m) });
  }
  return out;
}

function expand(values: Float64Array, keep: Int32Array, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  for (let r = 0; r < keep.length; ++r) out[keep[r]] = values[r];
  return out;
}

/** DuckDB type of each of `columns` in the analysis table, for model.json (score reads new rows with them). */
async function inputTypes(db: KindInput["db"], table: string, columns: string[]): Promise<Record<string, string>> {
  const types = new Map((await db.columns(table)).map((c) => [c.name, c.type]));
  return Object.fromEntries(columns.flatMap((c) => (types.has(c) ? [[c, types.get(c) ?? "VARCHAR"]] : [])));
}

/** Warns (data.duplicate_ids) when the study's id column holds an id in more than one row. */
async function warnDuplicateIds(db: KindInput["db"], table: string, id: string, where: string, logger: KindInput["logger"]): Promise<void> {
  const [row] = await db.query(duplicateIdsSql(table, id));
  const ids = Number(row.ids);
  if (!ids) return;
  const rows = Number(row.rows);
  const examples = (row.examples as string[] | null) ?? [];
  logger.warn({ code: "data.duplicate_ids", message: msg.duplicateIds(where, id, ids, rows, examples), column: id, ids, rows, examples });
}
