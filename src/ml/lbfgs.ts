/**
 * Limited-memory BFGS for smooth unconstrained minimisation, with a line search that enforces the strong Wolfe
 * conditions (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Algorithms 7.4, 3.5 and 3.6).
 */

/** Writes the gradient at `x` into `grad` and returns the objective value. Must not keep `x` or `grad`. */
export type ObjectiveFn = (x: Float64Array, grad: Float64Array) => number;

/** Options for {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Maximum number of iterations (default 1000). */
  maxIter?: number;
  /** Stop when max |∇f| ≤ tol (scipy's `gtol`/`pgtol`; default 1e-6). */
  tol?: number;
  /** Number of correction pairs kept (default 10, as scipy). */
  memory?: number;
  /** Also stop when the relative decrease of f in one iteration is ≤ ftol (default 0: off; scipy uses 2.2e-9, which stops short of tight gradient tolerances). */
  ftol?: number;
}

/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** max |∇f| at x. */
  gradNorm: number;
  iterations: number;
  /** True when max |∇f| ≤ tol was reached. */
  converged: boolean;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH = 40;

/**
 * Minimises f from x0 with L-BFGS.
 * @param fg objective and gradient
 * @param x0 starting point (not modified)
 * @param options maxIter, tol, memory, ftol
 */
export function minimizeLbfgs(fg: ObjectiveFn, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const { maxIter = 1000, tol = 1e-6, memory = 10, ftol = 0 } = options;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = fg(x, g);
  if (!Number.isFinite(f)) throw new Error(`invalid objective at the starting point: ${f}`);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let gnorm = normInf(g);
  let iterations = 0;

  while (gnorm > tol && iterations < maxIter) {
    // Two-loop recursion: d = -H·g with H0 = (s'y / y'y)·I.
    for (let i = 0; i < n; ++i) d[i] = -g[i];
    const m = S.length;
    for (let k = m - 1; k >= 0; --k) {
      const a = rho[k] * dot(S[k], d);
      alpha[k] = a;
      axpy(-a, Y[k], d);
    }
    if (m > 0) {
      const gamma = dot(S[m - 1], Y[m - 1]) / dot(Y[m - 1], Y[m - 1]);
      for (let i = 0; i < n; ++i) d[i] *= gamma;
    }
    for (let k = 0; k < m; ++k) {
      const b = rho[k] * dot(Y[k], d);
      axpy(alpha[k] - b, S[k], d);
    }
    let dphi0 = dot(g, d);
    if (!(dphi0 < 0)) {
      // Not a descent direction (numerical trouble in the memory): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; ++i) d[i] = -g[i];
      dphi0 = dot(g, d);
    }
    const step0 = m === 0 ? Math.min(1, 1 / Math.sqrt(-dphi0)) : 1;
    const ls = wolfeLineSearch(fg, x, f, dphi0, d, step0, xNew, gNew);
    ++iterations;
    if (!ls) break;
    const fPrev = f;
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    for (let i = 0; i < n; ++i) {
      s[i] = xNew[i] - x[i];
      yv[i] = gNew[i] - g[i];
    }
    x.set(xNew);
    g.set(gNew);
    f = ls.f;
    gnorm = normInf(g);
    const sy = dot(s, yv);
    if (sy > 1e-12 * dot(yv, yv)) {
      if (S.length === memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    if (ftol > 0 && (fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= ftol) break;
  }
  return { x, f, gradNorm: gnorm, iterations, converged: gnorm <= tol };
}

/**
 * Finds a step a along d with f(x + a·d) ≤ f + c1·a·φ'(0) and |φ'(a)| ≤ c2·|φ'(0)|. On success xNew/gNew hold
 * the accepted point and its gradient; returns null when no such step is found.
 */
function wolfeLineSearch(
  fg: ObjectiveFn,
  x: Float64Array,
  f0: number,
  dphi0: number,
  d: Float64Array,
  step0: number,
  xNew: Float64Array,
  gNew: Float64Array,
): { f: number; step: number } | null {
  const n = x.length;
  const evaluate = (a: number): { f: number; dphi: number } => {
    for (let i = 0; i < n; ++i) xNew[i] = x[i] + a * d[i];
    const fa = fg(xNew, gNew);
    return { f: fa, dphi: dot(gNew, d) };
  };
  // Near the optimum f(x + a·d) − f(x) falls below the rounding error of f, so the Armijo test alone can stall;
  // Hager & Zhang's approximate Wolfe test (SIAM J. Optim. 16, 2005) accepts a step from its derivative then.
  const epsF = 1e-10 * Math.abs(f0);
  const wolfe = (a: number, fa: number, dphi: number): boolean =>
    (fa <= f0 + C1 * a * dphi0 || (fa <= f0 + epsF && dphi <= (2 * C1 - 1) * dphi0)) && Math.abs(dphi) <= -C2 * dphi0;
  // Too high: f clearly above the Armijo line (beyond rounding), or not finite.
  const tooHigh = (a: number, fa: number): boolean => !Number.isFinite(fa) || (fa > f0 + C1 * a * dphi0 && fa > f0 + epsF);
  let aPrev = 0;
  let fPrev = f0;
  let dPrev = dphi0;
  let a = step0;
  for (let i = 0; i < MAX_LINE_SEARCH; ++i) {
    const { f: fa, dphi } = evaluate(a);
    if (tooHigh(a, fa) || (i > 0 && fa > fPrev + epsF)) return zoom(aPrev, fPrev, dPrev, a, fa, dphi);
    if (wolfe(a, fa, dphi)) return { f: fa, step: a };
    if (dphi >= 0) return zoom(a, fa, dphi, aPrev, fPrev, dPrev);
    aPrev = a;
    fPrev = fa;
    dPrev = dphi;
    a *= 2;
  }
  return null;

  function zoom(lo: number, flo: number, dlo: number, hi: number, fhi: number, dhi: number): { f: number; step: number } | null {
    for (let j = 0; j < MAX_LINE_SEARCH; ++j) {
      const width = hi - lo;
      let a = cubicMin(lo, flo, dlo, hi, fhi, dhi);
      const left = Math.min(lo, hi);
      const right = Math.max(lo, hi);
      const margin = 0.1 * Math.abs(width);
      if (!Number.isFinite(a) || a < left + margin || a > right - margin) a = lo + 0.5 * width;
      if (a === lo || a === hi) break;
      const { f: fa, dphi } = evaluate(a);
      if (tooHigh(a, fa) || fa > flo + epsF) {
        hi = a;
        fhi = Number.isFinite(fa) ? fa : Infinity;
        dhi = Number.isFinite(dphi) ? dphi : NaN;
      } else {
        if (wolfe(a, fa, dphi)) return { f: fa, step: a };
        if (dphi * (hi - lo) >= 0) {
          hi = lo;
          fhi = flo;
          dhi = dlo;
        }
        lo = a;
        flo = fa;
        dlo = dphi;
      }
    }
    // The interval collapsed before the curvature condition held: accept the best point with sufficient decrease.
    if (lo > 0 && flo < f0) {
      const { f: fa } = evaluate(lo);
      return { f: fa, step: lo };
    }
    return null;
  }
}

/** Minimiser of the cubic interpolating (a, fa, da) and (b, fb, db); NaN when it does not exist. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  if (!Number.isFinite(fb) || !Number.isFinite(db)) return NaN;
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (disc < 0) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; ++i) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; ++i) y[i] += a * x[i];
}

function normInf(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; ++i) {
    const a = Math.abs(v[i]);
    if (a > m || Number.isNaN(a)) m = a;
  }
  return m;
}
