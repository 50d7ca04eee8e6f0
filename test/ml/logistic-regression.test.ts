import { describe, expect, it } from "vitest";
import { minimizeLbfgs } from "../../src/ml/lbfgs.js";
import { coefficientStandardErrors, fitLogisticRegression, log1pExp, predictProba, sigmoid } from "../../src/ml/logistic-regression.js";
import { sparseToDense } from "../../src/ml/sparse.js";
import { f64, maxAbsDiff, ref, refCsr, refDense } from "./reference.js";

function dataOf(fit: { data: string; weighted: boolean; sample_weight: number[] | null }) {
  if (fit.data === "dense") {
    const { X, y, sw } = refDense();
    return { X, y, sw: fit.weighted ? sw : undefined };
  }
  const X = refCsr(ref.onehot.X);
  return { X, y: f64(ref.onehot.y), sw: fit.sample_weight ? f64(fit.sample_weight) : undefined };
}

describe("minimizeLbfgs(f, x0)", () => {
  it("finds the minimum of the Rosenbrock function", () => {
    const res = minimizeLbfgs(
      (x, g) => {
        const [a, b] = x;
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      f64([-1.2, 1]),
      { tol: 1e-10 },
    );
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 8);
    expect(res.x[1]).toBeCloseTo(1, 8);
  });
});

describe("fitLogisticRegression(X, y, options)", () => {
  for (const fit of ref.logistic) {
    it(`matches scikit-learn for ${fit.name}`, () => {
      const { X, y, sw } = dataOf(fit);
      // ftol 0: run to the gradient tolerance, past the relative-decrease stop scikit-learn takes.
      const m = fitLogisticRegression(X, y, { C: fit.C, fitIntercept: fit.fit_intercept, sampleWeight: sw, tol: 1e-9, ftol: 0 });
      expect(m.converged).toBe(true);
      // The exact minimiser (Newton-polished in the reference script) to 1e-6 ...
      expect(maxAbsDiff(m.coef, fit.opt_coef)).toBeLessThan(1e-6);
      expect(Math.abs(m.intercept - fit.opt_intercept)).toBeLessThan(1e-6);
      // ... and scikit-learn's own coefficients within 1e-4 plus scikit-learn's distance from that minimiser.
      expect(maxAbsDiff(m.coef, fit.coef)).toBeLessThan(1e-4 + fit.sklearn_vs_opt);
      expect(Math.abs(m.intercept - fit.intercept)).toBeLessThan(1e-4 + fit.sklearn_vs_opt);
      expect(maxAbsDiff(predictProba(m, X).subarray(0, 10), fit.proba_head)).toBeLessThan(1e-5 + fit.sklearn_vs_opt);
    });
  }

  it("gives the same model for dense and sparse input", () => {
    const S = refCsr(ref.onehot.X);
    const y = f64(ref.onehot.y);
    const a = fitLogisticRegression(S, y);
    const b = fitLogisticRegression(sparseToDense(S), y);
    expect(maxAbsDiff(a.coef, b.coef)).toBeLessThan(1e-7);
  });

  it("converges with the default tol and reports iterations", () => {
    const { X, y } = refDense();
    const m = fitLogisticRegression(X, y);
    expect(m.converged).toBe(true);
    expect(m.iterations).toBeGreaterThan(0);
    expect(m.C).toBe(1);
    expect(maxAbsDiff(m.coef, ref.logistic[0].opt_coef)).toBeLessThan(1e-5);
  });

  it("reports non-convergence when maxIter is too small", () => {
    const { X, y } = refDense();
    const m = fitLogisticRegression(X, y, { maxIter: 2 });
    expect(m.converged).toBe(false);
    expect(m.iterations).toBe(2);
  });

  it("rejects labels outside {0, 1} and mismatched lengths", () => {
    const { X, y } = refDense();
    const bad = y.slice();
    bad[3] = 2;
    expect(() => fitLogisticRegression(X, bad)).toThrow(/invalid y\[3\]/);
    expect(() => fitLogisticRegression(X, y.subarray(1))).toThrow(/invalid y: length/);
    expect(() => fitLogisticRegression(X, y, { C: 0 })).toThrow(/invalid C/);
  });

  it("stays finite on separable data with huge margins", () => {
    const X = { rows: 4, cols: 1, data: f64([-1000, -900, 900, 1000]) };
    const m = fitLogisticRegression(X, f64([0, 0, 1, 1]), { C: 1e6 });
    expect(Number.isFinite(m.coef[0])).toBe(true);
    const p = predictProba(m, X);
    expect(p[0]).toBeLessThan(1e-6);
    expect(p[3]).toBeGreaterThan(1 - 1e-6);
  });
});

describe("sigmoid and log1pExp", () => {
  it("are stable for large |z|", () => {
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(0)).toBe(0.5);
    expect(log1pExp(800)).toBe(800);
    expect(log1pExp(-800)).toBe(0);
    expect(log1pExp(1e-20)).toBeCloseTo(Math.LN2, 15);
  });
});

describe("coefficientStandardErrors(model, X, sampleWeight)", () => {
  for (const fit of ref.logistic) {
    it(`equals numpy's sqrt(diag(inv(H))) for ${fit.name}`, () => {
      const { X, sw } = dataOf(fit);
      const model = { coef: f64(fit.coef), intercept: fit.intercept, iterations: 0, converged: true, C: fit.C };
      const se = coefficientStandardErrors(model, X, sw, { fitIntercept: fit.fit_intercept });
      for (let j = 0; j < se.coef.length; ++j) expect(se.coef[j]).toBeCloseTo(fit.se_coef[j], 10);
      if (fit.fit_intercept) expect(se.intercept).toBeCloseTo(fit.se_intercept, 10);
      else expect(se.intercept).toBeNaN();
    });
  }
});
