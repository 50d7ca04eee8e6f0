import { describe, expect, it } from "vitest";
import { fitLogisticRegression, predictProba } from "../../../src/ml/logistic-regression.js";
import { take } from "../../../src/ml/matrix.js";
import { stratifiedKFold } from "../../../src/ml/model-selection.js";
import { sparseFromDense, sparseTakeRows, type SparseMatrix } from "../../../src/ml/sparse.js";
import { createRng } from "../../../src/util/random.js";
import { summarizeCalibration } from "../../../src/studies/risk/calibration.js";
import { compareResampling } from "../../../src/studies/risk/compare-resampling.js";
import {
  atTested,
  crossValidate,
  foldMetrics,
  testedRows,
  type ScoreRows,
  type TrainModel,
} from "../../../src/studies/risk/cross-validate.js";

/** 600 rows, two 0/1 columns, about 10% positives. */
function data(): { X: SparseMatrix; y: Float64Array } {
  const rng = createRng(5);
  const n = 600;
  const dense = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    const a = rng.next() < 0.3 ? 1 : 0;
    const b = rng.next() < 0.5 ? 1 : 0;
    dense[2 * i] = a;
    dense[2 * i + 1] = b;
    y[i] = rng.next() < 1 / (1 + Math.exp(-(-3 + 2 * a + 0.5 * b))) ? 1 : 0;
  }
  return { X: sparseFromDense({ rows: n, cols: 2, data: dense }), y };
}

describe("crossValidate(y, splits, options)", () => {
  const { X, y } = data();
  /** Records the size of every training set it is given; scores rows of the same design. */
  function recorder(trainedAt = 0.5): { train: TrainModel; score: ScoreRows; sizes: number[] } {
    const sizes: number[] = [];
    const train: TrainModel = (rows) => {
      sizes.push(rows.length);
      return { model: fitLogisticRegression(sparseTakeRows(X, rows), take(y, rows), { C: 1 }), resampledRate: trainedAt };
    };
    return { train, score: (model, rows) => predictProba(model, sparseTakeRows(X, rows)), sizes };
  }
  const splits = stratifiedKFold(y, { folds: 4, shuffle: true, seed: 1 });

  it("scores every row once and fits the prior-shift calibrator from each fold's own training rate", () => {
    const { train, score, sizes } = recorder(0.5);
    const cv = crossValidate(y, splits, {
      train,
      score,
      resample: { method: "class_weight" },
      calibration: "prior_shift",
      innerFolds: 3,
      threshold: { method: "cost", cost_ratio: "balanced" },
      seed: 3,
    });
    expect(sizes).toEqual(splits.map((s) => s.train.length));
    expect(testedRows(cv)).toHaveLength(y.length);
    cv.folds.forEach((fold, f) => {
      const rate = splits[f].train.reduce((a, i) => a + y[i], 0) / splits[f].train.length;
      expect(fold.trainRate).toBeCloseTo(rate, 15);
      expect(fold.calibrator).toEqual({ method: "prior_shift", original_rate: fold.trainRate, resampled_rate: 0.5 });
      // cost, balanced: the fold's threshold is its training rate, which is 0.5 on the raw (balanced-trained) score
      expect(fold.threshold).toBeCloseTo(fold.trainRate, 15);
      for (const i of fold.test) expect(cv.calibrated[i] >= fold.threshold).toBe(cv.raw[i] >= 0.5 - 1e-12);
    });
  });

  it("fits Platt scaling on inner folds of the training rows only (never on a test row)", () => {
    const { train, score, sizes } = recorder(0.1);
    const cv = crossValidate(y, splits, {
      train,
      score,
      resample: { method: "none" },
      calibration: "platt",
      innerFolds: 3,
      threshold: { method: "fixed", value: 0.2 },
      seed: 3,
    });
    // per split: 3 inner fits on two thirds of its training rows, then the split's own fit
    expect(sizes).toHaveLength(splits.length * 4);
    splits.forEach((s, f) => {
      const mine = sizes.slice(4 * f, 4 * f + 4);
      expect(mine.filter((m) => m === s.train.length)).toHaveLength(1);
      expect(mine.filter((m) => m < s.train.length).reduce((a, b) => a + b, 0)).toBe(2 * s.train.length);
      expect(cv.folds[f].calibrator.method).toBe("platt");
      expect(cv.folds[f].threshold).toBe(0.2);
    });
  });

  it("fold metrics are computed at each fold's threshold on the calibrated scores", () => {
    const { train, score } = recorder(0.5);
    const cv = crossValidate(y, splits, {
      train,
      score,
      resample: { method: "class_weight" },
      calibration: "prior_shift",
      innerFolds: 3,
      threshold: { method: "top_share", share: 0.2 },
      seed: 3,
    });
    const m = foldMetrics(y, cv);
    expect(m).toHaveLength(4);
    cv.folds.forEach((fold, f) => {
      const flagged = m[f].confusion[0][1] + m[f].confusion[1][1];
      expect(flagged).toBeGreaterThanOrEqual(Math.round(0.2 * fold.test.length));
      expect(m[f].roc_auc).toBeGreaterThan(0.5);
    });
  });
});

describe("testedRows, atTested and compareResampling's first run", () => {
  const { X, y } = data();
  const train: TrainModel = (rows) => ({
    model: fitLogisticRegression(sparseTakeRows(X, rows), take(y, rows), { C: 1 }),
    resampledRate: 0.5,
  });
  const score: ScoreRows = (model, rows) => predictProba(model, sparseTakeRows(X, rows));
  const options = {
    train,
    score,
    calibration: "prior_shift" as const,
    innerFolds: 3,
    threshold: { method: "cost" as const, cost_ratio: "balanced" as const },
    seed: 3,
  };

  it("gives the tested rows in order, and their values without a copy only when every row was tested", () => {
    const kfold = crossValidate(y, stratifiedKFold(y, { folds: 3, shuffle: true, seed: 2 }), {
      ...options,
      resample: { method: "class_weight" },
    });
    const all = testedRows(kfold);
    expect(Array.from(all)).toEqual(Array.from(y.keys()));
    expect(atTested(kfold.raw, all)).toBe(kfold.raw);
    const one = stratifiedKFold(y, { folds: 3, shuffle: true, seed: 2 }).slice(0, 1);
    const holdout = crossValidate(y, one, { ...options, resample: { method: "class_weight" } });
    const some = testedRows(holdout);
    expect(Array.from(some)).toEqual(Array.from(one[0].test).sort((a, b) => a - b));
    const values = atTested(holdout.raw, some);
    expect(values).not.toBe(holdout.raw);
    expect(Array.from(values)).toEqual(Array.from(some, (i) => holdout.raw[i]));
  });

  it("takes the first run's summaries from the caller and gives the same rows as computing them", () => {
    const splits = stratifiedKFold(y, { folds: 4, shuffle: true, seed: 1 });
    const runs = [
      crossValidate(y, splits, { ...options, resample: { method: "class_weight" } }),
      crossValidate(y, splits, { ...options, resample: { method: "none" }, calibration: "none" }),
    ];
    const rows = testedRows(runs[0]);
    const first = {
      calibrated: summarizeCalibration(atTested(y, rows), atTested(runs[0].calibrated, rows), 10),
      raw: summarizeCalibration(atTested(y, rows), atTested(runs[0].raw, rows), 10),
      folds: foldMetrics(y, runs[0]),
    };
    const computed = compareResampling(y, runs, 10);
    expect(compareResampling(y, runs, 10, first)).toEqual(computed);
    // and the first row is what it was given, not a second computation of something else
    const other = compareResampling(y, runs, 10, { ...first, calibrated: { ...first.calibrated, brier: 0.5 } });
    expect(other[0].brier).toBe(0.5);
    expect(other[1]).toEqual(computed[1]);
  });
});
