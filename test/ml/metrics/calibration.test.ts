import { describe, expect, it } from "vitest";
import { fitLogisticMle, type LogisticInferenceFit } from "../../../src/ml/logistic-inference.js";
import {
  brierScore,
  calibrationFits,
  calibrationFitsOfProbabilities,
  calibrationLine,
  expectedCalibrationError,
  reliabilityCurve,
} from "../../../src/ml/metrics/calibration.js";
import { quantileSorted } from "../../../src/ml/quantile.js";
import { createRng } from "../../../src/util/random.js";
import { riskRef } from "../risk-inference-reference.js";

const c = riskRef.calibration;
const y = Float64Array.from(c.y);
const p = Float64Array.from(c.p);
const f64 = (a: number[]): Float64Array => Float64Array.from(a);
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe("brierScore(y, p, w)", () => {
  it("equals scikit-learn's brier_score_loss, with and without weights", () => {
    expect(rel(brierScore(y, p), c.brier)).toBeLessThan(1e-13);
    expect(rel(brierScore(y, p, f64(c.w)), c.brier_weighted)).toBeLessThan(1e-13);
  });

  it("is the mean squared error on a hand-checked case and NaN without weight", () => {
    expect(brierScore(f64([1, 0]), f64([0.8, 0.4]))).toBeCloseTo(0.1, 15);
    expect(brierScore(f64([1, 0]), f64([0.8, 0.4]), f64([0, 2]))).toBeCloseTo(0.16, 15);
    expect(brierScore(f64([]), f64([]))).toBeNaN();
    expect(() => brierScore(f64([1]), f64([1.2]))).toThrow(/invalid p\[0\]/);
  });
});

describe("calibrationLine(y, p, w)", () => {
  it("equals statsmodels GLM slope and offset intercept (calibration-in-the-large)", () => {
    const line = calibrationLine(y, p);
    expect(rel(line.slope, c.slope)).toBeLessThan(1e-8);
    expect(rel(line.intercept, c.intercept)).toBeLessThan(1e-8);
    const weighted = calibrationLine(y, p, f64(c.freq_w));
    expect(rel(weighted.slope, c.slope_weighted)).toBeLessThan(1e-8);
    expect(rel(weighted.intercept, c.intercept_weighted)).toBeLessThan(1e-8);
    // the scores were generated 1.6 times too extreme on the logit scale
    expect(line.slope).toBeGreaterThan(0.5);
    expect(line.slope).toBeLessThan(0.75);
  });

  it("gives slope 1 and intercept 0 on probabilities recalibrated by the fitted line", () => {
    const a: number = c.slope_intercept;
    const b: number = c.slope;
    const q = p.map((v) => 1 / (1 + Math.exp(-(a + b * Math.log(v / (1 - v))))));
    const line = calibrationLine(y, q);
    expect(Math.abs(line.slope - 1)).toBeLessThan(1e-8);
    expect(Math.abs(line.intercept)).toBeLessThan(1e-8);
  });

  it("is NaN when the maximum-likelihood line does not exist", () => {
    const one = calibrationLine(f64([1, 1, 1]), f64([0.2, 0.5, 0.7]));
    expect(one.intercept).toBeNaN();
    expect(one.slope).toBeNaN();
    // logit(p) separates the classes perfectly: the slope runs to infinity
    expect(calibrationLine(f64([0, 0, 1, 1]), f64([0.1, 0.2, 0.3, 0.4])).slope).toBeNaN();
    // a constant prediction has no slope but still an intercept
    const flat = calibrationLine(f64([0, 1, 0, 0]), f64([0.25, 0.25, 0.25, 0.25]));
    expect(flat.slope).toBeNaN();
    expect(Math.abs(flat.intercept)).toBeLessThan(1e-12);
  });

  it("clips probabilities of exactly 0 or 1 instead of failing", () => {
    const line = calibrationLine(f64([0, 1, 0, 1, 1]), f64([0, 1, 0.3, 0.4, 0.8]));
    expect(Number.isFinite(line.intercept)).toBe(true);
  });
});

describe("calibrationFits(y, lp, w)", () => {
  // out-of-fold scores of a model on a one-hot design: 60 patterns × 5 folds give at most 300 distinct scores
  const n = 20000;
  const rng = createRng(5);
  const scoreOf = Float64Array.from({ length: 300 }, () => -4 + 5 * rng.next());
  const yy = new Float64Array(n);
  const lp = new Float64Array(n);
  const ww = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    lp[i] = scoreOf[Math.floor(rng.next() * 300)];
    yy[i] = rng.next() < 1 / (1 + Math.exp(-(0.3 + 0.8 * lp[i]))) ? 1 : 0;
    ww[i] = 1 + Math.floor(rng.next() * 3);
  }
  const none = { rows: n, cols: 0, data: new Float64Array(0) };
  const line = { rows: n, cols: 1, data: lp };
  const same = (a: LogisticInferenceFit, b: LogisticInferenceFit) => {
    expect(a.converged && b.converged).toBe(true);
    expect(Math.abs(a.intercept - b.intercept)).toBeLessThan(1e-12);
    for (let j = 0; j < b.coef.length; ++j) expect(Math.abs(a.coef[j] - b.coef[j])).toBeLessThan(1e-12);
    for (let j = 0; j < b.se.length; ++j) expect(Math.abs(a.se[j] - b.se[j])).toBeLessThan(1e-12);
    expect(rel(a.logLikelihood, b.logLikelihood)).toBeLessThan(1e-12);
  };

  it("runs over the distinct (score, label) pairs and gives the fits over every row", () => {
    const f = calibrationFits(yy, lp);
    const pairs = new Set(Array.from(lp, (v, i) => `${v}/${yy[i]}`)).size;
    expect(f.distinct).toBe(pairs);
    expect(f.distinct).toBeLessThanOrEqual(600);
    same(f.large, fitLogisticMle(none, yy, { offset: lp }));
    same(f.line, fitLogisticMle(line, yy));
    expect(f.line.coef[0]).toBeGreaterThan(0.6);
    expect(f.line.coef[0]).toBeLessThan(1);
  });

  it("sums the weights of the rows a pair stands for", () => {
    const f = calibrationFits(yy, lp, ww);
    same(f.large, fitLogisticMle(none, yy, { offset: lp, sampleWeight: ww }));
    same(f.line, fitLogisticMle(line, yy, { sampleWeight: ww }));
  });

  it("keeps a score seen with both labels as two pairs, and merges −0 with 0", () => {
    const f = calibrationFits(f64([1, 0, 1, 0, 1]), f64([0, -0, 0, 2, -1]));
    expect(f.distinct).toBe(4);
  });
});

describe("reliabilityCurve(y, p, bins) and expectedCalibrationError(y, p, bins)", () => {
  for (const curve of c.curves as {
    bins: number;
    bin: number[];
    n: number[];
    observed: number[];
    mean_predicted: number[];
    ece: number;
  }[]) {
    const ties = curve === c.curves[2];
    it(`match scikit-learn calibration_curve(strategy="quantile") with ${curve.bins} bins${ties ? " and tied scores" : ""}`, () => {
      const pv = ties ? f64(c.p_ties) : p;
      const got = reliabilityCurve(y, pv, curve.bins);
      expect(got.map((b) => b.bin)).toEqual(curve.bin.map((b) => b + 1));
      expect(got.map((b) => b.n)).toEqual(curve.n);
      for (let k = 0; k < got.length; ++k) {
        expect(Math.abs(got[k].observed - curve.observed[k])).toBeLessThan(1e-14);
        expect(Math.abs(got[k].mean_predicted - curve.mean_predicted[k])).toBeLessThan(1e-14);
      }
      expect(got.reduce((s, b) => s + b.n, 0)).toBe(y.length);
      expect(Math.abs(expectedCalibrationError(y, pv, curve.bins) - curve.ece)).toBeLessThan(1e-14);
    });
  }

  it("is 0 for predictions equal to each bin's observed rate, and empty on empty input", () => {
    const yy = f64([0, 0, 0, 1, 0, 1, 1, 1]);
    const pp = f64([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75]);
    expect(reliabilityCurve(yy, pp, 2)).toEqual([
      { bin: 1, n: 4, mean_predicted: 0.25, observed: 0.25 },
      { bin: 2, n: 4, mean_predicted: 0.75, observed: 0.75 },
    ]);
    expect(expectedCalibrationError(yy, pp, 2)).toBe(0);
    expect(reliabilityCurve(f64([]), f64([]))).toEqual([]);
    expect(expectedCalibrationError(f64([]), f64([]))).toBeNaN();
    expect(() => reliabilityCurve(yy, pp, 0)).toThrow(/invalid bins/);
  });
});

/** Scores as a one-hot model gives them (few distinct values, many ties) plus clipped extremes and −0. */
function tiedScores(n: number, seed: number): { y: Float64Array; p: Float64Array } {
  const rng = createRng(seed);
  const levels = Array.from({ length: 37 }, () => rng.next());
  levels.push(0, -0, 1, 1e-17, 3e-16, 1 - 1e-17, 0.5, 0.5 + 2 ** -53);
  const yy = new Float64Array(n);
  const pp = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    pp[i] = levels[rng.int(levels.length)];
    yy[i] = rng.next() < Math.min(Math.max(pp[i], 0.05), 0.95) ? 1 : 0;
  }
  return { y: yy, p: pp };
}

describe("over distinct scores", () => {
  it("reliabilityCurve's edges equal the quantiles of all n scores sorted, under heavy ties", () => {
    for (const seed of [1, 2, 3]) {
      const t = tiedScores(5000, seed);
      const sorted = Float64Array.from(t.p).sort();
      for (const bins of [1, 3, 10, 17]) {
        const inner = Array.from({ length: bins - 1 }, (_, k) => quantileSorted(sorted, ((k + 1) * (1 / bins) * 100) / 100));
        const want = new Map<number, { n: number; sp: number; sy: number }>();
        t.p.forEach((v, i) => {
          const b = inner.filter((e) => e < v).length;
          const acc = want.get(b) ?? { n: 0, sp: 0, sy: 0 };
          acc.n += 1;
          acc.sp += v;
          acc.sy += t.y[i];
          want.set(b, acc);
        });
        const got = reliabilityCurve(t.y, t.p, bins);
        expect(got.map((b) => b.bin)).toEqual([...want.keys()].sort((a, b) => a - b).map((b) => b + 1));
        for (const b of got) {
          const w = want.get(b.bin - 1);
          expect(b.n).toBe(w?.n);
          expect(b.mean_predicted).toBe((w?.sp ?? NaN) / (w?.n ?? NaN));
          expect(b.observed).toBe((w?.sy ?? NaN) / (w?.n ?? NaN));
        }
      }
    }
  });

  it("calibrationFitsOfProbabilities gives calibrationFits over the clipped logits exactly (same pairs, same order)", () => {
    for (const seed of [4, 5]) {
      const t = tiedScores(4000, seed);
      const lp = Float64Array.from(t.p, (v) => {
        const cl = Math.min(Math.max(v, 1e-15), 1 - 1e-15);
        return Math.log(cl) - Math.log1p(-cl);
      });
      const want = calibrationFits(t.y, lp);
      const got = calibrationFitsOfProbabilities(t.y, t.p);
      expect(got.distinct).toBe(want.distinct);
      expect(got.large.intercept).toBe(want.large.intercept);
      expect(got.line.intercept).toBe(want.line.intercept);
      expect(Array.from(got.line.coef)).toEqual(Array.from(want.line.coef));
      expect(got.line.iterations).toBe(want.line.iterations);
    }
  });
});
