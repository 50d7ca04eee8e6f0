import { resolveBlocks, type ColumnBlocks } from "./column-blocks.js";
import { compressDenseRows } from "./compress-dense-rows.js";
import { kmeans } from "./kmeans.js";
import { checkMatrix, type Matrix } from "./matrix.js";
import { silhouetteScorer } from "./metrics/silhouette-scorer.js";
import { mean, sd } from "./stats.js";
import { createRng, permutation, type Rng } from "../util/random.js";

/** Labels and inertia (Σ wᵢ ‖xᵢ − centre‖²) of one clustering, as a {@link ClusterRunner} returns them. */
export interface ClusteringRun {
  /** Cluster of every row given, rows of weight 0 included. */
  labels: Int32Array;
  /** Weighted within-cluster sum of squares. */
  inertia: number;
}

/**
 * A clustering method: rows X (m×p) with weights w (counts of distinct rows), k clusters, a seed. It must label
 * every row, also those of weight 0, and be deterministic for a seed.
 */
export type ClusterRunner = (X: Matrix, w: Float64Array, k: number, seed: number) => ClusteringRun;

/** A criterion of a clustering of weighted rows, higher is better (e.g. the silhouette). */
export type ClusterCriterion = (X: Matrix, w: Float64Array, labels: Int32Array) => number;

/**
 * A {@link ClusterRunner} running `kmeans` over the weighted rows.
 * @param options nInit (default 10), maxIter, tol, as for `kmeans`
 */
export function kmeansRunner(options: { nInit?: number; maxIter?: number; tol?: number } = {}): ClusterRunner {
  return (X, w, k, seed) => {
    const r = kmeans(X, { k, seed, sampleWeight: w, ...options });
    return { labels: r.labels, inertia: r.inertia };
  };
}

/**
 * The mean silhouette (scikit-learn's `silhouette_score`) of weighted rows with integer weights, computed by
 * `silhouetteScoreDistinct` over the rows repeated by their counts, on a seeded sample of `sampleSize` rows when
 * there are more. The same sample size on the data and on every reference draw keeps them comparable.
 * {@link compareWithNull} scores every k on the same rows, so the criterion keeps the sample and its pairwise
 * distances for the last rows it was given (`silhouetteScorer`): each further k costs one pass over the pairs,
 * with the same result.
 * @param options sampleSize (default 3000), seed (default 0)
 */
export function silhouetteCriterion(options: { sampleSize?: number; seed?: number } = {}): ClusterCriterion {
  const { sampleSize = 3000, seed = 0 } = options;
  let last: { X: Matrix; w: Float64Array; score: (labels: ArrayLike<number>) => number; rows: number } | undefined;
  return (X, w, labels) => {
    if (!last || last.X !== X || last.w !== w) {
      const F = expandRows(X, w);
      last = { X, w, rows: F.rows, score: silhouetteScorer(F, F.rows > sampleSize ? { sampleSize, seed } : {}) };
    }
    const L = new Int32Array(last.rows);
    let r = 0;
    for (let g = 0; g < X.rows; ++g) for (let c = 0; c < w[g]; ++c) L[r++] = labels[g];
    // A clustering that found one cluster (k-means on a reference draw of few distinct rows can) has no silhouette;
    // it shows no structure, so it scores 0 rather than NaN, which would void the null's mean and spread.
    const score = last.score(L);
    return Number.isFinite(score) ? score : 0;
  };
}

/**
 * Reference data without cluster structure that keeps every marginal: the rows of each block (one variable's
 * columns: a numeric column, or a categorical variable's one-hot columns) are permuted independently, so every
 * variable keeps its exact distribution and within-row validity (one level per one-hot block) while all
 * association between variables is destroyed. Clustering such data gives the criterion values that chance alone
 * produces with these marginals (a permutation null model, as Hennig & Liao 2013 compare the average silhouette
 * width with data from a null model of independent variables).
 * @param X n×p rows (row-major)
 * @param blocks column indices per variable (columns in no block are permuted on their own)
 * @param rng seeded generator
 */
export function permutedReference(X: Matrix, blocks: ColumnBlocks | undefined, rng: Rng): Matrix {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  const out = new Float64Array(n * p);
  for (const block of resolveBlocks(blocks, p)) {
    const perm = permutation(n, rng);
    for (let i = 0; i < n; ++i) {
      const src = perm[i] * p;
      const dst = i * p;
      for (const j of block) out[dst + j] = data[src + j];
    }
  }
  return { rows: n, cols: p, data: out };
}

/**
 * The gap statistic's reference (Tibshirani, Walther & Hastie 2001, "Estimating the number of clusters in a data
 * set via the gap statistic", JRSS B 63(2)): m rows drawn uniformly over the bounding box of the rows of X with
 * positive weight, each column independently between its minimum and maximum.
 * @param X n×p rows
 * @param m number of reference rows
 * @param rng seeded generator
 * @param sampleWeight optional row weights; rows of weight 0 do not widen the box
 */
export function uniformReference(X: Matrix, m: number, rng: Rng, sampleWeight?: Float64Array): Matrix {
  checkMatrix(X);
  const { rows: n, cols: p, data } = X;
  if (!Number.isInteger(m) || m < 1) throw new Error(`invalid m: ${m} (expected an integer ≥ 1)`);
  const lo = new Float64Array(p).fill(Infinity);
  const hi = new Float64Array(p).fill(-Infinity);
  for (let i = 0; i < n; ++i) {
    if (sampleWeight && !(sampleWeight[i] > 0)) continue;
    for (let j = 0; j < p; ++j) {
      const v = data[i * p + j];
      if (v < lo[j]) lo[j] = v;
      if (v > hi[j]) hi[j] = v;
    }
  }
  if (p > 0 && lo[0] === Infinity) throw new Error("invalid X: no row has a positive weight");
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; ++i) for (let j = 0; j < p; ++j) out[i * p + j] = lo[j] + (hi[j] - lo[j]) * rng.next();
  return { rows: m, cols: p, data: out };
}

const REFERENCES = ["permuted", "uniform"] as const;

/** Options of {@link compareWithNull}. */
export interface NullComparisonOptions {
  /** Numbers of clusters to compare, each ≥ 2. */
  ks: readonly number[];
  /** The clustering method. Default `kmeansRunner()`. */
  runner?: ClusterRunner;
  /** The criterion, higher is better. Default `silhouetteCriterion()`. */
  criterion?: ClusterCriterion;
  /** `"permuted"` (default): blocks permuted independently; `"uniform"`: the gap statistic's bounding box. */
  reference?: "permuted" | "uniform";
  /** Column indices per variable, for the permuted reference. Default: every column alone. */
  blocks?: ColumnBlocks;
  /** Reference draws B. Default 20. */
  draws?: number;
  /** Seed of the reference draws and of the runner. Default 0. */
  seed?: number;
  /** Integer row weights (counts of distinct rows; default 1 each): a row of weight w stands for w rows. */
  sampleWeight?: Float64Array;
  /** Quantiles of the null distribution to report. Default [0.05, 0.5, 0.95]. */
  quantiles?: readonly number[];
  /**
   * Rows of each uniform reference draw at most (default 5,000). With N > this many rows the draw has this many,
   * and its inertia is scaled by N / rows, since the expected within-cluster sum of squares grows in proportion
   * to the number of rows.
   */
  maxReferenceRows?: number;
}

/** The comparison at one k, from {@link compareWithNull}. */
export interface NullComparisonRow {
  k: number;
  /** Criterion of the clustering of the data. */
  observed: number;
  /** Criterion on each reference draw. */
  nullValues: number[];
  /** Mean and sample standard deviation of nullValues. */
  nullMean: number;
  nullSd: number;
  /** Quantiles of nullValues (numpy's default linear interpolation), one per requested quantile. */
  nullQuantiles: number[];
  /** observed − nullMean. */
  excess: number;
  /** excess / nullSd (±Infinity when the null does not vary, 0 when both are 0). */
  z: number;
  /** log Wₖ of the data, Wₖ the runner's inertia. */
  logW: number;
  /** Mean and sample standard deviation of log W*ₖ over the draws. */
  nullLogWMean: number;
  nullLogWSd: number;
  /** Gap(k) = mean_b log W*ₖ_b − log Wₖ. */
  gap: number;
  /** sₖ = nullLogWSd · √(1 + 1/B). */
  gapSd: number;
}

/** Result of {@link compareWithNull}. */
export interface NullComparison {
  reference: "permuted" | "uniform";
  draws: number;
  quantiles: number[];
  /** One row per k of `ks`, in the order given. */
  rows: NullComparisonRow[];
  /** Gap(1) and s₁ (one cluster: W₁ is the total sum of squares; 0 for the permuted reference, which keeps it). */
  gapOne: { logW: number; nullLogWMean: number; gap: number; gapSd: number };
  /**
   * Tibshirani et al.'s choice: the smallest k (over 1 and ks, in increasing order) with
   * Gap(k) ≥ Gap(k′) − s_k′ for the next k′; the largest k when none qualifies. 1 means no clustering beats
   * the reference.
   */
  gapK: number;
}

/**
 * Structure tested against chance: each k's clustering of the data is scored by the criterion and by its inertia,
 * and the same clustering (same runner, k and criterion) is repeated on B reference data sets without structure
 * — permuted blocks ({@link permutedReference}) or the gap statistic's uniform box ({@link uniformReference}).
 * Per k this gives the criterion's null distribution (mean, sd, quantiles), the excess of the observed value
 * over the null mean with its z score, and the gap statistic with its standard error and Tibshirani's choice of
 * k. Reference rows of one-hot blocks repeat a lot, so each draw is compressed to distinct rows with counts
 * (`compressDenseRows`) before it is clustered. Draw b uses seed + 1 + b for the runner; the data use seed.
 * @param X n×p rows (row-major, finite), e.g. distinct rows with their counts in `sampleWeight`
 * @param options ks, runner, criterion, reference, blocks, draws, seed, sampleWeight, quantiles, maxReferenceRows
 */
export function compareWithNull(X: Matrix, options: NullComparisonOptions): NullComparison {
  checkMatrix(X);
  const {
    ks,
    runner = kmeansRunner(),
    criterion = silhouetteCriterion(),
    reference = "permuted",
    draws = 20,
    seed = 0,
    quantiles = [0.05, 0.5, 0.95],
    maxReferenceRows = 5000,
  } = options;
  if (ks.length === 0) throw new Error("invalid ks: empty (expected numbers of clusters ≥ 2)");
  for (const k of ks) if (!Number.isInteger(k) || k < 2) throw new Error(`invalid k: ${k} (expected an integer ≥ 2)`);
  if (!Number.isInteger(draws) || draws < 2) throw new Error(`invalid draws: ${draws} (expected an integer ≥ 2)`);
  if (!(REFERENCES as readonly string[]).includes(reference))
    throw new Error(`invalid reference: ${reference} (expected "permuted" or "uniform")`);
  for (const q of quantiles) if (!(q >= 0 && q <= 1)) throw new Error(`invalid quantile: ${q} (expected 0..1)`);
  if (!Number.isInteger(maxReferenceRows) || maxReferenceRows < 2) throw new Error(`invalid maxReferenceRows: ${maxReferenceRows}`);
  const blocks = resolveBlocks(options.blocks, X.cols);

  let obs: { X: Matrix; w: Float64Array };
  let full: Matrix;
  if (options.sampleWeight) {
    checkCounts(options.sampleWeight, X.rows);
    obs = { X, w: options.sampleWeight };
    full = reference === "permuted" ? expandRows(X, options.sampleWeight) : X;
  } else {
    const d = compressDenseRows(X);
    obs = { X: d.X, w: d.weight };
    full = X;
  }
  let N = 0;
  for (const v of obs.w) N += v;

  const observed = ks.map((k) => {
    const r = runner(obs.X, obs.w, k, seed);
    return { logW: Math.log(r.inertia), value: criterion(obs.X, obs.w, r.labels) };
  });
  const logW1 = Math.log(totalSumOfSquares(obs.X, obs.w));
  const nullLogW = ks.map(() => new Float64Array(draws));
  const nullValues = ks.map(() => new Float64Array(draws));
  const nullLogW1 = new Float64Array(draws);
  const rng = createRng(seed);
  for (let b = 0; b < draws; ++b) {
    let R: { X: Matrix; w: Float64Array };
    let scale = 0;
    if (reference === "permuted") {
      const d = compressDenseRows(permutedReference(full, blocks, rng));
      R = { X: d.X, w: d.weight };
    } else {
      const m = Math.min(Math.round(N), maxReferenceRows);
      R = { X: uniformReference(obs.X, m, rng, obs.w), w: new Float64Array(m).fill(1) };
      scale = Math.log(N / m);
    }
    nullLogW1[b] = Math.log(totalSumOfSquares(R.X, R.w)) + scale;
    ks.forEach((k, t) => {
      const r = runner(R.X, R.w, k, seed + 1 + b);
      nullLogW[t][b] = Math.log(r.inertia) + scale;
      nullValues[t][b] = criterion(R.X, R.w, r.labels);
    });
  }

  const root = Math.sqrt(1 + 1 / draws);
  const rows: NullComparisonRow[] = ks.map((k, t) => {
    const values = nullValues[t];
    const nullMean = mean(values);
    const nullSd = sd(values);
    const excess = observed[t].value - nullMean;
    const lw = mean(nullLogW[t]);
    const lwSd = sd(nullLogW[t]);
    return {
      k,
      observed: observed[t].value,
      nullValues: Array.from(values),
      nullMean,
      nullSd,
      nullQuantiles: quantiles.map((q) => quantile(values, q)),
      excess,
      z: nullSd > 0 ? excess / nullSd : excess === 0 ? 0 : excess > 0 ? Infinity : -Infinity,
      logW: observed[t].logW,
      nullLogWMean: lw,
      nullLogWSd: lwSd,
      gap: lw - observed[t].logW,
      gapSd: lwSd * root,
    };
  });
  const oneMean = mean(nullLogW1);
  const gapOne = { logW: logW1, nullLogWMean: oneMean, gap: oneMean - logW1, gapSd: sd(nullLogW1) * root };
  const curve = [{ k: 1, gap: gapOne.gap, s: gapOne.gapSd }, ...rows.map((r) => ({ k: r.k, gap: r.gap, s: r.gapSd }))].sort(
    (a, b) => a.k - b.k,
  );
  let gapK = curve[curve.length - 1].k;
  for (let i = 0; i + 1 < curve.length; ++i) {
    if (curve[i].gap >= curve[i + 1].gap - curve[i + 1].s) {
      gapK = curve[i].k;
      break;
    }
  }
  return { reference, draws, quantiles: [...quantiles], rows, gapOne, gapK };
}

/** The three readings of {@link structureVerdict}. */
export type StructureVerdictLabel = "no structure beyond chance" | "weak" | "clear";

/** Thresholds of {@link structureVerdict}, on the silhouette scale. */
export interface StructureVerdictOptions {
  /** Excess over the null mean needed for "clear". Default 0.10. */
  clearMargin?: number;
  /** z score needed for "clear". Default 3. */
  clearZ?: number;
  /** Excess over the null mean needed for "weak". Default 0.02. */
  weakMargin?: number;
  /** z score needed for "weak". Default 2. */
  weakZ?: number;
}

/** Result of {@link structureVerdict}. */
export interface StructureVerdict {
  verdict: StructureVerdictLabel;
  /** The k the verdict rests on: the qualifying k with the largest excess, or the k of largest excess when none qualifies. */
  k: number;
  excess: number;
  z: number;
  /** Tibshirani's gap choice of k. */
  gapK: number;
  /** The rule, in words, with the thresholds used. */
  rule: string;
}

/**
 * A verdict on a {@link NullComparison} whose criterion is the silhouette:
 * - "clear" when at some k the observed silhouette exceeds the null mean by at least `clearMargin` (0.10) with
 *   z ≥ `clearZ` (3), and the gap statistic's rule picks k ≥ 2;
 * - "weak" when not clear but at some k the excess is at least `weakMargin` (0.02) with z ≥ `weakZ` (2);
 * - "no structure beyond chance" otherwise.
 *
 * Why these thresholds. Absolute silhouette bands (Kaufman & Rousseeuw 1990, "Finding groups in data", §2.2:
 * ≤ 0.25 no substantial structure, 0.26–0.50 weak and possibly artificial, 0.51–0.70 reasonable, > 0.70 strong)
 * cannot be read on one-hot designs, where data without any structure already score about 0.1 (0.08–0.12 at
 * k = 2..10 on a permuted 36,000-row design of 60 one-hot columns) because rows sit on the vertices of a cube; the
 * null reference supplies the baseline instead (Hennig & Liao 2013, JRSS C 62(3), compare the average silhouette
 * width with its values under a null model). The z score says whether the excess is beyond the spread of chance:
 * z ≥ 2 puts the observed value above about 97.7% of a normal null, z ≥ 3 above 99.9%, beyond the largest of 20
 * draws (whose expected maximum is 1.87 sd). The margins say whether the excess matters. 0.02 is four to six times
 * the sampling noise of the silhouette estimate itself (standard deviation 0.004–0.006 over sample seeds with the
 * default 3,000-row sample, measured on a 36,000-row design of 60 one-hot columns), so an excess above it is not
 * an artefact of which rows were sampled; it also guards against testing many k at once, where z ≥ 2 alone would
 * fire by chance at one of nine independent k with probability 1 − 0.977⁹ ≈ 0.19 (on structure-free data of that
 * size, k = 9 reached z = 2.33 with an excess of only 0.013). 0.10 is 40% of one Kaufman–Rousseeuw band (0.25
 * wide): added to what one-hot noise scores, it lifts a partition out of "no substantial structure". "Clear" also
 * asks the gap statistic (Tibshirani, Walther & Hastie 2001), whose rule Gap(k) ≥ Gap(k+1) − s_{k+1} picks k = 1
 * when no partition reduces the within-cluster dispersion more than on the reference: a silhouette excess without
 * any gap in dispersion is not clear structure.
 * @param comparison the result of {@link compareWithNull} with a silhouette criterion
 * @param options clearMargin, clearZ, weakMargin, weakZ
 */
export function structureVerdict(comparison: NullComparison, options: StructureVerdictOptions = {}): StructureVerdict {
  const { clearMargin = 0.1, clearZ = 3, weakMargin = 0.02, weakZ = 2 } = options;
  const rows = comparison.rows.filter((r) => Number.isFinite(r.excess));
  const best = (ok: (r: NullComparisonRow) => boolean) =>
    rows.filter(ok).reduce<NullComparisonRow | undefined>((a, r) => (!a || r.excess > a.excess ? r : a), undefined);
  const clear = comparison.gapK >= 2 ? best((r) => r.excess >= clearMargin && r.z >= clearZ) : undefined;
  const weak = best((r) => r.excess >= weakMargin && r.z >= weakZ);
  const top = clear ?? weak ?? best(() => true);
  const verdict: StructureVerdictLabel = clear ? "clear" : weak ? "weak" : "no structure beyond chance";
  return {
    verdict,
    k: top ? top.k : NaN,
    excess: top ? top.excess : NaN,
    z: top ? top.z : NaN,
    gapK: comparison.gapK,
    rule:
      `clear: silhouette above the ${comparison.reference} null mean by ≥ ${clearMargin} with z ≥ ${clearZ} at some k, ` +
      `and the gap rule picks k ≥ 2; ` +
      `weak: excess ≥ ${weakMargin} with z ≥ ${weakZ} at some k; otherwise no structure beyond chance (B = ${comparison.draws} draws)`,
  };
}

/** The rows of X repeated by their integer weights, in order. */
export function expandRows(X: Matrix, w: Float64Array): Matrix {
  checkMatrix(X);
  checkCounts(w, X.rows);
  const p = X.cols;
  let N = 0;
  for (const v of w) N += v;
  const out = new Float64Array(N * p);
  let r = 0;
  for (let g = 0; g < X.rows; ++g) {
    const row = X.data.subarray(g * p, g * p + p);
    for (let c = 0; c < w[g]; ++c) out.set(row, r++ * p);
  }
  return { rows: N, cols: p, data: out };
}

function checkCounts(w: Float64Array, n: number): void {
  if (!(w instanceof Float64Array) || w.length !== n) throw new Error(`invalid sampleWeight: expected a Float64Array of length ${n}`);
  let total = 0;
  for (let i = 0; i < n; ++i) {
    if (!(Number.isInteger(w[i]) && w[i] >= 0))
      throw new Error(`invalid sampleWeight: ${w[i]} at row ${i} (expected a count: an integer ≥ 0)`);
    total += w[i];
  }
  if (total === 0) throw new Error("invalid sampleWeight: all weights are 0");
}

/** Σ wᵢ ‖xᵢ − x̄‖², x̄ the weighted mean: the inertia of one cluster. */
function totalSumOfSquares(X: Matrix, w: Float64Array): number {
  const { rows: n, cols: p, data } = X;
  const m = new Float64Array(p);
  let W = 0;
  for (let i = 0; i < n; ++i) {
    W += w[i];
    for (let j = 0; j < p; ++j) m[j] += w[i] * data[i * p + j];
  }
  for (let j = 0; j < p; ++j) m[j] /= W;
  let s = 0;
  for (let i = 0; i < n; ++i) {
    for (let j = 0; j < p; ++j) {
      const d = data[i * p + j] - m[j];
      s += w[i] * d * d;
    }
  }
  return s;
}

/** numpy `quantile(x, q)` with the default linear interpolation (Hyndman & Fan type 7). */
function quantile(x: Float64Array, q: number): number {
  const s = Float64Array.from(x).sort();
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}
