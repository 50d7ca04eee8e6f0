import { choleskyFactor, choleskyInverse } from "./cholesky.js";
import { checkMatrix, type Matrix } from "./matrix.js";

/** One term of the linear combination that reproduces an aliased column. */
export interface AliasTerm {
  /** Column of X, or −1 for the intercept. */
  column: number;
  coefficient: number;
}

/** A column of X that is (numerically) a linear combination of the intercept and earlier columns. */
export interface AliasedColumn {
  /** Column of X. */
  column: number;
  /** x_column ≈ Σ coefficient·x_term over the weighted rows; empty when the column is zero on every weighted row. */
  combination: AliasTerm[];
}

/** Options for {@link aliasedColumns}. */
export interface AliasedColumnsOptions {
  /** Row weights wᵢ ≥ 0 (default 1); rows with weight 0 do not count. */
  sampleWeight?: Float64Array;
  /** Test against an intercept column placed before the first column of X (default true). */
  fitIntercept?: boolean;
  /**
   * A column is aliased when the weighted squared norm of its part not explained by the earlier kept columns is
   * ≤ tol times its own (default 1e-10).
   */
  tol?: number;
}

/**
 * Rank-deficiency detection: which columns of X are linear combinations of the intercept and of the columns
 * before them, as R's `lm`/`glm` report aliased coefficients. Columns are taken in order; a column whose
 * residual after projection on the kept ones is negligible is aliased and dropped, so the kept columns are a
 * basis and the later member of each dependency is the one reported (a reference-coded level that duplicates
 * another, a "missing" indicator equal to a year, a constant column). Works on the weighted Gram matrix
 * G = DᵀWD, D = [1, X], with a Cholesky factorisation that skips aliased pivots (the Gram-matrix form of
 * R's QR with limited column pivoting, which also moves a dependent column aside and goes on).
 * @param X n×p design (row-major)
 * @param options sampleWeight (ones), fitIntercept (true), tol (1e-10)
 */
export function aliasedColumns(X: Matrix, options: AliasedColumnsOptions = {}): AliasedColumn[] {
  const { sampleWeight, fitIntercept = true, tol = 1e-10 } = options;
  checkMatrix(X);
  const { rows: n, cols: p } = X;
  if (sampleWeight && sampleWeight.length !== n) throw new Error(`invalid sampleWeight: length ${sampleWeight.length} (expected ${n})`);
  const off = fitIntercept ? 1 : 0;
  const q = p + off;
  const G = weightedGram(X, sampleWeight, fitIntercept);
  // L holds the factor over kept columns only; rows of aliased columns are left as scratch.
  const L = new Float64Array(q * q);
  const kept: number[] = [];
  const out: AliasedColumn[] = [];
  for (let j = 0; j < q; ++j) {
    const rj = j * q;
    const gjj = G[rj + j];
    let d = gjj;
    for (const k of kept) {
      let t = G[rj + k];
      const rk = k * q;
      for (const m of kept) {
        if (m >= k) break;
        t -= L[rj + m] * L[rk + m];
      }
      t /= L[rk + k];
      L[rj + k] = t;
      d -= t * t;
    }
    if (gjj > 0 && d > tol * gjj) {
      L[rj + j] = Math.sqrt(d);
      kept.push(j);
      continue;
    }
    if (j < off) continue; // an intercept over zero total weight: nothing to explain it with
    // x_j ≈ D_S·c with G_SS·c = G_Sj; since G_SS = L_S·L_Sᵀ and L_{j,S} = L_S⁻¹·G_Sj, solve L_Sᵀ·c = L_{j,S}.
    const c = new Float64Array(kept.length);
    for (let a = kept.length - 1; a >= 0; --a) {
      const ka = kept[a];
      let s = gjj > 0 ? L[rj + ka] : 0;
      for (let b = a + 1; b < kept.length; ++b) s -= L[kept[b] * q + ka] * c[b];
      c[a] = s / L[ka * q + ka];
    }
    let cmax = 0;
    for (const v of c) cmax = Math.max(cmax, Math.abs(v));
    const combination: AliasTerm[] = [];
    for (let a = 0; a < kept.length; ++a) {
      if (Math.abs(c[a]) > 1e-9 * cmax) combination.push({ column: kept[a] - off, coefficient: c[a] });
    }
    out.push({ column: j - off, combination });
  }
  return out;
}

/** Options for {@link varianceInflationFactors}. */
export interface VarianceInflationOptions {
  /** Row weights wᵢ ≥ 0 (default 1). */
  sampleWeight?: Float64Array;
  /** Alias tolerance passed to {@link aliasedColumns} (default 1e-10). */
  tol?: number;
}

/**
 * Variance inflation factor of each column, VIFⱼ = 1/(1 − R²ⱼ) with R²ⱼ from the weighted least-squares
 * regression of column j on an intercept and the other columns (statsmodels' `variance_inflation_factor` with a
 * constant in the design; Marquardt 1970). Computed as Sⱼⱼ·(S⁻¹)ⱼⱼ from the weighted covariance S of the
 * columns that are not aliased; aliased and constant columns get Infinity, since they are exact combinations.
 * With integer weights this equals the VIF over the expanded rows.
 * @param X n×p design without an intercept column (row-major)
 * @param options sampleWeight (ones), tol (1e-10)
 */
export function varianceInflationFactors(X: Matrix, options: VarianceInflationOptions = {}): Float64Array {
  const { sampleWeight, tol = 1e-10 } = options;
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  const out = new Float64Array(p).fill(Infinity);
  const isAliased = new Uint8Array(p);
  for (const a of aliasedColumns(X, { sampleWeight, tol })) isAliased[a.column] = 1;
  const cols: number[] = [];
  for (let j = 0; j < p; ++j) if (!isAliased[j]) cols.push(j);
  const m = cols.length;
  if (m === 0) return out;
  let sw = 0;
  const mu = new Float64Array(m);
  for (let i = 0; i < n; ++i) {
    const wi = sampleWeight ? sampleWeight[i] : 1;
    sw += wi;
    for (let a = 0; a < m; ++a) mu[a] += wi * data[i * p + cols[a]];
  }
  for (let a = 0; a < m; ++a) mu[a] /= sw;
  // Two-pass (centred) covariance: the raw Gram minus the outer product of means loses digits for offset columns.
  const S = new Float64Array(m * m);
  const dev = new Float64Array(m);
  for (let i = 0; i < n; ++i) {
    const wi = sampleWeight ? sampleWeight[i] : 1;
    if (wi === 0) continue;
    for (let a = 0; a < m; ++a) dev[a] = data[i * p + cols[a]] - mu[a];
    for (let a = 0; a < m; ++a) {
      const v = wi * dev[a];
      if (v === 0) continue;
      const ra = a * m;
      for (let b = 0; b <= a; ++b) S[ra + b] += v * dev[b];
    }
  }
  for (let a = 0; a < m; ++a) for (let b = 0; b < a; ++b) S[b * m + a] = S[a * m + b];
  const L = new Float64Array(m * m);
  if (!choleskyFactor(S, m, L)) return out;
  const Sinv = new Float64Array(m * m);
  choleskyInverse(L, m, Sinv, new Float64Array(m * m));
  for (let a = 0; a < m; ++a) out[cols[a]] = S[a * m + a] * Sinv[a * m + a];
  return out;
}

/** G = DᵀWD for D = [1, X] (or X), W = diag(w), full symmetric q×q. */
function weightedGram(X: Matrix, w: Float64Array | undefined, fitIntercept: boolean): Float64Array {
  const { rows: n, cols: p, data } = X;
  const off = fitIntercept ? 1 : 0;
  const q = p + off;
  const G = new Float64Array(q * q);
  const row = new Float64Array(q);
  for (let i = 0; i < n; ++i) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    if (fitIntercept) row[0] = 1;
    for (let j = 0; j < p; ++j) row[j + off] = data[i * p + j];
    for (let a = 0; a < q; ++a) {
      const v = wi * row[a];
      if (v === 0) continue;
      const ra = a * q;
      for (let b = 0; b <= a; ++b) G[ra + b] += v * row[b];
    }
  }
  for (let a = 0; a < q; ++a) for (let b = 0; b < a; ++b) G[b * q + a] = G[a * q + b];
  return G;
}
