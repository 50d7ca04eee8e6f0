import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { minimizeLbfgs, SCIPY_FTOL, type LbfgsStop } from "../../src/ml/lbfgs.js";
import { fitLogisticRegression } from "../../src/ml/logistic-regression.js";
import { balancedSampleWeights } from "../../src/ml/resample.js";
import { f64, maxAbsDiff, ref, refCsr, refDense } from "./reference.js";

/** One scipy L-BFGS-B run as scikit-learn 1.2.1 makes it (test/reference/lbfgs_path.py). */
interface ScipyRun {
  name: string;
  data: "dense" | "onehot";
  C: number;
  fit_intercept: boolean;
  weighted: boolean;
  balanced: boolean;
  tol: number;
  max_iter: number;
  nit: number;
  nfev: number;
  status: number;
  message: string;
  fun: number;
  x: number[];
  sklearn_n_iter: number;
}

const path = JSON.parse(readFileSync(new URL("../reference/lbfgs_path.json", import.meta.url), "utf8")) as {
  ftol: number;
  fits: ScipyRun[];
  rosenbrock: { nit: number; nfev: number; status: number; message: string; fun: number; x: number[] };
};

/** scipy's message for each way of stopping. */
const MESSAGE: Record<LbfgsStop, string> = {
  gradient: "CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL",
  ftol: "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH",
  max_iter: "STOP: TOTAL NO. of ITERATIONS REACHED LIMIT",
  line_search: "ABNORMAL_TERMINATION_IN_LNSRCH",
};

function dataOf(run: ScipyRun) {
  if (run.data === "dense") {
    const { X, y, sw } = refDense();
    return { X, y, sw: run.weighted ? sw : undefined };
  }
  const y = f64(ref.onehot.y);
  return { X: refCsr(ref.onehot.X), y, sw: run.balanced ? balancedSampleWeights(y) : undefined };
}

function rosenbrock(x: Float64Array, g: Float64Array): number {
  const [a, b] = x;
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
}

describe("minimizeLbfgs(f, x0, options) as scipy's L-BFGS-B", () => {
  it("uses scipy's default ftol", () => {
    expect(SCIPY_FTOL).toBe(path.ftol);
  });

  it("takes scipy's iterations and evaluations on the Rosenbrock function", () => {
    const r = path.rosenbrock;
    const res = minimizeLbfgs(rosenbrock, f64([-1.2, 1]), { tol: 1e-10, ftol: SCIPY_FTOL });
    expect(res.iterations).toBe(r.nit);
    expect(res.evaluations).toBe(r.nfev);
    expect(MESSAGE[res.stop]).toBe(r.message);
    expect(res.converged).toBe(r.status === 0);
    expect(maxAbsDiff(res.x, r.x)).toBeLessThan(1e-10);
  });

  it("reports the iteration limit as scipy does, before testing convergence", () => {
    const res = minimizeLbfgs(rosenbrock, f64([-1.2, 1]), { maxIter: 3 });
    expect(res.stop).toBe("max_iter");
    expect(res.converged).toBe(false);
    expect(res.iterations).toBe(3);
  });

  it("stops at once when the starting point already meets tol", () => {
    const res = minimizeLbfgs(
      (x, g) => {
        g[0] = 2 * x[0];
        return x[0] * x[0];
      },
      f64([0]),
    );
    expect(res).toMatchObject({ iterations: 0, evaluations: 1, stop: "gradient", converged: true });
  });
});

describe("fitLogisticRegression(X, y) iterates as scikit-learn's lbfgs", () => {
  for (const run of path.fits) {
    it(`${run.name}, tol ${run.tol}, max_iter ${run.max_iter}: scipy's ${run.nit} iterations and ${run.nfev} evaluations`, () => {
      const { X, y, sw } = dataOf(run);
      const m = fitLogisticRegression(X, y, {
        C: run.C,
        fitIntercept: run.fit_intercept,
        sampleWeight: sw,
        tol: run.tol,
        maxIter: run.max_iter,
      });
      expect(m.iterations).toBe(run.sklearn_n_iter);
      expect(m.iterations).toBe(run.nit);
      expect(m.evaluations).toBe(run.nfev);
      expect(MESSAGE[m.stop ?? "gradient"]).toBe(run.message);
      expect(m.converged).toBe(run.status === 0);
      const w = run.fit_intercept ? [...m.coef, m.intercept] : Array.from(m.coef);
      expect(maxAbsDiff(w, run.x)).toBeLessThan(1e-9);
    });
  }

  for (const fit of ref.logistic) {
    it(`${fit.name} at tol 1e-10 stops where scikit-learn does (n_iter ${fit.n_iter}) with its coefficients`, () => {
      const run = { ...path.fits[0], data: fit.data, weighted: fit.weighted, balanced: fit.name.endsWith("balanced") };
      const { X, y, sw } = dataOf(run);
      const m = fitLogisticRegression(X, y, { C: fit.C, fitIntercept: fit.fit_intercept, sampleWeight: sw, tol: 1e-10, maxIter: 10000 });
      expect(m.iterations).toBe(fit.n_iter);
      expect(maxAbsDiff(m.coef, fit.coef)).toBeLessThan(1e-9);
      expect(Math.abs(m.intercept - fit.intercept)).toBeLessThan(1e-9);
    });
  }

  it("marks a fit stopped by max_iter as not converged, with the reason", () => {
    const { X, y } = refDense();
    const m = fitLogisticRegression(X, y, { maxIter: 3 });
    expect(m.converged).toBe(false);
    expect(m.stop).toBe("max_iter");
  });
});
