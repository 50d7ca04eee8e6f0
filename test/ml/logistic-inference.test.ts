import { describe, expect, it } from "vitest";
import {
  eventsPerVariable,
  fitLogisticFirth,
  fitLogisticMle,
  likelihoodRatioTest,
  predictInferenceProba,
  profileIntervals,
  waldIntervals,
  type LogisticInferenceFit,
} from "../../src/ml/logistic-inference.js";
import type { Matrix } from "../../src/ml/matrix.js";
import { maxAbsDiff } from "./reference.js";
import { maxRelDiff, refMatrix, referenceCoded, riskRef, type FirthRef, type TestRef } from "./risk-inference-reference.js";

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

/** [intercept, coef…] of a fit. */
function params(fit: LogisticInferenceFit): Float64Array {
  return f64([fit.intercept, ...fit.coef]);
}

/** Repeats row i of (X, y) w[i] times (integer weights). */
function expand(X: Matrix, y: Float64Array, w: Float64Array): { X: Matrix; y: Float64Array } {
  const rows: number[] = [];
  w.forEach((c, i) => {
    for (let r = 0; r < c; ++r) rows.push(i);
  });
  const p = X.cols;
  const data = new Float64Array(rows.length * p);
  rows.forEach((i, r) => {
    data.set(X.data.subarray(i * p, i * p + p), r * p);
  });
  return { X: { rows: rows.length, cols: p, data }, y: f64(rows.map((i) => y[i])) };
}

function expectFirthMatches(fit: LogisticInferenceFit, ref: FirthRef): void {
  expect(fit.converged).toBe(true);
  expect(maxRelDiff(params(fit), ref.params)).toBeLessThan(1e-8);
  expect(maxRelDiff(fit.se, ref.se)).toBeLessThan(1e-8);
  expect(Math.abs(fit.penalizedLogLikelihood - ref.objective)).toBeLessThan(1e-8);
  expect(Math.abs(fit.logLikelihood - ref.loglik)).toBeLessThan(1e-8);
  expect(fit.gradNorm).toBeLessThan(1e-6);
  // the reference optimum is a true stationary point of l* (finite differences), so its modified score is right
  expect(ref.check.fd_grad_inf).toBeLessThan(1e-5);
  expect(ref.check.modified_score_vs_fd_off_optimum).toBeLessThan(1e-6);
}

function expectTestsMatch(X: Matrix, y: Float64Array, fit: LogisticInferenceFit, tests: TestRef[], w?: Float64Array): void {
  for (const t of tests) {
    const got = likelihoodRatioTest(X, y, fit, t.columns, { sampleWeight: w });
    expect(got.df).toBe(t.df);
    expect(Math.abs(got.statistic - t.statistic)).toBeLessThan(1e-7 * Math.max(1, t.statistic));
    expect(Math.abs(got.pValue - t.p)).toBeLessThan(1e-8 * Math.max(t.p, 1e-12) + 1e-300);
  }
}

describe("fitLogisticMle(X, y, options)", () => {
  const d = riskRef.dense;
  const X = refMatrix(d);
  const y = f64(d.y);
  const w = f64(d.w);
  const fit = fitLogisticMle(X, y, { sampleWeight: w });

  it("equals statsmodels GLM(Binomial, freq_weights): params, bse, llf and Wald intervals", () => {
    expect(fit.converged).toBe(true);
    expect(fit.separation).toBe(false);
    expect(maxRelDiff(params(fit), d.mle.params)).toBeLessThan(1e-9);
    expect(maxRelDiff(fit.se, d.mle.bse)).toBeLessThan(1e-9);
    expect(Math.abs(fit.logLikelihood - d.mle.llf)).toBeLessThan(1e-8);
    const ci = waldIntervals(fit);
    expect(maxAbsDiff(ci.lower, d.mle.wald_lower)).toBeLessThan(1e-8);
    expect(maxAbsDiff(ci.upper, d.mle.wald_upper)).toBeLessThan(1e-8);
  });

  it("gives the same fit on weighted distinct rows as on the expanded rows (and statsmodels Logit on them)", () => {
    const e = expand(X, y, w);
    const fe = fitLogisticMle(e.X, e.y);
    expect(maxAbsDiff(params(fe), params(fit))).toBeLessThan(1e-10);
    expect(maxAbsDiff(fe.se, fit.se)).toBeLessThan(1e-10);
    expect(Math.abs(fe.logLikelihood - fit.logLikelihood)).toBeLessThan(1e-8);
    expect(maxRelDiff(params(fe), d.mle.expanded_params)).toBeLessThan(1e-9);
    expect(Math.abs(fe.logLikelihood - d.mle.expanded_llf)).toBeLessThan(1e-8);
  });

  it("likelihood-ratio tests for dropping blocks equal statsmodels' nested GLM fits", () => {
    expectTestsMatch(X, y, fit, d.mle.lr_tests, w);
  });

  it("profile-likelihood intervals equal brentq over constrained refits", () => {
    const ci = profileIntervals(X, y, fit, { sampleWeight: w });
    expect(maxAbsDiff(ci.lower, d.mle.profile_lower)).toBeLessThan(1e-7);
    expect(maxAbsDiff(ci.upper, d.mle.profile_upper)).toBeLessThan(1e-7);
  });

  it("flags separation instead of reporting a diverged estimate as converged", () => {
    const s = riskRef.separation;
    const m = fitLogisticMle(refMatrix(s), f64(s.y), { sampleWeight: f64(s.w) });
    expect(m.converged).toBe(false);
    expect(m.separation).toBe(true);
    expect(m.coef[1]).toBeLessThan(-15);
    expect(profileIntervals(refMatrix(s), f64(s.y), m, { sampleWeight: f64(s.w) }).lower[1]).toBeNaN();
    expect(likelihoodRatioTest(refMatrix(s), f64(s.y), m, [0, 1], { sampleWeight: f64(s.w) }).pValue).toBeNaN();
  });

  it("predictInferenceProba matches the fitted probabilities", () => {
    const pr = predictInferenceProba(fit, X);
    const eta = X.data.subarray(0, X.cols).reduce((s, v, j) => s + v * fit.coef[j], fit.intercept);
    expect(pr[0]).toBeCloseTo(1 / (1 + Math.exp(-eta)), 14);
  });
});

describe("fitLogisticFirth(X, y, options)", () => {
  it("equals the closed forms: intercept only and a 2×2 table with a zero cell", () => {
    const y = f64([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const f0 = fitLogisticFirth({ rows: 11, cols: 0, data: new Float64Array(0) }, y);
    expect(f0.intercept).toBeCloseTo(Math.log(3.5 / 12 / (1 - 3.5 / 12)), 12);
    // cells x=0: 10 events, 20 non-events; x=1: 0 events, 15 non-events → ½ added to each cell
    const f1 = fitLogisticFirth({ rows: 4, cols: 1, data: f64([0, 0, 1, 1]) }, f64([1, 0, 1, 0]), { sampleWeight: f64([10, 20, 0, 15]) });
    expect(f1.coef[0]).toBeCloseTo(Math.log((0.5 * 20.5) / (15.5 * 10.5)), 9);
    expect(f1.intercept).toBeCloseTo(Math.log(10.5 / 20.5), 9);
  });

  const d = riskRef.dense;
  it("equals the numpy Firth reference on continuous and categorical columns with weights", () => {
    const X = refMatrix(d);
    const y = f64(d.y);
    const w = f64(d.w);
    const fit = fitLogisticFirth(X, y, { sampleWeight: w });
    expectFirthMatches(fit, d.firth);
    const ci = profileIntervals(X, y, fit, { sampleWeight: w });
    expect(maxAbsDiff(ci.lower, d.firth.profile_lower)).toBeLessThan(1e-7);
    expect(maxAbsDiff(ci.upper, d.firth.profile_upper)).toBeLessThan(1e-7);
    expectTestsMatch(X, y, fit, d.firth.lr_tests, w);
  });

  const s = riskRef.separation;
  const Xs = refMatrix(s);
  const ys = f64(s.y);
  const ws = f64(s.w);
  it("gives finite estimates and profile intervals for a level with zero events", () => {
    const fit = fitLogisticFirth(Xs, ys, { sampleWeight: ws });
    expectFirthMatches(fit, s.firth);
    for (const algorithm of ["venzon-moolgavkar", "brent"] as const) {
      const ci = profileIntervals(Xs, ys, fit, { sampleWeight: ws, algorithm });
      expect(maxAbsDiff(ci.lower, s.firth.profile_lower)).toBeLessThan(1e-7);
      expect(maxAbsDiff(ci.upper, s.firth.profile_upper)).toBeLessThan(1e-7);
      for (const v of [...ci.lower, ...ci.upper]) expect(Number.isFinite(v)).toBe(true);
    }
    // the zero-event level (parameter 2): a finite negative estimate whose profile interval reaches further
    // down than up, unlike the symmetric Wald interval
    const ci = profileIntervals(Xs, ys, fit, { sampleWeight: ws, parameters: [2] });
    const wald = waldIntervals(fit);
    expect(fit.coef[1]).toBeLessThan(-1);
    expect(fit.coef[1] - ci.lower[2]).toBeGreaterThan(1.5 * (ci.upper[2] - fit.coef[1]));
    expect(ci.lower[2]).toBeLessThan(wald.lower[2]);
    expectTestsMatch(Xs, ys, fit, s.firth.lr_tests, ws);
  });

  it("gives the same estimates, intervals and tests on weighted rows as on the expanded rows", () => {
    const fw = fitLogisticFirth(Xs, ys, { sampleWeight: ws });
    const e = expand(Xs, ys, ws);
    const fe = fitLogisticFirth(e.X, e.y);
    expect(maxAbsDiff(params(fe), params(fw))).toBeLessThan(1e-10);
    expect(maxAbsDiff(fe.se, fw.se)).toBeLessThan(1e-10);
    expect(Math.abs(fe.penalizedLogLikelihood - fw.penalizedLogLikelihood)).toBeLessThan(1e-9);
    const cw = profileIntervals(Xs, ys, fw, { sampleWeight: ws });
    const ce = profileIntervals(e.X, e.y, fe);
    expect(maxAbsDiff(ce.lower, cw.lower)).toBeLessThan(1e-8);
    expect(maxAbsDiff(ce.upper, cw.upper)).toBeLessThan(1e-8);
    const tw = likelihoodRatioTest(Xs, ys, fw, [0, 1], { sampleWeight: ws });
    const te = likelihoodRatioTest(e.X, e.y, fe, [0, 1]);
    expect(Math.abs(te.statistic - tw.statistic)).toBeLessThan(1e-8);
  });

  it("gives finite estimates under complete separation", () => {
    const c = s.complete;
    const X = { rows: c.x.length, cols: 1, data: f64(c.x) };
    const y = f64(c.y);
    expect(fitLogisticMle(X, y).separation).toBe(true);
    const fit = fitLogisticFirth(X, y);
    expectFirthMatches(fit, c.firth);
    const ci = profileIntervals(X, y, fit);
    expect(maxAbsDiff(ci.lower, c.firth.profile_lower)).toBeLessThan(1e-7);
    expect(maxAbsDiff(ci.upper, c.firth.profile_upper)).toBeLessThan(1e-7);
    expectTestsMatch(X, y, fit, c.firth.lr_tests);
  });

  it("leaves out an aliased (constant) column with NaN and fits the rest unchanged", () => {
    const X = refMatrix(d);
    const p = X.cols;
    const Xc = { rows: X.rows, cols: p + 1, data: new Float64Array(X.rows * (p + 1)) };
    for (let i = 0; i < X.rows; ++i) {
      Xc.data.set(X.data.subarray(i * p, i * p + p), i * (p + 1));
      Xc.data[i * (p + 1) + p] = 3;
    }
    const y = f64(d.y);
    const w = f64(d.w);
    const fit = fitLogisticFirth(Xc, y, { sampleWeight: w });
    expect(fit.aliased).toEqual([p]);
    expect(fit.coef[p]).toBeNaN();
    expect(fit.se[p + 1]).toBeNaN();
    expect(maxRelDiff(params(fit).subarray(0, p + 1), d.firth.params)).toBeLessThan(1e-8);
    const ci = profileIntervals(Xc, y, fit, { sampleWeight: w, parameters: [1, p + 1] });
    expect(ci.lower[p + 1]).toBeNaN();
    expect(ci.lower[1]).toBeCloseTo(d.firth.profile_lower[1], 7);
    expect(likelihoodRatioTest(Xc, y, fit, [p], { sampleWeight: w })).toMatchObject({ df: 0, statistic: 0, pValue: 1 });
  });
});

describe("fitLogisticFirth on a level seen once (its row has leverage 1)", () => {
  // 40 rows: a 0/1 column with events in both groups, and a level that only row 0 has. Firth's modified score for
  // that level is (y₀ − p₀) + h₀(½ − p₀) with h₀ = 1, so p̂₀ = (y₀ + ½)/2: 1/4 when y₀ = 0, 3/4 when y₀ = 1.
  const X: Matrix = { rows: 40, cols: 2, data: new Float64Array(80) };
  const y = new Float64Array(40);
  for (let i = 0; i < 40; ++i) {
    X.data[2 * i] = i % 2;
    X.data[2 * i + 1] = i === 0 ? 1 : 0;
    y[i] = i % 5 === 1 || i % 7 === 2 ? 1 : 0;
  }
  const row0: Matrix = { rows: 1, cols: 2, data: X.data.slice(0, 2) };

  it.each([0, 1])("converges with p̂ = (y + ½)/2 for that row when its label is %i", (label) => {
    const yy = Float64Array.from(y);
    yy[0] = label;
    const fit = fitLogisticFirth(X, yy);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(50);
    expect(fit.gradNorm).toBeLessThan(1e-8);
    expect(predictInferenceProba(fit, row0)[0]).toBeCloseTo((label + 0.5) / 2, 10);
  });

  it("gives the level a finite profile interval, equal by both algorithms", () => {
    const fit = fitLogisticFirth(X, y);
    const vm = profileIntervals(X, y, fit, { parameters: [2] });
    const brent = profileIntervals(X, y, fit, { parameters: [2], algorithm: "brent" });
    expect(Number.isFinite(vm.lower[2]) && Number.isFinite(vm.upper[2])).toBe(true);
    expect(vm.lower[2]).toBeLessThan(fit.coef[1]);
    expect(vm.upper[2]).toBeGreaterThan(fit.coef[1]);
    expect(vm.lower[2]).toBeCloseTo(brent.lower[2], 6);
    expect(vm.upper[2]).toBeCloseTo(brent.upper[2], 6);
  });
});

describe("Firth inference on an LMPD-shaped design (ten reference-coded categoricals, weighted distinct rows)", () => {
  const l = riskRef.lmpd;
  const { X, blocks } = referenceCoded(l.codes, l.n_vars, l.levels, l.reference);
  const y = f64(l.y);
  const w = f64(l.w);
  const fit = fitLogisticFirth(X, y, { sampleWeight: w });

  it("equals the numpy reference: estimates, standard errors, penalized log-likelihood", () => {
    expect(X.cols).toBe(l.cols);
    expectFirthMatches(fit, l.firth);
  });

  it("profile intervals equal brentq over constrained refits (every fourth parameter, to keep the test short)", () => {
    const which = Array.from({ length: X.cols + 1 }, (_, j) => j).filter((j) => j % 4 === 0);
    const ci = profileIntervals(X, y, fit, { sampleWeight: w, parameters: which });
    const pick = (a: ArrayLike<number>): number[] => which.map((j) => a[j]);
    expect(maxAbsDiff(pick(ci.lower), pick(l.firth.profile_lower))).toBeLessThan(1e-6);
    expect(maxAbsDiff(pick(ci.upper), pick(l.firth.profile_upper))).toBeLessThan(1e-6);
    expect(ci.lower[1]).toBeNaN();
    for (const j of which) {
      expect(ci.lower[j]).toBeLessThan(params(fit)[j]);
      expect(ci.upper[j]).toBeGreaterThan(params(fit)[j]);
    }
  });

  it("gives a finite interval to the level with no events, by both algorithms", () => {
    const zl = l.zero_event_level;
    let column = 0;
    for (let v = 0; v < zl.variable; ++v) column += blocks[v].length;
    column += zl.level - (zl.level > l.reference[zl.variable] ? 1 : 0);
    const j = column + 1;
    const vm = profileIntervals(X, y, fit, { sampleWeight: w, parameters: [j] });
    const br = profileIntervals(X, y, fit, { sampleWeight: w, parameters: [j], algorithm: "brent" });
    expect(Number.isFinite(vm.lower[j]) && Number.isFinite(vm.upper[j])).toBe(true);
    expect(Math.abs(vm.lower[j] - br.lower[j])).toBeLessThan(1e-7);
    expect(Math.abs(vm.upper[j] - br.upper[j])).toBeLessThan(1e-7);
    expect(Math.abs(vm.upper[j] - l.firth.profile_upper[j])).toBeLessThan(1e-6);
  });

  it("penalized likelihood-ratio tests per categorical equal the reference", () => {
    expect(l.firth.lr_tests.map((t: TestRef) => t.columns)).toEqual(blocks);
    expectTestsMatch(X, y, fit, l.firth.lr_tests, w);
  });

  it("events per variable is min(events, non-events) / parameters", () => {
    expect(eventsPerVariable(l.events, l.non_events, X.cols)).toBeCloseTo(l.events / X.cols, 12);
    expect(eventsPerVariable(900, 100, 20)).toBe(5);
    expect(eventsPerVariable(10, 10, 0)).toBeNaN();
  });
});
