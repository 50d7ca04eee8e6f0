/**
 * Binary classification metrics over hard predictions, named as scikit-learn's (camelCased), positive label 1.
 * Every function takes `(yTrue, yPred)` as Float64Arrays of 0/1. Where a ratio has a zero denominator the
 * metric is 0, as scikit-learn's default `zero_division="warn"` returns (without the warning).
 */

/** Confusion counts [[tn, fp], [fn, tp]], as `sklearn.metrics.confusion_matrix(y, p, labels=[0, 1])`. */
export function confusionMatrix(yTrue: Float64Array, yPred: Float64Array): Confusion {
  const n = yTrue.length;
  if (yPred.length !== n) throw new Error(`invalid yPred: length ${yPred.length} (expected ${n})`);
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let tp = 0;
  for (let i = 0; i < n; ++i) {
    const t = yTrue[i];
    const p = yPred[i];
    if ((t !== 0 && t !== 1) || (p !== 0 && p !== 1)) throw new Error(`invalid label at ${i}: ${t}, ${p} (expected 0 or 1)`);
    if (t === 1) {
      if (p === 1) ++tp;
      else ++fn;
    } else if (p === 1) ++fp;
    else ++tn;
  }
  return [
    [tn, fp],
    [fn, tp],
  ];
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Confusion counts [[tn, fp], [fn, tp]], as {@link confusionMatrix} returns them. */
export type Confusion = [[number, number], [number, number]];

/**
 * The metrics below from confusion counts already made (a bootstrap counts each resample once for all of them):
 * the same arithmetic, so the same values.
 */
export const ofConfusion = {
  /** tp / (tp + fp); 0 when nothing is predicted positive. */
  precision: ([[, fp], [, tp]]: Confusion): number => ratio(tp, tp + fp),
  /** tp / (tp + fn) (sensitivity); 0 when there are no positives. */
  recall: ([, [fn, tp]]: Confusion): number => ratio(tp, tp + fn),
  /** tn / (tn + fp); 0 when there are no negatives. */
  specificity: ([[tn, fp]]: Confusion): number => ratio(tn, tn + fp),
  /** 2·tp / (2·tp + fp + fn) as the harmonic mean of precision and recall; 0 when both are undefined or 0. */
  f1: ([[, fp], [fn, tp]]: Confusion): number => {
    const p = ratio(tp, tp + fp);
    const r = ratio(tp, tp + fn);
    return p + r === 0 ? 0 : (2 * p * r) / (p + r);
  },
  /** Mean of recall and specificity over the classes present. */
  balancedAccuracy: ([[tn, fp], [fn, tp]]: Confusion): number => {
    const rates: number[] = [];
    if (tn + fp > 0) rates.push(tn / (tn + fp));
    if (tp + fn > 0) rates.push(tp / (tp + fn));
    return rates.length ? rates.reduce((s, v) => s + v, 0) / rates.length : 0;
  },
};

/** tp / (tp + fp); 0 when nothing is predicted positive. */
export function precision(yTrue: Float64Array, yPred: Float64Array): number {
  return ofConfusion.precision(confusionMatrix(yTrue, yPred));
}

/** tp / (tp + fn) (sensitivity); 0 when there are no positives. */
export function recall(yTrue: Float64Array, yPred: Float64Array): number {
  return ofConfusion.recall(confusionMatrix(yTrue, yPred));
}

/** tn / (tn + fp); 0 when there are no negatives (imbalanced-learn's `specificity_score`). */
export function specificity(yTrue: Float64Array, yPred: Float64Array): number {
  return ofConfusion.specificity(confusionMatrix(yTrue, yPred));
}

/** 2·tp / (2·tp + fp + fn), the harmonic mean of precision and recall; 0 when both are undefined or 0. */
export function f1(yTrue: Float64Array, yPred: Float64Array): number {
  return ofConfusion.f1(confusionMatrix(yTrue, yPred));
}

/**
 * Mean of recall and specificity, as `balanced_accuracy_score`. With only one class in yTrue, scikit-learn
 * averages over the classes present; so does this.
 */
export function balancedAccuracy(yTrue: Float64Array, yPred: Float64Array): number {
  return ofConfusion.balancedAccuracy(confusionMatrix(yTrue, yPred));
}

/** √(recall · specificity), imbalanced-learn's `geometric_mean_score(average="binary")`. */
export function geometricMean(yTrue: Float64Array, yPred: Float64Array): number {
  return Math.sqrt(recall(yTrue, yPred) * specificity(yTrue, yPred));
}

/** One class's row of {@link classificationReportImbalanced}. */
export interface ImbalancedReportRow {
  pre: number;
  rec: number;
  spe: number;
  f1: number;
  geo: number;
  iba: number;
  sup: number;
}

/** Per-class rows "0" and "1" and their support-weighted average (sup = total). */
export interface ImbalancedReport {
  "0": ImbalancedReportRow;
  "1": ImbalancedReportRow;
  avg: ImbalancedReportRow;
}

/**
 * imbalanced-learn's `classification_report_imbalanced(yTrue, yPred, labels=[0, 1], alpha, output_dict=True)`:
 * per class c (taken as the positive label) precision, recall, specificity, F1, geometric mean √(rec·spe) and the
 * index balanced accuracy iba = (1 + α·(rec − spe))·geo², with support; `avg` weights each by support
 * (`avg_*` and `total_support` in imbalanced-learn). Zero denominators give 0.
 * @param alpha dominance weight of the IBA (default 0.1)
 */
export function classificationReportImbalanced(
  yTrue: Float64Array,
  yPred: Float64Array,
  options: { alpha?: number } = {},
): ImbalancedReport {
  const { alpha = 0.1 } = options;
  const [[tn, fp], [fn, tp]] = confusionMatrix(yTrue, yPred);
  const row = (tp: number, fp: number, fn: number, tn: number): ImbalancedReportRow => {
    const pre = ratio(tp, tp + fp);
    const rec = ratio(tp, tp + fn);
    const spe = ratio(tn, tn + fp);
    const f = pre + rec === 0 ? 0 : (2 * pre * rec) / (pre + rec);
    const geo = Math.sqrt(rec * spe);
    const iba = (1 + alpha * (rec - spe)) * geo ** 2;
    return { pre, rec, spe, f1: f, geo, iba, sup: tp + fn };
  };
  const r0 = row(tn, fn, fp, tp);
  const r1 = row(tp, fp, fn, tn);
  const total = r0.sup + r1.sup;
  const avg = (key: keyof ImbalancedReportRow): number => (total === 0 ? NaN : (r0[key] * r0.sup + r1[key] * r1.sup) / total);
  return {
    "0": r0,
    "1": r1,
    avg: { pre: avg("pre"), rec: avg("rec"), spe: avg("spe"), f1: avg("f1"), geo: avg("geo"), iba: avg("iba"), sup: total },
  };
}
