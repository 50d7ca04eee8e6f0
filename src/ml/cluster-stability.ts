import type { ClusterRunner } from "./cluster-null.js";
import { kmeans, validateKmeansInput, type KMeansOptions, type KMeansResult } from "./kmeans.js";
import { checkMatrix, type Matrix } from "./matrix.js";
import { mean, sd } from "./stats.js";
import { createRng, type Rng } from "../util/random.js";

const METHODS = ["subsample", "bootstrap"] as const;

/** Options of {@link clusterStability} and {@link stabilityByK}. */
export interface StabilityOptions {
  /** `"subsample"` (default): a share `fraction` of the rows without replacement; `"bootstrap"`: N rows with replacement. */
  method?: "subsample" | "bootstrap";
  /** Share of the rows in each subsample, in (0, 1). Default 0.8. */
  fraction?: number;
  /** Resamples B. Default 20. */
  draws?: number;
  /** Seed of the resamples; the runner gets seed for the full data and seed + 1 + b for resample b. Default 0. */
  seed?: number;
}

/** Stability of one k, from {@link clusterStability}. */
export interface StabilityResult {
  k: number;
  method: "subsample" | "bootstrap";
  /** Share of rows per subsample (1 for the bootstrap). */
  fraction: number;
  draws: number;
  /** Adjusted Rand index of each resample's partition against the reference partition, over all rows. */
  values: number[];
  /** Mean and sample standard deviation of values. */
  mean: number;
  sd: number;
}

/**
 * Stability of a k-cluster partition under resampling (Lange, Roth, Braun & Buhmann 2004, "Stability-based
 * validation of clustering solutions", Neural Computation 16(6); Hennig 2007, "Cluster-wise assessment of
 * cluster stability", CSDA 52(1)): the rows are resampled B times — subsamples of `fraction` of the rows
 * without replacement, or bootstrap samples — each resample is clustered by the runner, and its labels of all
 * rows (rows left out of the resample have weight 0, which a k-means runner labels by their nearest centre) are
 * compared with the reference partition by the adjusted Rand index over all N rows. Works on weighted distinct
 * rows: a resample is a set of counts drawn from the N rows the counts stand for.
 * @param X m×p rows (e.g. distinct rows)
 * @param w m integer counts (how many rows each stands for)
 * @param k number of clusters
 * @param runner the clustering method
 * @param reference m labels of the full-data partition (default: the runner on (X, w) with `seed`)
 * @param options method, fraction, draws, seed
 */
export function clusterStability(
  X: Matrix,
  w: Float64Array,
  k: number,
  runner: ClusterRunner,
  reference?: Int32Array,
  options: StabilityOptions = {},
): StabilityResult {
  const { method = "subsample", fraction = 0.8, draws = 20, seed = 0 } = options;
  checkMatrix(X);
  const units = unitsOf(w, X.rows);
  if (!(METHODS as readonly string[]).includes(method)) throw new Error(`invalid method: ${method} (expected "subsample" or "bootstrap")`);
  if (!(fraction > 0 && fraction < 1)) throw new Error(`invalid fraction: ${fraction} (expected a share in (0, 1))`);
  if (!Number.isInteger(draws) || draws < 1) throw new Error(`invalid draws: ${draws} (expected an integer ≥ 1)`);
  if (reference && reference.length !== X.rows) throw new Error(`invalid reference: ${reference.length} labels (expected ${X.rows})`);
  const ref = reference ?? runner(X, w, k, seed).labels;
  const rng = createRng(seed);
  const values: number[] = [];
  for (let b = 0; b < draws; ++b) {
    const wb = method === "subsample" ? subsampleCounts(units, X.rows, fraction, rng) : bootstrapCounts(units, X.rows, rng);
    values.push(weightedAdjustedRandIndex(ref, runner(X, wb, k, seed + 1 + b).labels, w));
  }
  return { k, method, fraction: method === "subsample" ? fraction : 1, draws, values, mean: mean(values), sd: sd(values) };
}

/**
 * {@link clusterStability} for each k, against the runner's full-data partition at that k (with `seed`).
 * @param X m×p rows
 * @param w m integer counts
 * @param ks numbers of clusters
 * @param runner the clustering method
 * @param options method, fraction, draws, seed
 */
export function stabilityByK(
  X: Matrix,
  w: Float64Array,
  ks: readonly number[],
  runner: ClusterRunner,
  options: StabilityOptions = {},
): StabilityResult[] {
  return ks.map((k) => clusterStability(X, w, k, runner, undefined, options));
}

/**
 * The adjusted Rand index (Hubert & Arabie 1985) of two labellings of weighted rows, a row of weight w counting
 * as w rows: with integer weights it equals scikit-learn's `adjusted_rand_score` of the repeated rows. Computed
 * from pair counts C(x, 2) = x(x − 1)/2 of the weighted contingency table; 1 for identical partitions (also
 * when both put every row in one cluster).
 * @param a first labelling (m integers)
 * @param b second labelling (m integers)
 * @param w m non-negative weights
 */
export function weightedAdjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>, w: ArrayLike<number>): number {
  const m = a.length;
  if (b.length !== m || w.length !== m) throw new Error(`invalid labels: lengths ${m}, ${b.length} and weights ${w.length} differ`);
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  let N = 0;
  for (let i = 0; i < m; ++i) {
    const wi = w[i];
    if (!(wi >= 0)) throw new Error(`invalid weight: ${wi} at row ${i}`);
    if (wi === 0) continue;
    const key = `${a[i]},${b[i]}`;
    cells.set(key, (cells.get(key) ?? 0) + wi);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + wi);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + wi);
    N += wi;
  }
  const pairs = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const v of cells.values()) index += pairs(v);
  let sa = 0;
  for (const v of rows.values()) sa += pairs(v);
  let sb = 0;
  for (const v of cols.values()) sb += pairs(v);
  const expected = (sa * sb) / pairs(N);
  const max = (sa + sb) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

/** Which k each seed picks, from {@link seedAgreement}. */
export interface SeedAgreement {
  seeds: { seed: number; k: number }[];
  /** The k most seeds pick (the smallest on ties). */
  k: number;
  /** Share of seeds that pick k. */
  agreement: number;
  /** Whether every seed picks k. */
  unanimous: boolean;
}

/**
 * Agreement of a k-selection across seeds: runs `selectK(seed)` for each seed (the whole selection: clustering at
 * every k and the rule) and reports which k each picks, the most frequent k and its share.
 * @param selectK the k-selection for one seed
 * @param seeds seeds to try (at least one)
 */
export function seedAgreement(selectK: (seed: number) => number, seeds: readonly number[]): SeedAgreement {
  if (seeds.length === 0) throw new Error("invalid seeds: empty");
  const picks = seeds.map((seed) => ({ seed, k: selectK(seed) }));
  const count = new Map<number, number>();
  for (const p of picks) count.set(p.k, (count.get(p.k) ?? 0) + 1);
  let k = picks[0].k;
  for (const [kk, c] of count) {
    const ck = count.get(k) ?? 0;
    if (c > ck || (c === ck && kk < k)) k = kk;
  }
  const agreement = (count.get(k) ?? 0) / picks.length;
  return { seeds: picks, k, agreement, unanimous: agreement === 1 };
}

/** Options of {@link kmeansUntilRepeat}: those of `kmeans` without `init` and `nInit`, plus the batch sizes. */
export interface KmeansUntilRepeatOptions extends Omit<KMeansOptions, "init" | "nInit"> {
  /** k-means++ starts in the first batch. Default 10. */
  nInit?: number;
  /** Largest total number of starts; each further batch doubles the total up to this. Default 160. */
  maxInit?: number;
  /** Two inertias within this relative distance count as the same optimum. Default 1e-6. */
  rtol?: number;
}

/** Result of {@link kmeansUntilRepeat}. */
export interface KmeansUntilRepeatResult {
  /** The best run (lowest inertia, first on ties). */
  result: KMeansResult;
  /** Starts run. */
  starts: number;
  /** Whether at least two starts reached the best inertia (within rtol). */
  repeated: boolean;
  /** Starts within rtol of the best inertia. */
  bestCount: number;
  /** Inertia of every start, in order. */
  inertias: number[];
}

/**
 * K-means with as many k-means++ starts as it takes for the best inertia to be found twice: a first batch of
 * `nInit` starts, then batches that double the total (20, 40, 80, …) up to `maxInit`, stopping as soon as at
 * least two starts end within `rtol` (relative) of the best inertia. A best solution found by one start only is
 * likely not the global optimum (more starts may still lower it), which the result reports with
 * `repeated: false`. Start i runs `kmeans` with one k-means++ start and a seed drawn from `seed`, so the first
 * starts are the same whatever `maxInit` is.
 * @param X n×p rows (e.g. distinct rows with counts in `sampleWeight`)
 * @param options k, nInit, maxInit, rtol, seed, maxIter, tol, sampleWeight
 */
export function kmeansUntilRepeat(X: Matrix, options: KmeansUntilRepeatOptions): KmeansUntilRepeatResult {
  const { nInit = 10, maxInit = 160, rtol = 1e-6, seed = 0, ...rest } = options;
  validateKmeansInput(X, { ...rest, seed });
  if (!Number.isInteger(nInit) || nInit < 1) throw new Error(`invalid nInit: ${nInit} (expected ≥ 1)`);
  if (!Number.isInteger(maxInit) || maxInit < nInit) throw new Error(`invalid maxInit: ${maxInit} (expected ≥ nInit = ${nInit})`);
  if (!(rtol >= 0)) throw new Error(`invalid rtol: ${rtol} (expected ≥ 0)`);
  const seeds = createRng(seed);
  const inertias: number[] = [];
  let best: KMeansResult | undefined;
  let target = nInit;
  for (;;) {
    while (inertias.length < target) {
      const r = kmeans(X, { ...rest, init: "k-means++", nInit: 1, seed: Math.floor(seeds.next() * 4294967296) });
      inertias.push(r.inertia);
      if (!best || r.inertia < best.inertia) best = r;
    }
    const limit = best ? best.inertia * (1 + rtol) : Infinity;
    const bestCount = inertias.filter((v) => v <= limit).length;
    if ((bestCount >= 2 || target >= maxInit) && best)
      return { result: best, starts: inertias.length, repeated: bestCount >= 2, bestCount, inertias };
    target = Math.min(2 * target, maxInit);
  }
}

/** The distinct-row id of each of the N units that integer counts w stand for. */
function unitsOf(w: Float64Array, m: number): Int32Array {
  if (!(w instanceof Float64Array) || w.length !== m) throw new Error(`invalid w: expected a Float64Array of length ${m}`);
  let N = 0;
  for (let g = 0; g < m; ++g) {
    if (!(Number.isInteger(w[g]) && w[g] >= 0)) throw new Error(`invalid w: ${w[g]} at row ${g} (expected a count: an integer ≥ 0)`);
    N += w[g];
  }
  if (N < 2) throw new Error(`invalid w: ${N} rows in all (expected at least 2)`);
  const units = new Int32Array(N);
  let u = 0;
  for (let g = 0; g < m; ++g) for (let c = 0; c < w[g]; ++c) units[u++] = g;
  return units;
}

/** Counts of a simple random sample of round(fraction · N) units without replacement (partial Fisher–Yates). */
function subsampleCounts(units: Int32Array, m: number, fraction: number, rng: Rng): Float64Array {
  const N = units.length;
  const size = Math.max(1, Math.round(fraction * N));
  const pool = units.slice();
  const out = new Float64Array(m);
  for (let i = 0; i < size; ++i) {
    const j = i + rng.int(N - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
    out[pool[i]] += 1;
  }
  return out;
}

/** Counts of N units drawn with replacement. */
function bootstrapCounts(units: Int32Array, m: number, rng: Rng): Float64Array {
  const N = units.length;
  const out = new Float64Array(m);
  for (let i = 0; i < N; ++i) out[units[rng.int(N)]] += 1;
  return out;
}
