import { kmeansRunner, type ClusterRunner } from "../../ml/cluster-null.js";
import { clusterStability, kmeansUntilRepeat, seedAgreement, type SeedAgreement } from "../../ml/cluster-stability.js";
import type { CompressedDenseRows } from "../../ml/compress-dense-rows.js";
import type { KMeansResult } from "../../ml/kmeans.js";
import type { Stability } from "../../results/types.js";
import { clusterCriteria } from "../../ml/metrics/clustering.js";
import { sd } from "../../ml/stats.js";
import { chooseK, type KChoice, type KCriteria } from "./choose-k.js";
import { mapInt32 } from "../../util/typed-arrays.js";

/** Options of {@link sweepK}. */
export interface SweepOptions {
  ks: readonly number[];
  /** First batch of k-means++ starts. */
  nInit: number;
  /** Most starts per k (starts double until the best inertia repeats). */
  maxInit: number;
  maxIter: number;
  /** The silhouette of a partition of Z's rows (`silhouetteScorer`: one sample, the study seed's, for every seed). */
  silhouette: (labels: Int32Array) => number;
  seed: number;
}

/** One k of a sweep. */
export interface SweepRow extends KCriteria {
  /** The best run over the distinct rows. */
  run: KMeansResult;
  /** Cluster of every row of Z. */
  labels: Int32Array;
  starts: { used: number; repeated: boolean; best_count: number };
}

/**
 * K-means at every k with starts until the best inertia repeats (`kmeansUntilRepeat`, over the distinct rows with
 * their counts), and the four criteria of each partition of all rows: inertia, silhouette (`options.silhouette`),
 * Calinski-Harabasz and Davies-Bouldin (the last two from the distinct rows weighted by their counts).
 * @param distinct the distinct rows of the n×p matrix clustered, with counts and each row's distinct row (`compressDenseRows(Z)`)
 * @param options ks, nInit, maxInit, maxIter, silhouette, seed
 * @param onRow called after each k (progress)
 */
export function sweepK(distinct: CompressedDenseRows, options: SweepOptions, onRow?: (row: SweepRow, ms: number) => void): SweepRow[] {
  return options.ks.map((k) => {
    const t = performance.now();
    const u = kmeansUntilRepeat(distinct.X, {
      k,
      nInit: options.nInit,
      maxInit: Math.max(options.nInit, options.maxInit),
      maxIter: options.maxIter,
      seed: options.seed,
      sampleWeight: distinct.weight,
    });
    const labels = mapInt32(distinct.index, (g) => u.result.labels[g]);
    // Calinski-Harabasz and Davies-Bouldin of all rows, from the distinct rows with their counts, in one pass
    const criteria = clusterCriteria(distinct.X, u.result.labels, { sampleWeight: distinct.weight });
    const row: SweepRow = {
      k,
      run: u.result,
      labels,
      inertia: round(u.result.inertia, 4),
      silhouette: round(options.silhouette(labels)),
      calinski_harabasz: round(criteria.calinskiHarabasz, 4),
      davies_bouldin: round(criteria.daviesBouldin),
      starts: { used: u.starts, repeated: u.repeated, best_count: u.bestCount },
    };
    onRow?.(row, performance.now() - t);
    return row;
  });
}

/** The choice of k over seeds, from {@link chooseKOverSeeds}. */
export interface SeededChoice {
  /** The choice with the study's seed. */
  main: KChoice;
  agreement: SeedAgreement;
  /** Per k, each criterion's min, max and sd over the seeds (empty with one seed). */
  spread: Map<number, Record<string, { min: number; max: number; sd: number }>>;
}

/**
 * Repeats the whole choice of k — the sweep with starts until repeat, the criteria and the rule — with `seeds`
 * seeds (the study's seed, then seed + 1, …), the stability of each k being the study seed's (a property of k,
 * measured once). Reports which k each seed picks and the spread of every criterion over the seeds.
 * @param distinct the distinct rows of the matrix clustered (`compressDenseRows(Z)`)
 * @param main the sweep with the study's seed
 * @param stability mean stability per k (or null when not computed)
 * @param seeds number of seeds (1: only the study's)
 * @param options the sweep's options
 */
export function chooseKOverSeeds(
  distinct: CompressedDenseRows,
  main: readonly SweepRow[],
  stability: ReadonlyMap<number, number> | null,
  seeds: number,
  options: SweepOptions,
): SeededChoice {
  const withStability = (rows: readonly KCriteria[]) => rows.map((r) => ({ ...r, stability: stability?.get(r.k) ?? null }));
  const mainChoice = chooseK(withStability(main));
  const sweeps: (readonly KCriteria[])[] = [main];
  const list = Array.from({ length: seeds }, (_, i) => options.seed + i);
  const agreement = seedAgreement((s) => {
    if (s === options.seed) return mainChoice.k;
    const rows = sweepK(distinct, { ...options, seed: s });
    sweeps.push(rows);
    return chooseK(withStability(rows)).k;
  }, list);
  const spread = new Map<number, Record<string, { min: number; max: number; sd: number }>>();
  if (sweeps.length > 1) {
    for (const [t, r] of main.entries()) {
      const out: Record<string, { min: number; max: number; sd: number }> = {};
      for (const key of ["inertia", "silhouette", "calinski_harabasz", "davies_bouldin"] as const) {
        const xs = sweeps.map((s) => s[t][key]);
        out[key] = { min: Math.min(...xs), max: Math.max(...xs), sd: round(sd(xs)) };
      }
      spread.set(r.k, out);
    }
  }
  return { main: mainChoice, agreement, spread };
}

/** A resample or reference draw has fewer distinct rows of positive weight than clusters. */
export class TooFewRows extends Error {}

/**
 * `kmeansRunner` that throws {@link TooFewRows} instead of failing inside k-means when fewer than k rows have a
 * positive weight (tiny data, where a subsample or a reference draw can hold fewer distinct rows than clusters).
 * @param options nInit, maxIter
 */
export function guardedKmeansRunner(options: { nInit: number; maxIter: number }): ClusterRunner {
  const run = kmeansRunner(options);
  return (X, w, k, seed) => {
    let positive = 0;
    for (const v of w) if (v > 0) ++positive;
    if (positive < k) throw new TooFewRows(`${positive} rows of positive weight for k = ${k}`);
    return run(X, w, k, seed);
  };
}

/** Starts of each k-means refit on a subsample. */
export const STABILITY_STARTS = 3;
/** Share of the rows in each stability subsample. */
export const STABILITY_FRACTION = 0.8;

/**
 * Stability of each k's partition (Lange et al. 2004; Hennig 2007): k-means ({@link STABILITY_STARTS} starts) on
 * `draws` subsamples of {@link STABILITY_FRACTION} of the rows, each compared with the sweep's partition at that k
 * by the adjusted Rand index over all rows (`clusterStability`).
 * @param distinct distinct rows with counts
 * @param rows the sweep with the study's seed
 * @param draws subsamples per k (0: none, every k gets null)
 * @param maxIter Lloyd iterations at most
 * @param seed seed of the subsamples
 */
export function stabilityPerK(
  distinct: CompressedDenseRows,
  rows: readonly SweepRow[],
  draws: number,
  maxIter: number,
  seed: number,
): Map<number, Stability | null> {
  const out = new Map<number, Stability | null>();
  let N = 0;
  for (const v of distinct.weight) N += v;
  for (const r of rows) {
    if (draws < 1 || N < 2 * r.k) {
      out.set(r.k, null);
      continue;
    }
    let s;
    try {
      s = clusterStability(distinct.X, distinct.weight, r.k, guardedKmeansRunner({ nInit: STABILITY_STARTS, maxIter }), r.run.labels, {
        method: "subsample",
        fraction: STABILITY_FRACTION,
        draws,
        seed,
      });
    } catch (e) {
      if (!(e instanceof TooFewRows)) throw e;
      out.set(r.k, null);
      continue;
    }
    out.set(r.k, {
      method: s.method,
      fraction: s.fraction,
      draws: s.draws,
      mean: round(s.mean),
      sd: Number.isFinite(s.sd) ? round(s.sd) : null,
    });
  }
  return out;
}

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
