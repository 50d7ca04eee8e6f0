import { resolveBlocks, type ColumnBlocks } from "./column-blocks.js";
import { checkMatrix, type Matrix } from "./matrix.js";

/** One variable's part of the total variance, from {@link varianceShares}. */
export interface VarianceShare {
  /** The columns of the variable (a block of {@link resolveBlocks}). */
  columns: number[];
  /** Summed (weighted, population) variance of those columns. */
  variance: number;
  /** variance / total variance of all columns; NaN when the total is 0. */
  share: number;
}

/**
 * Weighted population variance of each column, Σ wᵢ (xᵢⱼ − x̄ⱼ)² / Σ wᵢ, by West's weighted update of the mean
 * and the sum of squares (West 1979, "Updating mean and variance estimates: an improved method", CACM 22(9)),
 * which does not lose precision the way Σ w x² − (Σ w x)² / Σ w does. Rows of weight 0 are ignored.
 * @param X n×p data (row-major, finite)
 * @param sampleWeight n non-negative weights (default: all 1), e.g. the counts of distinct rows
 */
export function weightedColumnVariances(X: Matrix, sampleWeight?: Float64Array): Float64Array {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  checkWeights(sampleWeight, n);
  const mean = new Float64Array(p);
  const ss = new Float64Array(p);
  let total = 0;
  for (let i = 0; i < n; ++i) {
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (w === 0) continue;
    total += w;
    const f = w / total;
    const row = i * p;
    for (let j = 0; j < p; ++j) {
      const d = data[row + j] - mean[j];
      mean[j] += f * d;
      ss[j] += w * d * (data[row + j] - mean[j]);
    }
  }
  const out = new Float64Array(p);
  for (let j = 0; j < p; ++j) out[j] = total > 0 ? Math.max(0, ss[j]) / total : NaN;
  return out;
}

/**
 * The share of the total variance of a design that each variable contributes. In k-means the total variance is
 * the inertia of one cluster (divided by Σ w), so a variable's share is how much of the distance between rows it
 * makes: a standardized numeric column has variance 1, while the L one-hot columns of a categorical variable
 * with level shares p₁..p_L have summed variance 1 − Σ pₗ², below 1, and area-level columns repeated over many
 * rows can dominate. Blocks group the columns of one variable; columns in no block count on their own.
 * @param X n×p design (row-major, finite)
 * @param blocks column indices per variable (default: each column alone)
 * @param sampleWeight n non-negative row weights (default: all 1), e.g. the counts of distinct rows
 * @returns one entry per block, in the order of {@link resolveBlocks}
 */
export function varianceShares(X: Matrix, blocks?: ColumnBlocks, sampleWeight?: Float64Array): VarianceShare[] {
  const v = weightedColumnVariances(X, sampleWeight);
  const resolved = resolveBlocks(blocks, X.cols);
  const variances = resolved.map((b) => b.reduce((s, j) => s + v[j], 0));
  const total = variances.reduce((s, x) => s + x, 0);
  return resolved.map((columns, b) => ({ columns, variance: variances[b], share: total > 0 ? variances[b] / total : NaN }));
}

/**
 * Column multipliers that give every variable (not every level) the same total variance, 1: each column of a
 * block with summed variance V is multiplied by 1/√V, so a numeric column becomes a standardized column and a
 * one-hot block of L levels is scaled until its L column variances sum to 1, like one standardized numeric
 * column. Multiplying a column by a multiplies its squared distances by a², so after scaling each variable
 * contributes equally to the total sum of squares that k-means partitions, whatever its number of levels or
 * units. A block with variance 0 (a constant variable) keeps multiplier 1: it adds nothing to any distance.
 * Apply with {@link applyColumnWeights}.
 * @param X n×p design (row-major, finite)
 * @param blocks column indices per variable (default: each column alone)
 * @param sampleWeight n non-negative row weights (default: all 1)
 * @returns p multipliers, one per column
 */
export function equalVariableWeights(X: Matrix, blocks?: ColumnBlocks, sampleWeight?: Float64Array): Float64Array {
  const v = weightedColumnVariances(X, sampleWeight);
  const out = new Float64Array(X.cols).fill(1);
  for (const block of resolveBlocks(blocks, X.cols)) {
    const V = block.reduce((s, j) => s + v[j], 0);
    if (V > 0) for (const j of block) out[j] = 1 / Math.sqrt(V);
  }
  return out;
}

/**
 * X with column j multiplied by weights[j], as a new matrix.
 * @param X n×p data (row-major)
 * @param weights p multipliers (e.g. from {@link equalVariableWeights})
 */
export function applyColumnWeights(X: Matrix, weights: ArrayLike<number>): Matrix {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  if (weights.length !== p) throw new Error(`invalid weights: length ${weights.length} (expected ${p} columns)`);
  for (let j = 0; j < p; ++j) if (!Number.isFinite(weights[j])) throw new Error(`invalid weights: ${weights[j]} at column ${j}`);
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; ++i) for (let j = 0; j < p; ++j) out[i * p + j] = data[i * p + j] * weights[j];
  return { rows: n, cols: p, data: out };
}

function checkWeights(w: Float64Array | undefined, n: number): void {
  if (w === undefined) return;
  if (!(w instanceof Float64Array) || w.length !== n) throw new Error(`invalid sampleWeight: expected a Float64Array of length ${n}`);
  for (let i = 0; i < n; ++i)
    if (!(w[i] >= 0 && w[i] < Infinity)) throw new Error(`invalid sampleWeight: ${w[i]} at row ${i} (expected finite, ≥ 0)`);
}
