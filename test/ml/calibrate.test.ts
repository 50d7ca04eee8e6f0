import { describe, expect, it } from "vitest";
import { applyIsotonic, applyPlatt, correctPriorShift, fitIsotonic, fitPlatt } from "../../src/ml/calibrate.js";
import { fitLogisticMle, predictInferenceProba } from "../../src/ml/logistic-inference.js";
import { maxAbsDiff } from "./reference.js";
import { riskRef } from "./risk-inference-reference.js";

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

describe("correctPriorShift(p, originalRate, resampledRate)", () => {
  it("equals the odds formula of Elkan (2001)", () => {
    for (const t of riskRef.prior_shift as { original_rate: number; resampled_rate: number; p: number[]; corrected: number[] }[]) {
      const got = correctPriorShift(f64(t.p), t.original_rate, t.resampled_rate);
      for (let i = 0; i < got.length; ++i) expect(Math.abs(got[i] - t.corrected[i]) / t.corrected[i]).toBeLessThan(1e-12);
    }
  });

  it("is the identity for equal rates, undoes itself, and keeps 0 and 1", () => {
    const p = f64([0, 0.01, 0.2, 0.5, 0.97, 1]);
    expect(maxAbsDiff(correctPriorShift(p, 0.3, 0.3), p)).toBeLessThan(1e-15);
    expect(maxAbsDiff(correctPriorShift(correctPriorShift(p, 0.03, 0.5), 0.5, 0.03), p)).toBeLessThan(1e-15);
    const q = correctPriorShift(p, 0.03, 0.5);
    expect(q[0]).toBe(0);
    expect(q[5]).toBe(1);
    expect(q[3]).toBeCloseTo(0.03, 15);
    expect(() => correctPriorShift(p, 0, 0.5)).toThrow(/invalid originalRate/);
  });

  it("recovers the original fit of a saturated model from a fit on oversampled positives", () => {
    // one categorical with four levels, fully reference-coded: the MLE is the cell rates, so reweighting the
    // positives changes only the prior and the correction is exact
    const levels = [0, 0, 1, 1, 2, 2, 3, 3];
    const y = f64([1, 0, 1, 0, 1, 0, 1, 0]);
    const w = f64([3, 40, 1, 25, 6, 20, 2, 90]);
    const X = { rows: 8, cols: 3, data: new Float64Array(24) };
    levels.forEach((l, i) => {
      if (l > 0) X.data[i * 3 + l - 1] = 1;
    });
    const ratio = 7.5;
    const wOver = w.map((v, i) => (y[i] === 1 ? v * ratio : v));
    const rate = (ww: Float64Array): number => ww.reduce((s, v, i) => s + v * y[i], 0) / ww.reduce((s, v) => s + v, 0);
    const original = predictInferenceProba(fitLogisticMle(X, y, { sampleWeight: w }), X);
    const resampled = predictInferenceProba(fitLogisticMle(X, y, { sampleWeight: wOver }), X);
    expect(maxAbsDiff(resampled, original)).toBeGreaterThan(0.1);
    expect(maxAbsDiff(correctPriorShift(resampled, rate(w), rate(wOver)), original)).toBeLessThan(1e-9);
  });
});

describe("fitPlatt(scores, y, w) and applyPlatt(model, scores)", () => {
  const pl = riskRef.platt;
  for (const fit of pl.fits as {
    name: string;
    sample_weight: number[] | null;
    a: number;
    b: number;
    opt_a: number;
    opt_b: number;
    grid: number[];
    grid_proba: number[];
    sklearn_vs_opt: number;
  }[]) {
    it(`match scikit-learn's _sigmoid_calibration (${fit.name})`, () => {
      const m = fitPlatt(f64(pl.F), f64(pl.y), fit.sample_weight ? f64(fit.sample_weight) : undefined);
      // the exact minimiser (Newton in the reference script) ...
      expect(Math.abs(m.a - fit.opt_a)).toBeLessThan(1e-10);
      expect(Math.abs(m.b - fit.opt_b)).toBeLessThan(1e-10);
      // ... and scikit-learn's BFGS result within its own distance from it
      expect(Math.abs(m.a - fit.a)).toBeLessThan(1e-6 + fit.sklearn_vs_opt);
      expect(Math.abs(m.b - fit.b)).toBeLessThan(1e-6 + fit.sklearn_vs_opt);
      expect(maxAbsDiff(applyPlatt(m, f64(fit.grid)), fit.grid_proba)).toBeLessThan(1e-11);
    });
  }

  it("with constant scores predicts the smoothed positive rate (slope 0)", () => {
    const y = f64([1, 0, 0, 0, 1, 0]);
    const m = fitPlatt(f64([2, 2, 2, 2, 2, 2]), y);
    expect(m.a).toBe(0);
    const tPos = 3 / 4;
    const tNeg = 1 / 6;
    expect(applyPlatt(m, f64([2]))[0]).toBeCloseTo((2 * tPos + 4 * tNeg) / 6, 12);
  });

  it("is increasing in the score when higher scores mean more positives", () => {
    const m = fitPlatt(f64(pl.F), f64(pl.y));
    expect(m.a).toBeLessThan(0);
    const g = applyPlatt(m, f64([-3, 0, 3]));
    expect(g[0]).toBeLessThan(g[1]);
    expect(g[1]).toBeLessThan(g[2]);
  });
});

describe("fitIsotonic(x, y, w) and applyIsotonic(model, x)", () => {
  const iso = riskRef.isotonic;
  for (const fit of iso.fits as {
    name: string;
    sample_weight: number[] | null;
    x_thresholds: number[];
    y_thresholds: number[];
    predict: number[];
  }[]) {
    it(`match scikit-learn's IsotonicRegression(out_of_bounds="clip") (${fit.name}, tied scores)`, () => {
      const m = fitIsotonic(f64(iso.x), f64(iso.y), fit.sample_weight ? f64(fit.sample_weight) : undefined);
      expect(Array.from(m.xThresholds)).toEqual(fit.x_thresholds);
      expect(maxAbsDiff(m.yThresholds, fit.y_thresholds)).toBeLessThan(1e-14);
      const pred = applyIsotonic(m, f64(iso.x_new));
      expect(maxAbsDiff(pred, fit.predict)).toBeLessThan(1e-14);
      for (let k = 1; k < m.yThresholds.length; ++k) expect(m.yThresholds[k]).toBeGreaterThanOrEqual(m.yThresholds[k - 1]);
    });
  }

  it("pools violators on a hand-checked case and predicts a constant from one distinct x", () => {
    const m = fitIsotonic(f64([1, 2, 3, 4]), f64([1, 0, 0, 1]));
    expect(Array.from(m.yThresholds)).toEqual([1 / 3, 1 / 3, 1]);
    expect(maxAbsDiff(applyIsotonic(m, f64([0, 2.5, 3.5, 9])), [1 / 3, 1 / 3, 2 / 3, 1])).toBeLessThan(1e-15);
    const flat = fitIsotonic(f64([5, 5, 5]), f64([0, 1, 1]));
    expect(Array.from(applyIsotonic(flat, f64([0, 5, 10])))).toEqual([2 / 3, 2 / 3, 2 / 3]);
    expect(() => fitIsotonic(f64([1]), f64([1]), f64([0]))).toThrow(/no rows with positive weight/);
  });
});
