/**
 * Ranking metrics over scores, as scikit-learn's `roc_curve`, `roc_auc_score`, `precision_recall_curve` and
 * `average_precision_score` (version 1.2), positive label 1. Tied scores form one threshold.
 */
import { distinctScores, type DistinctScores } from "./distinct-scores.js";

/** Cumulative false and true positives at each distinct score, scores descending. */
interface ClfCurve {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

/**
 * Cumulative false and true positives at each distinct score, scores descending (`_binary_clf_curve`). Only the
 * totals at each distinct score matter, so the rows are counted per distinct score (found by binary search in the
 * sorted distinct scores, {@link distinctScores}) instead of being sorted themselves: the same integers, without a
 * comparator sort of n rows.
 */
function binaryClfCurve(yTrue: Float64Array, scores: Float64Array): ClfCurve {
  const n = yTrue.length;
  if (scores.length !== n) throw new Error(`invalid scores: length ${scores.length} (expected ${n})`);
  for (let i = 0; i < n; ++i) {
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new Error(`invalid yTrue[${i}]: ${yTrue[i]} (expected 0 or 1)`);
  }
  return clfOfCounts(distinctScores(scores, yTrue));
}

/**
 * {@link binaryClfCurve} from rows already counted per distinct score (ascending); a score counted 0 times is no
 * threshold, as a score absent from the rows.
 */
function clfOfCounts({ values, counts, positives }: ScoreCounts): ClfCurve {
  let m = 0;
  for (const c of counts) if (c > 0) ++m;
  const fps = new Float64Array(m);
  const tps = new Float64Array(m);
  const thresholds = new Float64Array(m);
  let tp = 0;
  let seen = 0;
  for (let j = values.length - 1, r = 0; j >= 0; --j) {
    if (!(counts[j] > 0)) continue;
    tp += positives[j];
    seen += counts[j];
    tps[r] = tp;
    fps[r] = seen - tp;
    thresholds[r] = values[j];
    ++r;
  }
  return { fps, tps, thresholds };
}

/** Rows counted per distinct score: the scores ascending, the rows with each, and the positives among them. */
export type ScoreCounts = Pick<DistinctScores, "values" | "counts" | "positives">;

/**
 * {@link rocAuc} and {@link averagePrecision} of rows already counted per distinct score (a score may count 0
 * rows): the same curves, so the same values, without the rows.
 */
export function areasOfCounts(counts: ScoreCounts): { rocAuc: number; averagePrecision: number } {
  const clf = clfOfCounts(counts);
  return { rocAuc: aucOfRoc(rocOfClf(clf)), averagePrecision: apOfPr(prOfClf(clf)) };
}

/** ROC curve points. */
export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  thresholds: Float64Array;
}

/**
 * `roc_curve(yTrue, scores, drop_intermediate=False)`: one point per distinct score plus a first point (0, 0) at
 * threshold max + 1 (scikit-learn 1.2). fpr (tpr) is NaN when yTrue has no negatives (positives).
 */
export function rocCurve(yTrue: Float64Array, scores: Float64Array): RocCurve {
  return rocOfClf(binaryClfCurve(yTrue, scores));
}

function rocOfClf({ fps, tps, thresholds }: ClfCurve): RocCurve {
  const m = fps.length;
  const fpr = new Float64Array(m + 1);
  const tpr = new Float64Array(m + 1);
  const th = new Float64Array(m + 1);
  const fmax = m ? fps[m - 1] : 0;
  const tmax = m ? tps[m - 1] : 0;
  th[0] = m ? thresholds[0] + 1 : Infinity;
  for (let i = 0; i < m; ++i) {
    fpr[i + 1] = fps[i] / fmax;
    tpr[i + 1] = tps[i] / tmax;
    th[i + 1] = thresholds[i];
  }
  if (fmax <= 0) fpr.fill(NaN);
  if (tmax <= 0) tpr.fill(NaN);
  return { fpr, tpr, thresholds: th };
}

/**
 * Area under the ROC curve by the trapezoidal rule over {@link rocCurve} (ties count half, as scikit-learn).
 * NaN when yTrue holds a single class (scikit-learn raises).
 */
export function rocAuc(yTrue: Float64Array, scores: Float64Array): number {
  return aucOfRoc(rocCurve(yTrue, scores));
}

function aucOfRoc({ fpr, tpr }: RocCurve): number {
  let area = 0;
  for (let i = 1; i < fpr.length; ++i) area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  return area;
}

/** Precision–recall curve points, recall decreasing; the last point is (recall 0, precision 1). */
export interface PrecisionRecallCurve {
  precision: Float64Array;
  recall: Float64Array;
  thresholds: Float64Array;
}

/**
 * `precision_recall_curve(yTrue, scores)` of scikit-learn 1.2: thresholds ascending over all distinct scores,
 * precision 0 where nothing is predicted positive, recall 1 everywhere when yTrue has no positives.
 */
export function precisionRecallCurve(yTrue: Float64Array, scores: Float64Array): PrecisionRecallCurve {
  return prOfClf(binaryClfCurve(yTrue, scores));
}

function prOfClf({ fps, tps, thresholds }: ClfCurve): PrecisionRecallCurve {
  const m = fps.length;
  const tmax = m ? tps[m - 1] : 0;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const th = new Float64Array(m);
  for (let r = 0; r < m; ++r) {
    const i = m - 1 - r;
    const ps = tps[i] + fps[i];
    precision[r] = ps === 0 ? 0 : tps[i] / ps;
    recall[r] = tmax === 0 ? 1 : tps[i] / tmax;
    th[r] = thresholds[i];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: th };
}

/** Average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over {@link precisionRecallCurve}, scikit-learn's step (uninterpolated) form. */
export function averagePrecision(yTrue: Float64Array, scores: Float64Array): number {
  return apOfPr(precisionRecallCurve(yTrue, scores));
}

function apOfPr({ precision, recall }: PrecisionRecallCurve): number {
  let s = 0;
  for (let i = 0; i + 1 < recall.length; ++i) s -= (recall[i + 1] - recall[i]) * precision[i];
  return s;
}

/** Both curves and both areas of one set of scores, counting the rows per distinct score once. */
export interface Ranking {
  roc: RocCurve;
  pr: PrecisionRecallCurve;
  rocAuc: number;
  averagePrecision: number;
}

/** {@link rocCurve}, {@link precisionRecallCurve}, {@link rocAuc} and {@link averagePrecision} at once. */
export function ranking(yTrue: Float64Array, scores: Float64Array): Ranking {
  const clf = binaryClfCurve(yTrue, scores);
  const roc = rocOfClf(clf);
  const pr = prOfClf(clf);
  return { roc, pr, rocAuc: aucOfRoc(roc), averagePrecision: apOfPr(pr) };
}
