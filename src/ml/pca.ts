import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import { checkMatrix, type Matrix } from "./matrix.js";

/** Options of {@link pca}; give at most one. */
export interface PcaOptions {
  /** Number of components to keep, 1..min(n, p). Default: min(n, p). */
  components?: number;
  /** Keep the fewest components whose explained variance ratios sum to more than this share, in (0, 1). */
  varianceShare?: number;
}

/** A fitted principal component analysis (plain JSON-serialisable apart from the typed arrays). */
export interface PcaModel {
  /** m×p principal axes, one per row, by decreasing explained variance. */
  components: Matrix;
  /** Variance along each axis (eigenvalues of the sample covariance, n − 1 denominator). */
  explainedVariance: Float64Array;
  /** explainedVariance divided by the total variance of X. */
  explainedVarianceRatio: Float64Array;
  /**
   * Singular values of the centred X: sqrt(explainedVariance × (n − 1)). Through the covariance a zero singular
   * value comes out as the square root of rounding error (≈ 1e-7 × scale), not as 1e-15.
   */
  singularValues: Float64Array;
  /** Column means of X (p). */
  mean: Float64Array;
  /** m, the number of components kept. */
  nComponents: number;
}

/**
 * Principal component analysis through the symmetric eigendecomposition of the p×p sample covariance,
 * giving the same model as scikit-learn's `PCA(svd_solver="full")`, including its sign convention (`svd_flip`
 * on U: each component is oriented so that the projection of largest magnitude is positive).
 * @param X n×p data (row-major), n ≥ 2
 * @param options components or varianceShare (like scikit-learn's n_components as an integer or a float in (0, 1))
 */
export function pca(X: Matrix, options: PcaOptions = {}): PcaModel {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  const { components, varianceShare } = options;
  const maxM = Math.min(n, p);
  if (n < 2) throw new Error(`invalid X: ${n} rows (expected at least 2)`);
  if (components !== undefined && varianceShare !== undefined)
    throw new Error("invalid options: give components or varianceShare, not both");
  if (components !== undefined && (!Number.isInteger(components) || components < 1 || components > maxM)) {
    throw new Error(`invalid components: ${components} (expected 1..${maxM})`);
  }
  if (varianceShare !== undefined && !(varianceShare > 0 && varianceShare < 1)) {
    throw new Error(`invalid varianceShare: ${varianceShare} (expected a share in (0, 1))`);
  }
  const mean = new Float64Array(p);
  for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) mean[j] += data[i * p + j];
  for (let j = 0; j < p; ++j) mean[j] /= n;
  const Xc = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) Xc[i * p + j] = data[i * p + j] - mean[j];

  const cov = covariance(Xc, n, p);
  let total = 0;
  for (let j = 0; j < p; ++j) total += cov[j][j];
  const evd = new EigenvalueDecomposition(new MlMatrix(cov), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);

  const ratioAll = order.slice(0, maxM).map((i) => Math.max(values[i], 0) / total);
  let m = components ?? maxM;
  if (varianceShare !== undefined) {
    // numpy searchsorted(cumsum, share, side="right") + 1, as scikit-learn
    let cum = 0;
    m = 1;
    for (let c = 0; c < ratioAll.length; ++c) {
      cum += ratioAll[c];
      if (cum <= varianceShare) m = c + 2;
      else break;
    }
    m = Math.min(m, maxM);
  }

  const V = new Float64Array(m * p);
  const explainedVariance = new Float64Array(m);
  const explainedVarianceRatio = new Float64Array(m);
  const singularValues = new Float64Array(m);
  for (let c = 0; c < m; ++c) {
    const idx = order[c];
    const lambda = Math.max(values[idx], 0);
    explainedVariance[c] = lambda;
    explainedVarianceRatio[c] = lambda / total;
    singularValues[c] = Math.sqrt(lambda * (n - 1));
    for (let j = 0; j < p; ++j) V[c * p + j] = vectors.get(j, idx);
    if (largestProjectionSign(Xc, n, p, V, c * p) < 0) for (let j = 0; j < p; ++j) V[c * p + j] = -V[c * p + j];
  }
  return {
    components: { rows: m, cols: p, data: V },
    explainedVariance,
    explainedVarianceRatio,
    singularValues,
    mean,
    nComponents: m,
  };
}

/**
 * Projects X on the model's components: (X − mean) · componentsᵀ, an n×m matrix.
 * @param model a fitted {@link PcaModel}
 * @param X n×p data with the columns the model was fitted on
 */
export function transformPca(model: PcaModel, X: Matrix): Matrix {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  const { components: W, mean } = model;
  if (p !== W.cols) throw new Error(`invalid X: ${p} columns (the model has ${W.cols})`);
  const m = W.rows;
  const out = new Float64Array(n * m);
  const row = new Float64Array(p);
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < p; ++j) row[j] = data[i * p + j] - mean[j];
    for (let c = 0; c < m; ++c) {
      let s = 0;
      for (let j = 0; j < p; ++j) s += row[j] * W.data[c * p + j];
      out[i * m + c] = s;
    }
  }
  return { rows: n, cols: m, data: out };
}

/** Sample covariance (n − 1 denominator) of centred row-major data, as nested rows for ml-matrix. */
function covariance(Xc: Float64Array, n: number, p: number): number[][] {
  const S = new Float64Array(p * p);
  for (let i = 0; i < n; ++i) {
    const row = i * p;
    for (let a = 0; a < p; ++a) {
      const xa = Xc[row + a];
      if (xa === 0) continue;
      const o = a * p;
      for (let b = a; b < p; ++b) S[o + b] += xa * Xc[row + b];
    }
  }
  const out: number[][] = [];
  for (let a = 0; a < p; ++a) {
    const r = new Array<number>(p);
    for (let b = 0; b < p; ++b) r[b] = (a <= b ? S[a * p + b] : S[b * p + a]) / (n - 1);
    out.push(r);
  }
  return out;
}

/** Sign of the projection of largest magnitude (first one on ties) of the rows on axis V[o .. o+p). */
function largestProjectionSign(Xc: Float64Array, n: number, p: number, V: Float64Array, o: number): number {
  let best = -1;
  let sign = 1;
  for (let i = 0; i < n; ++i) {
    let s = 0;
    for (let j = 0; j < p; ++j) s += Xc[i * p + j] * V[o + j];
    const a = Math.abs(s);
    if (a > best) {
      best = a;
      sign = s < 0 ? -1 : 1;
    }
  }
  return sign;
}
