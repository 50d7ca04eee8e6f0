import { compareWithNull, silhouetteCriterion, structureVerdict, type NullComparison } from "../../ml/cluster-null.js";
import type { ColumnBlocks } from "../../ml/column-blocks.js";
import type { Matrix } from "../../ml/matrix.js";
import type { Structure } from "../../results/types.js";
import { assertUnreachable } from "../../util/errors.js";
import { guardedKmeansRunner, TooFewRows } from "./sweep.js";

/** Options of {@link testStructure}. */
export interface StructureOptions {
  ks: readonly number[];
  /** Column blocks of one variable each (permuted together). */
  blocks?: ColumnBlocks;
  reference: "permuted" | "uniform";
  draws: number;
  /** k-means++ starts of every clustering, on the data and on each draw. */
  nInit: number;
  maxIter: number;
  /** Rows of the silhouette sample, the same on the data and on each draw. */
  silhouetteSample: number;
  seed: number;
  /** What the blocks are, for the summary: the design's variables, or principal components after PCA. */
  unit?: "variable" | "principal component";
}

/**
 * Structure against chance: at every k, the silhouette of k-means on the data against the same k-means (same
 * starts, same silhouette sample size) on `draws` reference data sets without structure, with the gap statistic
 * on the way (`compareWithNull`), and the verdict of `structureVerdict` on them, with a plain-words summary.
 * @param X m×p distinct rows of the matrix clustered
 * @param w m integer counts
 * @param options ks, blocks, reference, draws, nInit, maxIter, silhouetteSample, seed
 * @returns the structure, or null when a reference draw has fewer distinct rows than clusters (tiny data)
 */
export function testStructure(X: Matrix, w: Float64Array, options: StructureOptions): Structure | null {
  let comparison: NullComparison;
  try {
    comparison = runComparison(X, w, options);
  } catch (e) {
    if (e instanceof TooFewRows) return null;
    throw e;
  }
  return structureResults(comparison, options);
}

function runComparison(X: Matrix, w: Float64Array, options: StructureOptions): NullComparison {
  return compareWithNull(X, {
    ks: options.ks,
    runner: guardedKmeansRunner({ nInit: options.nInit, maxIter: options.maxIter }),
    criterion: silhouetteCriterion({ sampleSize: options.silhouetteSample, seed: options.seed }),
    reference: options.reference,
    blocks: options.blocks,
    draws: options.draws,
    seed: options.seed,
    sampleWeight: w,
  });
}

/**
 * The results form of a null comparison: rounded per-k rows, the verdict and its summary.
 * @param comparison from `compareWithNull` with a silhouette criterion
 * @param options the settings it ran with (for the record)
 */
export function structureResults(
  comparison: NullComparison,
  options: Pick<StructureOptions, "nInit" | "silhouetteSample" | "reference" | "draws" | "unit">,
): Structure {
  const verdict = structureVerdict(comparison);
  const per_k = comparison.rows.map((r) => ({
    k: r.k,
    observed: round(r.observed),
    null_mean: round(r.nullMean),
    null_sd: round(r.nullSd),
    null_quantiles: [round(r.nullQuantiles[0]), round(r.nullQuantiles[1]), round(r.nullQuantiles[2])] as [number, number, number],
    excess: round(r.excess),
    z: Number.isFinite(r.z) ? round(r.z, 3) : null,
    gap: round(r.gap),
    gap_sd: round(r.gapSd),
  }));
  const clustering = `k-means, ${options.nInit} start${options.nInit === 1 ? "" : "s"} per k, silhouette on a sample of up to ${options.silhouetteSample.toLocaleString("en-US")} rows`;
  const out: Structure = {
    null: {
      method: comparison.reference,
      draws: comparison.draws,
      clustering,
      n_init: options.nInit,
      silhouette_sample: options.silhouetteSample,
      per_k,
      gap_k: comparison.gapK,
    },
    verdict: verdict.verdict,
    k: verdict.k,
    excess: round(verdict.excess),
    z: Number.isFinite(verdict.z) ? round(verdict.z, 3) : null,
    rule: verdict.rule,
    summary: "",
  };
  out.summary = structureSummary(out, options.unit);
  return out;
}

/**
 * The verdict in plain words, with the figures behind it: what the reference is, the silhouette of the data and
 * of the reference at the k the verdict rests on, and what it means for reading the clusters.
 * @param s structure results
 * @param unit what was shuffled with the permuted reference (default "variable")
 */
export function structureSummary(s: Omit<Structure, "summary">, unit: StructureOptions["unit"] = "variable"): string {
  const row = s.null.per_k.find((r) => r.k === s.k);
  const reference =
    s.null.method === "permuted"
      ? `the same data with every ${unit} shuffled independently (the same values, no relation between ${unit}s)`
      : "uniform random data over the same range (the gap statistic's reference)";
  if (!row) return `No k could be compared with ${reference}.`;
  const figures = `at k = ${row.k} the silhouette is ${f3(row.observed)}, against ${f3(row.null_mean)} ± ${f3(row.null_sd)} on ${s.null.draws} draws of ${reference}`;
  const z = row.z === null ? "" : `, z = ${row.z.toFixed(1)}`;
  const gap = s.null.gap_k === 1 ? "; the gap statistic picks k = 1" : `; the gap statistic picks k = ${s.null.gap_k}`;
  switch (s.verdict) {
    case "clear":
      return `Clear structure: ${figures} (excess ${f3(row.excess)}${z})${gap}. The clusters separate the rows well beyond what chance produces.`;
    case "weak":
      return `Weak structure: ${figures} (excess ${f3(row.excess)}${z})${gap}. The clusters are more separated than chance alone makes them, but not by much: read them as tendencies, not as distinct types.`;
    case "no structure beyond chance":
      return `No structure beyond chance: ${figures} (excess ${f3(row.excess)}${z})${gap}. Data without any structure separate as well, so the clusters cut a continuum into parts: they describe the rows, but are not groups that exist in the data.`;
    default:
      return assertUnreachable(s.verdict);
  }
}

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
const f3 = (x: number) => x.toFixed(3);
