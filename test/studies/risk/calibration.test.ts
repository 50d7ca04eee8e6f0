import { describe, expect, it } from "vitest";
import { fitLogisticMle } from "../../../src/ml/logistic-inference.js";
import { createRng } from "../../../src/util/random.js";
import {
  applyCalibrator,
  calibrationMethod,
  fitCalibrator,
  logitScores,
  priorShiftCalibrator,
  summarizeCalibration,
} from "../../../src/studies/risk/calibration.js";

const f64 = (a: number[]) => Float64Array.from(a);

describe("calibrationMethod(spec, resample)", () => {
  it("auto is the prior-shift correction for every resampler that changes the class balance, none without", () => {
    for (const r of ["smote", "random_over", "random_under", "class_weight"] as const)
      expect(calibrationMethod({ method: "auto", inner_folds: 3, bins: 10 }, r)).toBe("prior_shift");
    expect(calibrationMethod({ method: "auto", inner_folds: 3, bins: 10 }, "none")).toBe("none");
    expect(calibrationMethod({ method: "platt", inner_folds: 3, bins: 10 }, "none")).toBe("platt");
  });
});

describe("applyCalibrator(calibrator, raw)", () => {
  it("prior shift from a balanced 50% maps 0.5 to the original rate and keeps the order", () => {
    const c = priorShiftCalibrator(0.03, 0.5);
    const out = applyCalibrator(c, f64([0.1, 0.5, 0.9]));
    expect(out[1]).toBeCloseTo(0.03, 14);
    expect(out[0]).toBeLessThan(out[1]);
    expect(out[2]).toBeLessThan(0.9);
    // odds are multiplied by (0.03/0.97) / (0.5/0.5)
    expect(out[2] / (1 - out[2])).toBeCloseTo((0.9 / 0.1) * (0.03 / 0.97), 10);
  });

  it("is the identity for none and for equal rates", () => {
    const raw = f64([0.2, 0.7]);
    expect(Array.from(applyCalibrator({ method: "none" }, raw))).toEqual([0.2, 0.7]);
    expect(Array.from(applyCalibrator(priorShiftCalibrator(0.4, 0.4), raw))).toEqual([0.2, 0.7]);
  });

  it("Platt and isotonic fitted on held-out scores map raw scores back onto observed rates", () => {
    const rng = createRng(3);
    const n = 4000;
    const raw = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; ++i) {
      const z = -2 + 2 * rng.next();
      y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      raw[i] = 1 / (1 + Math.exp(-(2 * z + 2))); // too high and too extreme
    }
    for (const method of ["platt", "isotonic"] as const) {
      const c = fitCalibrator(method, raw, y);
      expect(c.method).toBe(method);
      const p = applyCalibrator(c, raw);
      const mean = p.reduce((a, b) => a + b, 0) / n;
      const obs = y.reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(mean - obs)).toBeLessThan(0.01);
      // a JSON round trip (model.json) gives the same map
      const back = JSON.parse(JSON.stringify(c)) as typeof c;
      expect(Array.from(applyCalibrator(back, raw.subarray(0, 5)))).toEqual(Array.from(p.subarray(0, 5)));
    }
    const platt = fitCalibrator("platt", raw, y);
    // Platt on logit(raw) = 2z + 2 recovers a = −1/2, b = 1 (P = 1/(1 + exp(a·s + b)) with s = 2z + 2 means z = −(a·s + b))
    // (up to sampling noise on 4,000 rows)
    expect(platt.method).toBe("platt");
    if (platt.method === "platt") {
      expect(platt.a).toBeGreaterThan(-0.7);
      expect(platt.a).toBeLessThan(-0.35);
      expect(platt.b).toBeGreaterThan(0.6);
      expect(platt.b).toBeLessThan(1.4);
    }
  });
});

describe("summarizeCalibration(y, p, bins)", () => {
  it("gives intercept 0 and slope 1 on probabilities already recalibrated by the fitted line, and counts per bin", () => {
    const rng = createRng(11);
    const n = 3000;
    const y = new Float64Array(n);
    const p = new Float64Array(n);
    for (let i = 0; i < n; ++i) {
      const q = 0.02 + 0.5 * rng.next() ** 2;
      p[i] = q;
      y[i] = rng.next() < q ? 1 : 0;
    }
    const lp = logitScores(p);
    const line = fitLogisticMle({ rows: n, cols: 1, data: lp }, y);
    const recal = Float64Array.from(lp, (v) => 1 / (1 + Math.exp(-(line.intercept + line.coef[0] * v))));
    const s = summarizeCalibration(y, recal, 10);
    expect(s.slope).toBeCloseTo(1, 6);
    expect(s.intercept).toBeCloseTo(0, 2);
    expect(s.intercept_ci95[0]).toBeLessThan(0);
    expect(s.intercept_ci95[1]).toBeGreaterThan(0);
    expect(s.slope_ci95[0]).toBeLessThan(1);
    expect(s.slope_ci95[1]).toBeGreaterThan(1);
    expect(s.curve.reduce((a, b) => a + b.n, 0)).toBe(n);
    expect(s.mean_predicted).toBeCloseTo(s.observed_rate, 2);
  });

  it("has no slope when the scores separate the classes", () => {
    const s = summarizeCalibration(f64([0, 0, 1, 1]), f64([0.1, 0.2, 0.8, 0.9]), 2);
    expect(s.slope).toBeNaN();
    expect(s.slope_ci95.every(Number.isNaN)).toBe(true);
  });
});
