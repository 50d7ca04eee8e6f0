import type { Encoder } from "../../features/encode.js";
import type { ColumnBlocks } from "../../ml/column-blocks.js";
import type { Matrix } from "../../ml/matrix.js";
import { applyColumnWeights, weightedColumnVariances } from "../../ml/variance-shares.js";
import type { VarianceShareRow } from "../../results/types.js";
import { UserError } from "../../util/errors.js";
import type { Logger } from "../../util/logger.js";
import { dominantVariable, ecologicalReading, weightsAllZero, weightUnknown } from "../../util/messages.js";
import type { SegmentsSpec } from "./spec.js";

/** One variable of the design: a categorical column's one-hot block or one numeric column. */
export interface DesignVariable {
  /** The feature column (a date part as `column.part`). */
  name: string;
  kind: "categorical" | "numeric";
  /** Its design columns, consecutive. */
  columns: number[];
  /** A value of the row's area (a demographics column or the area column itself), the same for all rows of an area. */
  areaLevel: boolean;
}

/**
 * The variables of an encoded design in column order: the encoder lays out every categorical column's levels
 * together, then the numeric columns (`fitEncoder`), so each variable is a block of consecutive columns.
 * @param encoder the fitted encoder
 * @param areaColumns feature columns that hold area-level values
 */
export function designVariables(encoder: Encoder, areaColumns: ReadonlySet<string>): DesignVariable[] {
  const out: DesignVariable[] = [];
  let j = 0;
  for (const c of encoder.categorical) {
    out.push({
      name: c.column,
      kind: "categorical",
      columns: Array.from({ length: c.levels.length }, (_, t) => j + t),
      areaLevel: areaColumns.has(c.column),
    });
    j += c.levels.length;
  }
  for (const c of encoder.numeric) out.push({ name: c.column, kind: "numeric", columns: [j++], areaLevel: areaColumns.has(c.column) });
  return out;
}

/** The column blocks of {@link designVariables}, for the kernels that take blocks. */
export function variableBlocks(variables: readonly DesignVariable[]): ColumnBlocks {
  return variables.map((v) => v.columns);
}

/** Every variable name `segments.weights` may use, with the block names. */
export function weightKeys(features: SegmentsSpec["features"]): string[] {
  return [
    "numeric",
    "categorical",
    ...features.categorical,
    ...features.dates.flatMap((d) => d.parts.map((p) => `${d.column}.${p}`)),
    ...features.numeric,
  ];
}

/**
 * Checks a `segments.weights` mapping against the features (no data needed): every key is a feature variable or a
 * block name, and some variable keeps a positive weight.
 * @param weights the study file's `segments.weights`
 * @param features the study file's `segments.features`
 * @param file study file path, for messages
 */
export function checkWeights(weights: SegmentsSpec["weights"], features: SegmentsSpec["features"], file: string): void {
  if (typeof weights === "string") return;
  const known = weightKeys(features);
  for (const key of Object.keys(weights))
    if (!known.includes(key)) throw new UserError("segments.weights", weightUnknown(file, key, known));
  const all = known.filter((k) => k !== "numeric" && k !== "categorical");
  const numeric = new Set(features.numeric);
  const given: Partial<Record<string, number>> = weights;
  const weightOf = (v: string) => given[v] ?? given[numeric.has(v) ? "numeric" : "categorical"] ?? 1;
  if (!all.some((v) => weightOf(v) > 0)) throw new UserError("segments.weights", weightsAllZero(file));
}

/** The weighted design and how it was weighted, from {@link weightDesign}. */
export interface WeightedDesign {
  /** X with every column multiplied by its variable's multiplier. */
  Z: Matrix;
  mode: "variables" | "levels" | "custom";
  /** Per variable: relative weight and the multiplier of its columns. */
  weights: { weight: number; multiplier: number }[];
  /** The weighting in words, for the report. */
  scaling: string;
}

/**
 * Weights the variables of a design. Each variable v with summed column variance V_v and weight w_v has its
 * columns multiplied by √(w_v / V_v), so that it contributes w_v to the total variance k-means partitions: with
 * every weight 1 ("variables", the default) each variable counts the same, whatever its number of levels or
 * units (`equalVariableWeights`); "levels" leaves the columns as encoded (multiplier 1). A constant variable keeps
 * multiplier 1: it adds nothing to any distance.
 * @param X n×p encoded design (numeric columns standardized when the study standardizes)
 * @param variables its variables
 * @param spec the study file's `segments.weights`
 */
export function weightDesign(X: Matrix, variables: readonly DesignVariable[], spec: SegmentsSpec["weights"]): WeightedDesign {
  if (spec === "levels") {
    return {
      Z: X,
      mode: "levels",
      weights: variables.map(() => ({ weight: 1, multiplier: 1 })),
      scaling: "encoded columns as they are (numeric standardized, one-hot 0/1): a variable's weight grows with its levels",
    };
  }
  const v = weightedColumnVariances(X);
  const given: Partial<Record<string, number>> = typeof spec === "object" ? spec : {};
  const custom = typeof spec === "object";
  const weights = variables.map((variable) => {
    const w = given[variable.name] ?? given[variable.kind] ?? 1;
    const V = variable.columns.reduce((s, j) => s + v[j], 0);
    return { weight: w, multiplier: V > 0 ? Math.sqrt(w / V) : 1 };
  });
  const m = new Float64Array(X.cols);
  variables.forEach((variable, b) => {
    for (const j of variable.columns) m[j] = weights[b].multiplier;
  });
  return {
    Z: applyColumnWeights(X, m),
    mode: custom ? "custom" : "variables",
    weights,
    scaling: custom
      ? "each variable's columns scaled so that it holds its weight's share of the variance (segments.weights)"
      : "each variable's columns scaled to the same total variance, so every variable counts the same whatever its number of levels",
  };
}

/**
 * Each variable's share of the variance the clustering sees (Σ of its weighted column variances over the total)
 * and its share of what separates the final clusters: the between-cluster sum of squares Σ_c n_c ‖x̄_c − x̄‖² of
 * its columns over that of all columns. A variable with a large separation share is what the clusters differ on.
 * @param Z n×p weighted design (before PCA)
 * @param variables its variables
 * @param weighted the weighting ({@link weightDesign})
 * @param labels cluster of each row (or null: no separation)
 * @param k number of clusters
 */
export function varianceShareRows(
  Z: Matrix,
  variables: readonly DesignVariable[],
  weighted: WeightedDesign,
  labels: Int32Array | null,
  k: number,
): VarianceShareRow[] {
  const v = weightedColumnVariances(Z);
  const perVar = variables.map((variable) => variable.columns.reduce((s, j) => s + v[j], 0));
  const total = perVar.reduce((s, x) => s + x, 0);
  const between = labels ? betweenSumOfSquares(Z, labels, k) : null;
  const perVarBetween = between ? variables.map((variable) => variable.columns.reduce((s, j) => s + between[j], 0)) : null;
  const totalBetween = perVarBetween ? perVarBetween.reduce((s, x) => s + x, 0) : 0;
  return variables.map((variable, b) => ({
    variable: variable.name,
    columns: variable.columns.length,
    area_level: variable.areaLevel,
    weight: weighted.weights[b].weight,
    multiplier: round(weighted.weights[b].multiplier, 6),
    share: round(total > 0 ? perVar[b] / total : NaN, 4),
    separation: perVarBetween && totalBetween > 0 ? round(perVarBetween[b] / totalBetween, 4) : null,
  }));
}

/** Per column j, Σ_c n_c (x̄_cj − x̄_j)²: the between-cluster sum of squares. */
function betweenSumOfSquares(Z: Matrix, labels: Int32Array, k: number): Float64Array {
  const { rows: n, cols: p, data } = Z;
  const sums = new Float64Array(k * p);
  const sizes = new Float64Array(k);
  const mean = new Float64Array(p);
  for (let i = 0; i < n; ++i) {
    const c = labels[i];
    if (c < 0) continue;
    sizes[c]++;
    for (let j = 0; j < p; ++j) {
      sums[c * p + j] += data[i * p + j];
      mean[j] += data[i * p + j];
    }
  }
  let N = 0;
  for (const s of sizes) N += s;
  for (let j = 0; j < p; ++j) mean[j] /= N;
  const out = new Float64Array(p);
  for (let c = 0; c < k; ++c) {
    if (!sizes[c]) continue;
    for (let j = 0; j < p; ++j) {
      const d = sums[c * p + j] / sizes[c] - mean[j];
      out[j] += sizes[c] * d * d;
    }
  }
  return out;
}

/** A share above which one variable, or the area-level variables together, are said to dominate. */
export const DOMINANT_SHARE = 0.5;

/**
 * Warns when one variable holds more than {@link DOMINANT_SHARE} of the variance or of the separation, and when
 * the area-level variables together hold at least that much of either (the ecological reading: clusters that
 * sort people by their neighbourhood).
 * @param rows the variance shares
 * @param logger receives the warnings
 */
export function warnOnShares(rows: readonly VarianceShareRow[], logger: Logger): void {
  for (const r of rows) {
    const sep = r.separation ?? 0;
    if (r.share > DOMINANT_SHARE || sep > DOMINANT_SHARE)
      logger.warn({
        code: "segments.dominant_variable",
        message: dominantVariable(r.variable, r.share, r.separation),
        variable: r.variable,
        share: r.share,
        separation: r.separation,
      });
  }
  const area = rows.filter((r) => r.area_level);
  if (!area.length) return;
  const share = round(
    area.reduce((s, r) => s + r.share, 0),
    4,
  );
  const separation = area.some((r) => r.separation !== null)
    ? round(
        area.reduce((s, r) => s + (r.separation ?? 0), 0),
        4,
      )
    : null;
  if (share >= DOMINANT_SHARE || (separation ?? 0) >= DOMINANT_SHARE)
    logger.warn({
      code: "segments.ecological",
      message: ecologicalReading(
        area.map((r) => r.variable),
        share,
        separation,
      ),
      variables: area.map((r) => r.variable),
      share,
      separation,
    });
}

const round = (x: number, d: number) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
