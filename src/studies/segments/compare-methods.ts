import { MISSING, type Encoder, type FeatureInput } from "../../features/encode.js";
import { weightedAdjustedRandIndex } from "../../ml/cluster-stability.js";
import type { CompressedDenseRows } from "../../ml/compress-dense-rows.js";
import { kPrototypes } from "../../ml/kprototypes.js";
import type { Matrix } from "../../ml/matrix.js";
import { clusterCriteriaDistinct } from "../../ml/metrics/clustering.js";
import type { ComputedSegmentsResults as SegmentsResults } from "../../results/types.js";
import type { SegmentsSpec } from "./spec.js";

/** The clustering methods of a segments study. */
export type SegmentsMethod = SegmentsSpec["method"];

const METHODS: readonly SegmentsMethod[] = ["kmeans", "kprototypes", "lca"];

/**
 * The methods run beside the study's method: every other one for `compare_methods: true`, none for false, and the
 * listed ones (other than the study's) for a list.
 * @param spec the segments section
 */
export function comparedMethods(spec: Pick<SegmentsSpec, "method" | "compare_methods">): SegmentsMethod[] {
  const wanted = spec.compare_methods === true ? METHODS : spec.compare_methods === false ? [] : spec.compare_methods;
  return METHODS.filter((m) => m !== spec.method && wanted.includes(m));
}

/**
 * K-prototypes (Huang 1998) at k on the study's variables: numeric columns standardized (missing values at the
 * mean, 0 after standardizing), categorical columns as codes with missing as its own code.
 * @param input the feature columns
 * @param encoder the fitted encoder
 * @param keep the rows that entered the study
 * @param k number of clusters
 * @param nInit starts (at most 5 are run)
 * @param seed seed
 */
export function runKPrototypes(
  input: FeatureInput,
  encoder: Encoder,
  keep: Int32Array,
  k: number,
  nInit: number,
  seed: number,
): Int32Array {
  const codes = Object.keys(input.categorical).map((c) => {
    const values = input.categorical[c];
    const levels = new Map<string, number>();
    const out = new Int32Array(keep.length);
    for (let r = 0; r < keep.length; ++r) {
      const v = values[keep[r]] ?? MISSING;
      if (!levels.has(v)) levels.set(v, levels.size);
      out[r] = levels.get(v) ?? 0;
    }
    return out;
  });
  const numeric = encoder.numeric.map((c) => c.column);
  const p = numeric.length;
  const Xnum: Matrix = { rows: keep.length, cols: p, data: new Float64Array(keep.length * p) };
  for (let j = 0; j < p; ++j) {
    const v = input.numeric[numeric[j]];
    let m = 0;
    let s = 0;
    let c = 0;
    for (const i of keep)
      if (!Number.isNaN(v[i])) {
        m += v[i];
        c++;
      }
    m /= Math.max(1, c);
    for (const i of keep) if (!Number.isNaN(v[i])) s += (v[i] - m) ** 2;
    const sdv = Math.sqrt(s / Math.max(1, c)) || 1;
    for (let r = 0; r < keep.length; ++r) {
      const x = v[keep[r]];
      Xnum.data[r * p + j] = Number.isNaN(x) ? 0 : (x - m) / sdv;
    }
  }
  return kPrototypes(Xnum, codes, { k, nInit: Math.min(nInit, 5), seed }).labels;
}

/** One row of `results.comparison`. */
export type ComparisonRow = NonNullable<SegmentsResults["comparison"]>[number];

/**
 * Scores a partition on the design matrix the study clusters, with the criteria of the k sweep, and its agreement
 * (adjusted Rand index) with the study's own partition.
 * @param method the method that made the partition
 * @param Z n×p matrix clustered
 * @param distinct its distinct rows with counts (`compressDenseRows(Z)`), for Calinski-Harabasz and Davies-Bouldin
 * @param labels cluster of each row
 * @param k number of clusters
 * @param primary the study's partition (agreement is 1 for itself)
 * @param silhouette the silhouette of a partition of Z's rows (the sweep's)
 */
export function scorePartition(
  method: string,
  Z: Matrix,
  distinct: CompressedDenseRows,
  labels: Int32Array,
  k: number,
  primary: Int32Array,
  silhouette: (labels: Int32Array) => number,
): ComparisonRow {
  const ones = new Float64Array(labels.length).fill(1);
  const criteria = clusterCriteriaDistinct(Z, distinct, labels);
  return {
    method,
    k,
    silhouette: round(silhouette(labels)),
    calinski_harabasz: round(criteria.calinskiHarabasz, 4),
    davies_bouldin: round(criteria.daviesBouldin),
    agreement: round(weightedAdjustedRandIndex(primary, labels, ones), 4),
  };
}

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
