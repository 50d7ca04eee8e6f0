import { MISSING, OTHER, type Encoder, type FeatureInput } from "../../features/encode.js";
import { clusterStability, seedAgreement, type SeedAgreement } from "../../ml/cluster-stability.js";
import { compressDenseRows } from "../../ml/compress-dense-rows.js";
import { fitLca, type LcaData, type LcaModel } from "../../ml/lca.js";
import type { Matrix } from "../../ml/matrix.js";
import type { ComputedCluster as Cluster, LcaFit, Stability } from "../../results/types.js";
import { mapFloat64, mapInt32 } from "../../util/typed-arrays.js";

/** The indicators of a latent class model over the kept rows, as distinct rows with counts. */
export interface LcaIndicators {
  /** Distinct rows: categorical codes (−1 missing) and numeric values (NaN missing). */
  data: LcaData;
  /** Count of each distinct row. */
  weight: Float64Array;
  /** Distinct row of each kept row. */
  index: Int32Array;
  /** Categorical indicators: column and levels (code l is levels[l]). */
  categorical: { column: string; levels: string[] }[];
  /** Numeric indicators, in data units. */
  numeric: string[];
  /** Rows (Σ weight). */
  n: number;
}

/**
 * The study's features as latent class indicators. Categorical variables keep the encoder's levels (rare and
 * excluded values in "(other)") but a missing value stays missing (code −1) instead of becoming a level, and numeric
 * variables keep their values in data units with NaN for missing, not the imputed value: the model handles
 * missing values by full-information likelihood (`fitLca`). Identical rows are merged with their counts, which
 * gives the same fit.
 * @param input the feature columns
 * @param encoder the fitted encoder
 * @param keep the rows that entered the study
 */
export function lcaIndicators(input: FeatureInput, encoder: Encoder, keep: Int32Array): LcaIndicators {
  const categorical = encoder.categorical.map((c) => ({ column: c.column, levels: c.levels.filter((l) => l !== MISSING) }));
  const numeric = encoder.numeric.map((c) => c.column);
  const J = categorical.length;
  const q = numeric.length;
  const width = J + q;
  const n = keep.length;
  const rows = new Float64Array(n * width);
  encoder.categorical.forEach((c, j) => {
    const code = new Map(categorical[j].levels.map((l, t) => [l, t]));
    const other = code.get(OTHER) ?? -1;
    const excluded = new Set(c.exclude);
    const values = input.categorical[c.column];
    for (let r = 0; r < n; ++r) {
      const v = values[keep[r]];
      rows[r * width + j] = v === null ? -1 : excluded.has(v) ? other : (code.get(v) ?? other);
    }
  });
  numeric.forEach((column, t) => {
    const values = input.numeric[column];
    for (let r = 0; r < n; ++r) rows[r * width + J + t] = values[keep[r]];
  });
  const d = compressDenseRows({ rows: n, cols: width, data: rows });
  const m = d.X.rows;
  const codes = categorical.map((_, j) => Int32Array.from({ length: m }, (_, g) => d.X.data[g * width + j]));
  const num: Matrix = { rows: m, cols: q, data: new Float64Array(m * q) };
  for (let g = 0; g < m; ++g) for (let t = 0; t < q; ++t) num.data[g * q + t] = d.X.data[g * width + J + t];
  return { data: { categorical: codes, numeric: num }, weight: d.weight, index: d.index, categorical, numeric, n };
}

/** Settings of the latent class fits. */
export interface LcaSettings {
  starts: number;
  maxIter: number;
  /** Absolute tolerance on the log-likelihood change (lca.tol × rows). */
  tol: number;
  criterion: "bic" | "aic" | "sabic";
}

/** Starts within this many multiples of tol of the best log-likelihood count as reaching the same optimum. */
export const REPEAT_TOLS = 100;

/**
 * Latent class models for K = 1, 2, … up to `kMax`, stopping early once the criterion has risen for two
 * consecutive K past its minimum and every K in `mustFit` is fitted (more classes only fit noise once BIC
 * climbs). K = 1 is the model of independent indicators, the baseline every K is compared with.
 * @param ind the indicators
 * @param kMax most classes
 * @param mustFit numbers of classes that must be fitted (e.g. the k of another method, for comparison)
 * @param settings starts, maxIter, tol, criterion
 * @param seed seed of the random starts
 */
export function fitLcaRange(
  ind: LcaIndicators,
  kMax: number,
  mustFit: readonly number[],
  settings: LcaSettings,
  seed: number,
): Map<number, LcaModel> {
  const out = new Map<number, LcaModel>();
  const need = Math.max(0, ...mustFit);
  let best = Infinity;
  let rises = 0;
  for (let K = 1; K <= kMax; ++K) {
    const m = fitLca(ind.data, {
      k: K,
      nStarts: settings.starts,
      maxIter: settings.maxIter,
      tol: settings.tol,
      seed,
      sampleWeight: ind.weight,
      levels: ind.categorical.map((c) => c.levels.length),
      repeatTol: REPEAT_TOLS * settings.tol,
    });
    out.set(K, m);
    const v = m[settings.criterion];
    if (v < best) {
      best = v;
      rises = 0;
    } else ++rises;
    if (rises >= 2 && K >= need) break;
  }
  return out;
}

/** The fit table of {@link fitLcaRange}'s models. */
export function lcaFitRows(models: ReadonlyMap<number, LcaModel>, starts: number): LcaFit[] {
  return [...models.values()].map((m) => ({
    k: m.k,
    log_likelihood: round(m.logLikelihood, 4),
    bic: round(m.bic, 4),
    aic: round(m.aic, 4),
    sabic: round(m.sabic, 4),
    entropy: Number.isFinite(m.entropy) ? round(m.entropy) : null,
    n_parameters: m.nParameters,
    converged: m.converged,
    iterations: m.iterations,
    starts,
    best_count: m.startsAtBest,
  }));
}

/**
 * The number of classes with the lowest criterion among K ≥ kMin (ties to the smaller K).
 * @param models fitted models by K
 * @param criterion bic, aic or sabic
 * @param kMin fewest classes that may be chosen
 */
export function chooseLcaK(models: ReadonlyMap<number, LcaModel>, criterion: LcaSettings["criterion"], kMin: number): number {
  let k = -1;
  let best = Infinity;
  for (const m of models.values()) {
    if (m.k < kMin) continue;
    if (m[criterion] < best - 1e-9) {
      best = m[criterion];
      k = m.k;
    }
  }
  return k;
}

/**
 * The choice of K repeated over seeds (the study's seed and the next ones), each a whole {@link fitLcaRange} and
 * {@link chooseLcaK} with that seed's random starts.
 * @param ind the indicators
 * @param main the models with the study's seed
 * @param kMin fewest classes that may be chosen
 * @param kMax most classes
 * @param seeds number of seeds
 * @param settings starts, maxIter, tol, criterion
 * @param seed the study's seed
 */
export function lcaSeedAgreement(
  ind: LcaIndicators,
  main: ReadonlyMap<number, LcaModel>,
  kMin: number,
  kMax: number,
  seeds: number,
  settings: LcaSettings,
  seed: number,
): SeedAgreement {
  return seedAgreement(
    (s) => chooseLcaK(s === seed ? main : fitLcaRange(ind, kMax, [], settings, s), settings.criterion, kMin),
    Array.from({ length: seeds }, (_, i) => seed + i),
  );
}

/**
 * Stability of a K-class solution: the model refitted (`starts` random starts) on `draws` subsamples of 80% of
 * the rows, each subsample's modal classes of all rows compared with the full model's by the adjusted Rand index.
 * @param ind the indicators
 * @param model the full-data model
 * @param draws subsamples
 * @param starts random starts per refit
 * @param settings maxIter, tol
 * @param seed seed of the subsamples
 */
export function lcaStability(
  ind: LcaIndicators,
  model: LcaModel,
  draws: number,
  starts: number,
  settings: Pick<LcaSettings, "maxIter" | "tol">,
  seed: number,
): Stability | null {
  if (draws < 1 || model.k < 2) return null;
  const m = ind.weight.length;
  // The runner clusters the indicators, not a matrix: a placeholder matrix carries the number of distinct rows.
  const placeholder: Matrix = { rows: m, cols: 0, data: new Float64Array(0) };
  const s = clusterStability(
    placeholder,
    ind.weight,
    model.k,
    (_X, w, k, runSeed) => {
      const fit = fitLca(ind.data, {
        k,
        nStarts: starts,
        maxIter: settings.maxIter,
        tol: settings.tol * 0.8,
        seed: runSeed,
        sampleWeight: w,
        levels: ind.categorical.map((c) => c.levels.length),
      });
      return { labels: fit.modal, inertia: -fit.logLikelihood };
    },
    model.modal,
    { method: "subsample", fraction: 0.8, draws, seed },
  );
  return { method: s.method, fraction: s.fraction, draws: s.draws, mean: round(s.mean), sd: Number.isFinite(s.sd) ? round(s.sd) : null };
}

/**
 * Class profiles from the model: every one-hot feature's cluster_mean becomes the class-conditional response
 * probability P(level | class) and every numeric feature's the class mean, with lift against the overall share or
 * mean; counts, evidence and quartiles stay those of the rows whose modal class it is (describeClusters on the modal
 * assignment). A "(missing)" level keeps its observed share: the model leaves missing values out. Adds each class's
 * share in the model and the mean posterior probability of its rows.
 * @param clusters profiles of the modal assignment, one per class in class order
 * @param model the fitted model
 * @param ind its indicators
 * @param modalPosterior posterior probability of the modal class of each kept row
 * @param labels modal class of each kept row
 */
export function lcaProfiles(
  clusters: Cluster[],
  model: LcaModel,
  ind: LcaIndicators,
  modalPosterior: Float64Array,
  labels: Int32Array,
): Cluster[] {
  const feature = new Map<string, (c: number) => number>();
  ind.categorical.forEach((ci, j) => {
    const L = ci.levels.length;
    ci.levels.forEach((level, l) => feature.set(`${ci.column}=${level}`, (c) => model.probabilities[j][c * L + l]));
  });
  ind.numeric.forEach((column, t) => feature.set(column, (c) => model.means.data[c * model.means.cols + t]));
  const sums = new Float64Array(model.k);
  const counts = new Float64Array(model.k);
  for (let r = 0; r < labels.length; ++r) {
    if (labels[r] < 0) continue;
    sums[labels[r]] += modalPosterior[r];
    counts[labels[r]]++;
  }
  return clusters.map((cl) => ({
    ...cl,
    class_share: round(model.shares[cl.id]),
    mean_probability: counts[cl.id] ? round(sums[cl.id] / counts[cl.id], 4) : NaN,
    profile: cl.profile.map((p) => {
      const f = feature.get(p.feature);
      if (!f) return p;
      const v = f(cl.id);
      return { ...p, cluster_mean: round(v), lift: round(p.overall_mean ? v / p.overall_mean : NaN, 4) };
    }),
  }));
}

/**
 * Modal class and its posterior probability for every kept row, from the model's posterior of the distinct rows.
 * @param model the fitted model (over the distinct rows of `ind`)
 * @param ind its indicators
 */
export function modalAssignment(model: LcaModel, ind: LcaIndicators): { labels: Int32Array; probability: Float64Array } {
  return {
    labels: mapInt32(ind.index, (g) => model.modal[g]),
    probability: mapFloat64(ind.index, (g) => model.modalPosterior[g]),
  };
}

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
