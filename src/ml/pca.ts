import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import { checkMatrix, type Matrix } from "./matrix.js";
import { arenaLayout, paramBlock, type KernelArena, type ParamBlock } from "./wasm/kernel-arena.js";
import { PCA } from "./wasm/kernels-js.js";
import { centreRows, columnLayout, columnSums } from "./wasm/column-kernels.js";

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
  // the centred rows, the cross products and the projections live in one arena for the kernels
  const mPlan = components ?? maxM;
  const m2max = mPlan + (mPlan % 2);
  const layout = arenaLayout();
  const P = layout.params(8);
  const Xp = layout.f64(n * p);
  const Sp = layout.f64(p * p);
  const Vtp = layout.f64(p * m2max);
  const outp = layout.f64(n * m2max);
  const columns = columnLayout(layout, p);
  const arena = layout.create();
  const mean = new Float64Array(p);
  let values: number[];
  let vectors: MlMatrix;
  let total = 0;
  const V = new Float64Array(maxM * p);
  let m: number;
  let order: number[];
  try {
    arena.f64At(Xp, n * p).set(data.subarray(0, n * p));
    const sums = columnSums(arena, columns, Xp, n);
    for (let j = 0; j < p; ++j) mean[j] = sums[j] / n;
    centreRows(arena, columns, Xp, n, mean);
    const params = paramBlock(arena, P).i32(PCA.X, Xp).i32(PCA.n, n).i32(PCA.p, p).i32(PCA.S, Sp);
    const cov = covariance(arena, params, arena.f64At(Sp, p * p), n, p);
    for (let j = 0; j < p; ++j) total += cov[j][j];
    const evd = new EigenvalueDecomposition(new MlMatrix(cov), { assumeSymmetric: true });
    values = evd.realEigenvalues;
    vectors = evd.eigenvectorMatrix;
    const vals = values;
    order = vals.map((_, i) => i).sort((a, b) => vals[b] - vals[a]);

    const ratioAll = order.slice(0, maxM).map((i) => Math.max(vals[i], 0) / total);
    m = components ?? maxM;
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
    for (let c = 0; c < m; ++c) for (let j = 0; j < p; ++j) V[c * p + j] = vectors.get(j, order[c]);
    const m2 = m + (m % 2);
    const Vt = arena.f64At(Vtp, p * m2);
    for (let c = 0; c < m; ++c) for (let j = 0; j < p; ++j) Vt[j * m2 + c] = V[c * p + j];
    params.i32(PCA.Vt, Vtp).i32(PCA.m2, m2).i32(PCA.out, outp);
    arena.runRange("pca_project", params, 0, n, Math.ceil(TASK_WORK / (m2 * p)));
    const proj = arena.f64At(outp, n * m2);
    // the sign of each component's projection of largest magnitude (first one on ties), as svd_flip on U
    const best = new Float64Array(m).fill(-1);
    const sign = new Float64Array(m).fill(1);
    for (let i = 0; i < n; ++i) {
      const o = i * m2;
      for (let c = 0; c < m; ++c) {
        const s = proj[o + c];
        const a = Math.abs(s);
        if (a > best[c]) {
          best[c] = a;
          sign[c] = s < 0 ? -1 : 1;
        }
      }
    }
    for (let c = 0; c < m; ++c) if (sign[c] < 0) for (let j = 0; j < p; ++j) V[c * p + j] = -V[c * p + j];
  } finally {
    arena.dispose();
  }
  const explainedVariance = new Float64Array(m);
  const explainedVarianceRatio = new Float64Array(m);
  const singularValues = new Float64Array(m);
  for (let c = 0; c < m; ++c) {
    const lambda = Math.max(values[order[c]], 0);
    explainedVariance[c] = lambda;
    explainedVarianceRatio[c] = lambda / total;
    singularValues[c] = Math.sqrt(lambda * (n - 1));
  }
  return {
    components: { rows: m, cols: p, data: V.slice(0, m * p) },
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
  const m2 = m + (m % 2);
  const out = new Float64Array(n * m);
  if (n === 0 || m === 0) return { rows: n, cols: m, data: out };
  const layout = arenaLayout();
  const P = layout.params(8);
  const Xp = layout.f64(n * p);
  const Vtp = layout.f64(p * m2);
  const outp = layout.f64(n * m2);
  const columns = columnLayout(layout, p);
  const arena = layout.create();
  try {
    arena.f64At(Xp, n * p).set(data.subarray(0, n * p));
    centreRows(arena, columns, Xp, n, mean);
    const Vt = arena.f64At(Vtp, p * m2);
    for (let c = 0; c < m; ++c) for (let j = 0; j < p; ++j) Vt[j * m2 + c] = W.data[c * p + j];
    const params = paramBlock(arena, P).i32(PCA.X, Xp).i32(PCA.p, p).i32(PCA.Vt, Vtp).i32(PCA.m2, m2).i32(PCA.out, outp);
    arena.runRange("pca_project", params, 0, n, Math.ceil(TASK_WORK / (m2 * p)));
    const proj = arena.f64At(outp, n * m2);
    for (let i = 0; i < n; ++i) for (let c = 0; c < m; ++c) out[i * m + c] = proj[i * m2 + c];
  } finally {
    arena.dispose();
  }
  return { rows: n, cols: m, data: out };
}

// Multiply-adds per task of a row kernel: enough work to cover handing the task to a worker thread.
const TASK_WORK = 200_000;

/**
 * Sample covariance (n − 1 denominator) of the centred rows in the arena, as nested rows for ml-matrix. The
 * `pca_cross` kernel adds x_u·x_v over the rows in order for v ≥ u, the rows u of S split among threads in
 * ranges of about equal work.
 */
function covariance(arena: KernelArena, params: ParamBlock, S: Float64Array, n: number, p: number): number[][] {
  const pieces = Math.min(p, Math.max(1, Math.min(arena.threads * 2, Math.floor((n * p * p) / (2 * TASK_WORK)))));
  const a: number[] = [];
  const b: number[] = [];
  // row u of the upper triangle holds p − u products per data row
  const perPiece = (p * (p + 1)) / 2 / pieces;
  let u = 0;
  for (let t = 0; t < pieces && u < p; ++t) {
    const start = u;
    let work = 0;
    while (u < p && (work < perPiece || t === pieces - 1)) work += p - u++;
    a.push(start);
    b.push(u);
  }
  arena.run("pca_cross", params, a, b);
  const out: number[][] = [];
  for (let r = 0; r < p; ++r) {
    const row = new Array<number>(p);
    for (let c = 0; c < p; ++c) row[c] = (r <= c ? S[r * p + c] : S[c * p + r]) / (n - 1);
    out.push(row);
  }
  return out;
}
