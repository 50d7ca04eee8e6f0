/**
 * Limited-memory BFGS for smooth unconstrained minimisation, following the unconstrained path of L-BFGS-B 3.0
 * (Byrd, Lu, Nocedal & Zhu, SIAM J. Sci. Comput. 16, 1995; Morales & Nocedal, ACM TOMS 38, 2011) as scipy's
 * `minimize(method="L-BFGS-B")` runs it: the quasi-Newton direction from the last `memory` correction pairs with
 * B₀ = θ·I, θ = yᵀy / sᵀy (computed here by the two-loop recursion, Nocedal & Wright, *Numerical Optimization*,
 * 2nd ed., Algorithm 7.4, which gives the same direction as L-BFGS-B's compact form when nothing is bounded);
 * the Moré–Thuente line search (ACM TOMS 20, 1994; MINPACK-2 `dcsrch`/`dcstep`) with L-BFGS-B's constants; and
 * scipy's stopping rules in scipy's order. With the same objective this takes the same iterations as scipy, so
 * scikit-learn's `LogisticRegression(solver="lbfgs")` fits can be reproduced iteration for iteration.
 */

/** Writes the gradient at `x` into `grad` and returns the objective value. Must not keep `x` or `grad`. */
export type ObjectiveFn = (x: Float64Array, grad: Float64Array) => number;

/** scipy's default `ftol` for L-BFGS-B (`factr = 1e7` times machine epsilon), which scikit-learn 1.2.1 leaves in place. */
export const SCIPY_FTOL = 2.220446049250313e-9;

/** Options for {@link minimizeLbfgs}. */
export interface LbfgsOptions {
  /** Maximum number of iterations (default 1000; scipy's `maxiter`). */
  maxIter?: number;
  /** Stop when max |∇f| ≤ tol (scipy's `gtol`/`pgtol`; default 1e-6). */
  tol?: number;
  /** Number of correction pairs kept (default 10, scipy's `maxcor`). */
  memory?: number;
  /**
   * Also stop when (f_prev − f) / max(|f_prev|, |f|, 1) ≤ ftol after an iteration (scipy's `ftol`). Default 0
   * (off); pass {@link SCIPY_FTOL} for scipy's default.
   */
  ftol?: number;
  /** Function evaluations allowed in one line search before the memory is reset (default 20, scipy's `maxls`). */
  maxLineSearch?: number;
  /** Stop once more than this many function evaluations were made (default 15000, scipy's `maxfun`). */
  maxEval?: number;
}

/** Why {@link minimizeLbfgs} stopped. */
export type LbfgsStop =
  /** max |∇f| ≤ tol (scipy: `CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL`). */
  | "gradient"
  /** Relative decrease of f ≤ ftol (scipy: `CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH`). */
  | "ftol"
  /** maxIter iterations or maxEval evaluations reached (scipy's status 1, a ConvergenceWarning in scikit-learn). */
  | "max_iter"
  /** No acceptable step along steepest descent (scipy's `ABNORMAL_TERMINATION_IN_LNSRCH`, status 2). */
  | "line_search";

/** Result of {@link minimizeLbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** max |∇f| at x. */
  gradNorm: number;
  /** Iterations (accepted steps), as scipy's `nit`. */
  iterations: number;
  /** Objective evaluations, as scipy's `nfev`. */
  evaluations: number;
  /** True when a convergence test stopped the run ("gradient" or "ftol"), as scipy's `success`. */
  converged: boolean;
  stop: LbfgsStop;
}

/** L-BFGS-B's line-search constants (`lnsrlb`): sufficient decrease, curvature, relative interval width. */
const LS_FTOL = 1e-3;
const LS_GTOL = 0.9;
const LS_XTOL = 0.1;
const STEP_MAX = 1e10;
/** The fallback search's sufficient-decrease and curvature constants and its evaluation budget. */
const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH = 40;
const EPS = 2.220446049250313e-16;

/**
 * Minimises f from x0 with L-BFGS.
 * @param fg objective and gradient
 * @param x0 starting point (not modified)
 * @param options maxIter (1000), tol (1e-6), memory (10), ftol (0: off), maxLineSearch (20), maxEval (15000)
 */
export function minimizeLbfgs(fg: ObjectiveFn, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const { maxIter = 1000, tol = 1e-6, memory = 10, ftol = 0, maxLineSearch = 20, maxEval = 15000 } = options;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) throw new Error(`invalid objective at the starting point: ${f}`);
  // Correction pairs in a ring of `memory` slots, oldest at `head`.
  const S = Array.from({ length: memory }, () => new Float64Array(n));
  const Y = Array.from({ length: memory }, () => new Float64Array(n));
  let sNew = new Float64Array(n);
  let yNew = new Float64Array(n);
  const rho = new Float64Array(memory);
  const alpha = new Float64Array(memory);
  let head = 0;
  let col = 0;
  let theta = 1;
  const d = new Float64Array(n);
  const x1 = new Float64Array(n);
  const g1 = new Float64Array(n);
  let gnorm = normInf(g);
  let iterations = 0;
  let stop: LbfgsStop | null = gnorm <= tol ? "gradient" : null;
  const ls = new MoreThuente();

  while (stop === null) {
    // Direction d = −H·g, H the L-BFGS inverse Hessian with H₀ = I/θ (d = −g/θ with an empty memory).
    for (let i = 0; i < n; ++i) d[i] = -g[i];
    for (let c = col - 1; c >= 0; --c) {
      const k = (head + c) % memory;
      const a = rho[k] * dot(S[k], d);
      alpha[k] = a;
      axpy(-a, Y[k], d);
    }
    for (let i = 0; i < n; ++i) d[i] /= theta;
    for (let c = 0; c < col; ++c) {
      const k = (head + c) % memory;
      const b = rho[k] * dot(Y[k], d);
      axpy(alpha[k] - b, S[k], d);
    }
    const gd0 = dot(g, d);
    let accepted = false;
    let step = 0;
    let gd = gd0;
    let f1 = f;
    if (gd0 < 0) {
      const dnorm = Math.sqrt(dot(d, d));
      step = iterations === 0 ? Math.min(1 / dnorm, STEP_MAX) : 1;
      ls.start(f, gd0, step);
      for (let trial = 0; trial < maxLineSearch; ++trial) {
        for (let i = 0; i < n; ++i) x1[i] = step * d[i] + x[i];
        f1 = fg(x1, g1);
        ++evaluations;
        gd = dot(g1, d);
        const next = ls.next(f1, gd);
        if (next === null) {
          accepted = true;
          break;
        }
        step = next;
      }
    }
    if (!accepted && col > 0) {
      // L-BFGS-B keeps the previous iterate, empties the memory and restarts from −g.
      col = 0;
      head = 0;
      theta = 1;
      continue;
    }
    if (!accepted) {
      // Here L-BFGS-B stops (ABNORMAL_TERMINATION_IN_LNSRCH), typically within rounding of the optimum; a search
      // that tolerates rounding in f takes the step instead, so tight tolerances can still be met.
      const found = gd0 < 0 ? wolfeLineSearch(fg, x, f, gd0, d, 1, x1, g1) : null;
      if (!found) {
        stop = "line_search";
        break;
      }
      evaluations += found.evaluations;
      step = found.step;
      f1 = found.f;
      gd = dot(g1, d);
    }
    const fOld = f;
    // s = step·d (not x1 − x, as L-BFGS-B) and y = g1 − g, taken before x and g are overwritten.
    for (let i = 0; i < n; ++i) {
      sNew[i] = step * d[i];
      yNew[i] = g1[i] - g[i];
    }
    x.set(x1);
    g.set(g1);
    f = f1;
    gnorm = normInf(g);
    ++iterations;
    // scipy's wrapper counts the iteration and checks its limits before L-BFGS-B tests for convergence.
    if (iterations >= maxIter || evaluations > maxEval) {
      stop = "max_iter";
      break;
    }
    if (gnorm <= tol) {
      stop = "gradient";
      break;
    }
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) {
      stop = "ftol";
      break;
    }
    // sᵀy as L-BFGS-B forms it, from the directional derivatives; the update is skipped when it is not positive enough.
    const dr = (gd - gd0) * step;
    if (!(dr > EPS * (-gd0 * step))) continue;
    const slot = (head + col) % memory;
    [S[slot], sNew] = [sNew, S[slot]];
    [Y[slot], yNew] = [yNew, Y[slot]];
    rho[slot] = 1 / dr;
    if (col < memory) ++col;
    else head = (head + 1) % memory;
    theta = dot(Y[slot], Y[slot]) / dr;
  }
  return { x, f, gradNorm: gnorm, iterations, evaluations, converged: stop === "gradient" || stop === "ftol", stop };
}

/**
 * The Moré–Thuente line search as a state machine: `start` with φ(0), φ'(0) and a first step, then feed each
 * trial's φ and φ' to `next`, which returns the next step to try or null when the step is accepted (the strong
 * Wolfe conditions hold, or no further progress is possible, which MINPACK-2 reports as a warning and L-BFGS-B
 * accepts all the same).
 */
class MoreThuente {
  private bracketed = false;
  private stage = 1;
  private fInit = 0;
  private gInit = 0;
  private gTest = 0;
  private width = 0;
  private width1 = 0;
  private stx = 0;
  private fx = 0;
  private gx = 0;
  private sty = 0;
  private fy = 0;
  private gy = 0;
  private stMin = 0;
  private stMax = 0;
  private stp = 0;

  start(f0: number, g0: number, step: number): void {
    this.bracketed = false;
    this.stage = 1;
    this.fInit = f0;
    this.gInit = g0;
    this.gTest = LS_FTOL * g0;
    this.width = STEP_MAX;
    this.width1 = STEP_MAX / 0.5;
    this.stx = 0;
    this.fx = f0;
    this.gx = g0;
    this.sty = 0;
    this.fy = f0;
    this.gy = g0;
    this.stMin = 0;
    this.stMax = step + 4 * step;
    this.stp = step;
  }

  next(f: number, g: number): number | null {
    let stp = this.stp;
    const fTest = this.fInit + stp * this.gTest;
    if (this.stage === 1 && f <= fTest && g >= 0) this.stage = 2;
    if (this.bracketed && (stp <= this.stMin || stp >= this.stMax)) return null;
    if (this.bracketed && this.stMax - this.stMin <= LS_XTOL * this.stMax) return null;
    if (stp === STEP_MAX && f <= fTest && g <= this.gTest) return null;
    if (stp === 0 && (f > fTest || g >= this.gTest)) return null;
    if (f <= fTest && Math.abs(g) <= LS_GTOL * -this.gInit) return null;
    if (this.stage === 1 && f <= this.fx && f > fTest) {
      // Stage 1 with a lower but not sufficiently lower value: step on the modified function ψ(a) = φ(a) − a·gTest.
      const gt = this.gTest;
      const r = step(
        this.stx,
        this.fx - this.stx * gt,
        this.gx - gt,
        this.sty,
        this.fy - this.sty * gt,
        this.gy - gt,
        stp,
        f - stp * gt,
        g - gt,
        this.bracketed,
        this.stMin,
        this.stMax,
      );
      this.stx = r.stx;
      this.fx = r.fx + r.stx * gt;
      this.gx = r.dx + gt;
      this.sty = r.sty;
      this.fy = r.fy + r.sty * gt;
      this.gy = r.dy + gt;
      this.bracketed = r.bracketed;
      stp = r.stp;
    } else {
      const r = step(this.stx, this.fx, this.gx, this.sty, this.fy, this.gy, stp, f, g, this.bracketed, this.stMin, this.stMax);
      this.stx = r.stx;
      this.fx = r.fx;
      this.gx = r.dx;
      this.sty = r.sty;
      this.fy = r.fy;
      this.gy = r.dy;
      this.bracketed = r.bracketed;
      stp = r.stp;
    }
    if (this.bracketed) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) stp = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
      this.stMin = Math.min(this.stx, this.sty);
      this.stMax = Math.max(this.stx, this.sty);
    } else {
      this.stMin = stp + 1.1 * (stp - this.stx);
      this.stMax = stp + 4 * (stp - this.stx);
    }
    stp = Math.min(Math.max(stp, 0), STEP_MAX);
    if (
      (this.bracketed && (stp <= this.stMin || stp >= this.stMax)) ||
      (this.bracketed && this.stMax - this.stMin <= LS_XTOL * this.stMax)
    ) {
      stp = this.stx;
    }
    this.stp = stp;
    return stp;
  }
}

interface StepUpdate {
  stx: number;
  fx: number;
  dx: number;
  sty: number;
  fy: number;
  dy: number;
  stp: number;
  bracketed: boolean;
}

/**
 * One safeguarded step of the Moré–Thuente search (MINPACK-2 `dcstep`): updates the interval [stx, sty] known to
 * contain a step satisfying the conditions and proposes the next trial from cubic, quadratic or secant fits.
 */
function step(
  stx: number,
  fx: number,
  dx: number,
  sty: number,
  fy: number,
  dy: number,
  stp: number,
  fp: number,
  dp: number,
  bracketed: boolean,
  stpMin: number,
  stpMax: number,
): StepUpdate {
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    // Higher function value: the minimum is bracketed; cubic step if nearer stx than the quadratic, else their mean.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(sq(theta / s) - (dx / s) * (dp / s));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const stpc = stx + (p / q) * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    bracketed = true;
  } else if (sgnd < 0) {
    // Lower value, derivatives of opposite sign: bracketed; the cubic step if farther from stp than the secant.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(sq(theta / s) - (dx / s) * (dp / s));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const stpc = stp + (p / q) * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    bracketed = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    // Lower value, same sign, |derivative| decreasing: the cubic step only if the cubic tends to infinity beyond stp.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(Math.max(0, sq(theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const r = p / q;
    let stpc: number;
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
    else if (stp > stx) stpc = stpMax;
    else stpc = stpMin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (bracketed) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.max(stpMin, Math.min(stpMax, stpf));
    }
  } else if (bracketed) {
    // Lower value, same sign, |derivative| not decreasing: cubic step within the bracket.
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = s * Math.sqrt(sq(theta / s) - (dy / s) * (dp / s));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dy;
    stpf = stp + (p / q) * (sty - stp);
  } else {
    stpf = stp > stx ? stpMax : stpMin;
  }
  if (fp > fx) {
    sty = stp;
    fy = fp;
    dy = dp;
  } else {
    if (sgnd < 0) {
      sty = stx;
      fy = fx;
      dy = dx;
    }
    stx = stp;
    fx = fp;
    dx = dp;
  }
  return { stx, fx, dx, sty, fy, dy, stp: stpf, bracketed };
}

/**
 * The fallback search, used only where L-BFGS-B gives up (a failed search along steepest descent): bracketing and
 * cubic zoom for the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and 3.6) with Hager & Zhang's
 * approximate Wolfe test, which still accepts steps when f changes by less than its rounding error. On success
 * xNew/gNew hold the accepted point and its gradient; returns null when no such step is found.
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
): { f: number; step: number; evaluations: number } | null {
  const n = x.length;
  let evaluations = 0;
  const evaluate = (a: number): { f: number; dphi: number } => {
    for (let i = 0; i < n; ++i) xNew[i] = a * d[i] + x[i];
    const fa = fg(xNew, gNew);
    ++evaluations;
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
    if (wolfe(a, fa, dphi)) return { f: fa, step: a, evaluations };
    if (dphi >= 0) return zoom(a, fa, dphi, aPrev, fPrev, dPrev);
    aPrev = a;
    fPrev = fa;
    dPrev = dphi;
    a *= 2;
  }
  return null;

  function zoom(
    lo: number,
    flo: number,
    dlo: number,
    hi: number,
    fhi: number,
    dhi: number,
  ): { f: number; step: number; evaluations: number } | null {
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
        if (wolfe(a, fa, dphi)) return { f: fa, step: a, evaluations };
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
      return { f: fa, step: lo, evaluations };
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

function sq(t: number): number {
  return t * t;
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
