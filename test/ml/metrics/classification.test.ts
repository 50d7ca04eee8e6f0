import { describe, expect, it } from "vitest";
import {
  balancedAccuracy,
  classificationReportImbalanced,
  confusionMatrix,
  f1,
  geometricMean,
  precision,
  recall,
  specificity,
} from "../../../src/ml/metrics/classification.js";
import { averagePrecision, precisionRecallCurve, ranking, rocAuc, rocCurve } from "../../../src/ml/metrics/ranking.js";
import { createRng } from "../../../src/util/random.js";
import { f64, ref } from "../reference.js";

const close = (a: ArrayLike<number>, b: number[]) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; ++i) expect(a[i]).toBeCloseTo(b[i], 12);
};

describe("classification metrics equal scikit-learn / imbalanced-learn", () => {
  for (const c of ref.metrics) {
    describe(c.name, () => {
      const yt = f64(c.y_true);
      const yp = f64(c.y_pred);
      const s = f64(c.scores);
      it("threshold metrics", () => {
        expect(confusionMatrix(yt, yp)).toEqual(c.confusion_matrix);
        expect(balancedAccuracy(yt, yp)).toBeCloseTo(c.balanced_accuracy, 12);
        expect(precision(yt, yp)).toBeCloseTo(c.precision, 12);
        expect(recall(yt, yp)).toBeCloseTo(c.recall, 12);
        expect(f1(yt, yp)).toBeCloseTo(c.f1, 12);
        expect(specificity(yt, yp)).toBeCloseTo(c.specificity, 12);
        expect(geometricMean(yt, yp)).toBeCloseTo(c.geometric_mean, 12);
      });
      it("ranking metrics with tied scores", () => {
        expect(rocAuc(yt, s)).toBeCloseTo(c.roc_auc, 12);
        expect(averagePrecision(yt, s)).toBeCloseTo(c.average_precision, 12);
        const roc = rocCurve(yt, s);
        close(roc.fpr, c.roc_curve.fpr);
        close(roc.tpr, c.roc_curve.tpr);
        close(roc.thresholds, c.roc_curve.thresholds);
        const pr = precisionRecallCurve(yt, s);
        close(pr.precision, c.pr_curve.precision);
        close(pr.recall, c.pr_curve.recall);
        close(pr.thresholds, c.pr_curve.thresholds);
      });
      it("classificationReportImbalanced", () => {
        const r = classificationReportImbalanced(yt, yp);
        for (const label of ["0", "1"] as const) {
          for (const key of ["pre", "rec", "spe", "f1", "geo", "iba", "sup"] as const) {
            expect(r[label][key]).toBeCloseTo(c.report[label][key], 12);
          }
        }
        for (const key of ["pre", "rec", "spe", "f1", "geo", "iba"] as const) {
          expect(r.avg[key]).toBeCloseTo(c.report[`avg_${key}`], 12);
        }
        expect(r.avg.sup).toBe(c.report.total_support);
      });
    });
  }
});

describe("edge cases", () => {
  it("zero denominators give 0 and a single-class yTrue gives NaN AUC", () => {
    const yt = f64([0, 0, 0]);
    expect(precision(yt, f64([0, 0, 0]))).toBe(0);
    expect(recall(yt, f64([1, 0, 0]))).toBe(0);
    expect(f1(yt, f64([0, 0, 0]))).toBe(0);
    expect(rocAuc(yt, f64([0.1, 0.2, 0.3]))).toBeNaN();
    expect(() => confusionMatrix(f64([2]), f64([0]))).toThrow(/invalid label/);
  });

  it("rocAuc counts ties as one half", () => {
    expect(rocAuc(f64([0, 1]), f64([0.5, 0.5]))).toBe(0.5);
    expect(rocAuc(f64([0, 0, 1, 1]), f64([0.1, 0.4, 0.35, 0.8]))).toBe(0.75);
  });

  it("the ROC curve counts each distinct score once, as a sort of the rows does, with many ties and infinities", () => {
    const rng = createRng(3);
    for (const [n, levels] of [
      [0, 1],
      [1, 1],
      [500, 3],
      [2000, 40],
      [2000, 1e9],
    ] as const) {
      const y = new Float64Array(n);
      const s = new Float64Array(n);
      for (let i = 0; i < n; ++i) {
        y[i] = rng.next() < 0.2 ? 1 : 0;
        const u = Math.floor(rng.next() * levels);
        s[i] = u === 0 && levels > 3 ? -Infinity : u === 1 && levels > 3 ? Infinity : u / levels;
      }
      // The rows sorted by score, descending, and one point per distinct score (`_binary_clf_curve`).
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (s[b] > s[a] ? 1 : s[b] < s[a] ? -1 : 0));
      const fps: number[] = [];
      const tps: number[] = [];
      const th: number[] = [];
      let tp = 0;
      for (let r = 0; r < n; ++r) {
        tp += y[order[r]];
        if (r === n - 1 || s[order[r + 1]] !== s[order[r]]) {
          tps.push(tp);
          fps.push(r + 1 - tp);
          th.push(s[order[r]]);
        }
      }
      const roc = rocCurve(y, s);
      expect([...roc.thresholds.slice(1)]).toEqual(th);
      const fmax = fps.length ? fps[fps.length - 1] : 0;
      const tmax = tps.length ? tps[tps.length - 1] : 0;
      expect([...roc.fpr.slice(1)]).toEqual(fps.map((f) => (fmax > 0 ? f / fmax : NaN)));
      expect([...roc.tpr.slice(1)]).toEqual(tps.map((t) => (tmax > 0 ? t / tmax : NaN)));
    }
  });

  it("ranking gives both curves and both areas as rocCurve, precisionRecallCurve, rocAuc and averagePrecision do", () => {
    const rng = createRng(5);
    const n = 3000;
    const y = Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? 1 : 0));
    const s = Float64Array.from({ length: n }, () => Math.round(rng.next() * 200) / 200);
    const r = ranking(y, s);
    expect(r.roc).toEqual(rocCurve(y, s));
    expect(r.pr).toEqual(precisionRecallCurve(y, s));
    expect(r.rocAuc).toBe(rocAuc(y, s));
    expect(r.averagePrecision).toBe(averagePrecision(y, s));
    // About 200 distinct scores: the curves have a point for each.
    expect(r.roc.fpr.length).toBeGreaterThan(150);
  });
});
