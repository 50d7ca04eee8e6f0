import type { Encoder, FeatureInput } from "../../features/encode.js";
import type { SeedAgreement } from "../../ml/cluster-stability.js";
import { compressDenseRows, type CompressedDenseRows } from "../../ml/compress-dense-rows.js";
import type { LcaModel } from "../../ml/lca.js";
import type { Matrix } from "../../ml/matrix.js";
import { silhouetteScorer } from "../../ml/metrics/silhouette-scorer.js";
import { pca, transformPca } from "../../ml/pca.js";
import type {
  ComputedCluster as Cluster,
  KSelectionRow,
  ComputedSegmentsResults as SegmentsResults,
  Structure,
} from "../../results/types.js";
import { UserError } from "../../util/errors.js";
import type { Logger } from "../../util/logger.js";
import {
  kTooLargeDistinct,
  lcaNotConverged,
  noStructure,
  seedsDisagree,
  startsNotRepeated,
  structureSkipped,
} from "../../util/messages.js";
import { comparedMethods, runKPrototypes, scorePartition, type ComparisonRow } from "./compare-methods.js";
import { clusterLabel } from "./labels.js";
import {
  chooseLcaK,
  fitLcaRange,
  lcaFitRows,
  lcaIndicators,
  lcaProfiles,
  lcaSeedAgreement,
  lcaStability,
  modalAssignment,
  type LcaIndicators,
  type LcaSettings,
} from "./lca-study.js";
import { describeClusters } from "./profiles.js";
import type { SegmentsSpec } from "./spec.js";
import { testStructure } from "./structure.js";
import { chooseKOverSeeds, STABILITY_STARTS, stabilityPerK, sweepK, type SweepOptions, type SweepRow } from "./sweep.js";
import { designVariables, variableBlocks, varianceShareRows, warnOnShares, weightDesign } from "./weights.js";

/** What {@link clusterStudy} needs: the encoded design and its context. */
export interface ClusterStudyInput {
  spec: SegmentsSpec;
  /** The study file's path, for messages. */
  where: string;
  seed: number;
  /** report.min_cell: levels with fewer rows in a cluster are not ranked or named. */
  minCell: number;
  logger: Logger;
  input: FeatureInput;
  encoder: Encoder;
  keep: Int32Array;
  /** n×p encoded design of the kept rows. */
  X: Matrix;
  names: string[];
  /** Feature columns that hold area-level values (joined demographics, the area column). */
  areaColumns: ReadonlySet<string>;
  describe: FeatureInput | null;
  dist: Float64Array | null;
}

/** The results keys {@link clusterStudy} computes, and the partition. */
export interface ClusterStudyOutput {
  results: Pick<
    SegmentsResults,
    | "method"
    | "k_selection"
    | "k"
    | "k_rule"
    | "k_choice"
    | "structure"
    | "weights"
    | "scaling"
    | "variance_shares"
    | "pca"
    | "clusters"
    | "stability"
    | "comparison"
    | "lca"
  >;
  /** Cluster of each kept row. */
  labels: Int32Array;
  /** Posterior probability of each kept row's class (method: lca), else null. */
  probability: Float64Array | null;
  /** The matrix clustered (after weights and PCA). */
  Z: Matrix;
}

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/**
 * The segments analysis from the encoded design to described clusters, in order: variable weights and PCA; the
 * structure test against chance; for k-means, the sweep over k with starts until the best repeats, per-k
 * subsample stability and the choice of k repeated over seeds; for latent class analysis, the models over K with
 * their fit statistics, stability and seeds; the other methods at the chosen k; profiles ranked by evidence and
 * true labels; variance shares; and every warning these raise.
 * @param p the encoded design and its context
 */
export function clusterStudy(p: ClusterStudyInput): ClusterStudyOutput {
  const { spec, seed, logger, X } = p;
  const variables = designVariables(p.encoder, p.areaColumns);
  const weighted = weightDesign(X, variables, spec.weights);
  let Z = weighted.Z;
  let pcaInfo: SegmentsResults["pca"] = null;
  if (spec.pca) {
    const model = pca(Z, { components: spec.pca.components, varianceShare: spec.pca.variance ?? (spec.pca.components ? undefined : 0.9) });
    Z = transformPca(model, Z);
    pcaInfo = { components: model.nComponents, explained_variance_ratio: Array.from(model.explainedVarianceRatio, (v) => round(v)) };
    logger.info(
      `  PCA: ${model.nComponents} components keep ${(100 * model.explainedVarianceRatio.reduce((a, b) => a + b, 0)).toFixed(1)}% of the variance`,
    );
  }
  const kMax = spec.k.fixed ?? spec.k.max;
  const ks: number[] = [];
  for (let k = spec.k.min; k <= spec.k.max; ++k) ks.push(k);
  if (spec.k.fixed && !ks.includes(spec.k.fixed)) ks.push(spec.k.fixed);
  ks.sort((a, b) => a - b);
  // Identical rows are clustered once with their count as weight: the same Lloyd steps, several times faster.
  const distinct = compressDenseRows(Z);
  if (distinct.X.rows < Z.rows)
    logger.info(
      `  ${distinct.X.rows.toLocaleString("en-US")} distinct rows of ${Z.rows.toLocaleString("en-US")} (clustered with counts as weights)`,
    );
  if (distinct.X.rows <= kMax) throw new UserError("segments.k_too_large", kTooLargeDistinct(p.where, kMax, distinct.X.rows));

  let structure: Structure | undefined;
  if (spec.structure) {
    const t = performance.now();
    const s = testStructure(distinct.X, distinct.weight, {
      ks,
      blocks: spec.pca ? undefined : variableBlocks(variables),
      reference: spec.structure.reference,
      draws: spec.structure.draws,
      nInit: spec.structure.n_init,
      maxIter: spec.max_iter,
      silhouetteSample: spec.structure.silhouette_sample,
      seed,
      unit: spec.pca ? "principal component" : "variable",
    });
    if (s) {
      structure = s;
      logger.info(`  structure: ${s.verdict} (${Math.round(performance.now() - t)} ms): ${s.summary}`);
      if (s.verdict === "no structure beyond chance")
        logger.warn({ code: "segments.no_structure", message: noStructure(s), k: s.k, excess: s.excess, z: s.z });
    } else logger.warn({ code: "segments.structure_skipped", message: structureSkipped(distinct.X.rows) });
  }

  const silhouette = silhouetteScorer(Z, Z.rows > spec.silhouette_sample ? { sampleSize: spec.silhouette_sample, seed } : {});
  const sweepOptions: SweepOptions = { ks, nInit: spec.n_init, maxInit: spec.max_init, maxIter: spec.max_iter, silhouette, seed };
  const lcaSettings: LcaSettings = {
    starts: spec.lca.starts,
    maxIter: spec.lca.max_iter,
    tol: spec.lca.tol * p.keep.length,
    criterion: spec.lca.criterion,
  };
  let ind: LcaIndicators | undefined;
  const indicators = () => (ind ??= lcaIndicators(p.input, p.encoder, p.keep));

  const choice = spec.method === "lca" ? chooseLca(p, indicators(), lcaSettings, kMax) : chooseKmeans(p, Z, distinct, sweepOptions, ks[0]);
  const { k, agreement } = choice;
  logger.info(`  chose k=${k}: ${choice.rule}`);
  if (!agreement.unanimous)
    logger.warn({ code: "segments.seeds_disagree", message: seedsDisagree(k, agreement.seeds), seeds: agreement.seeds });

  // The other methods at the same k, scored on the same matrix against the study's partition.
  const finalLabels = spec.method === "kprototypes" ? runKPrototypes(p.input, p.encoder, p.keep, k, spec.n_init, seed) : choice.labels;
  const comparison: ComparisonRow[] = [];
  const score = (name: string, l: Int32Array) => scorePartition(name, Z, distinct, l, k, finalLabels, silhouette);
  let lca: SegmentsResults["lca"] | undefined;
  const compared = comparedMethods(spec);
  if (compared.length) comparison.push(score(spec.method, finalLabels));
  for (const other of compared) {
    if (other === "kmeans") {
      const labels = choice.sweep?.find((s) => s.k === k)?.labels ?? sweepK(distinct, { ...sweepOptions, ks: [k] })[0].labels;
      comparison.push(score("kmeans", labels));
    } else if (other === "kprototypes") {
      comparison.push(score("kprototypes", runKPrototypes(p.input, p.encoder, p.keep, k, spec.n_init, seed)));
    } else {
      const I = indicators();
      const t = performance.now();
      const models = fitLcaRange(I, kMax, [k, spec.k.min], lcaSettings, seed);
      logger.info(`  latent classes K = 1..${Math.max(...models.keys())} for comparison (${Math.round(performance.now() - t)} ms)`);
      comparison.push(score("lca", modalAssignment(modelAt(models, k), I).labels));
      const own = chooseLcaK(models, spec.lca.criterion, spec.k.min);
      const ownModel = modelAt(models, own);
      const ownModal = modalAssignment(ownModel, I);
      const classes = lcaProfiles(describe(p, ownModal.labels, own), ownModel, I, ownModal.probability, ownModal.labels);
      for (const c of classes) c.label = clusterLabel(c, p.encoder.features);
      lca = lcaResults(models, I, lcaSettings, spec, own, classes);
      warnNotConverged(models, logger);
    }
  }

  let clusters: Cluster[] = describe(p, finalLabels, k);
  if (choice.models && choice.probability && ind) {
    clusters = lcaProfiles(clusters, modelAt(choice.models, k), ind, choice.probability, finalLabels);
    lca = lcaResults(choice.models, ind, lcaSettings, spec, k);
  }
  for (const c of clusters) c.label = clusterLabel(c, p.encoder.features);
  for (const c of clusters) logger.info(`  cluster ${c.id} (${(100 * c.share).toFixed(1)}%): ${c.label}`);

  const variance_shares = varianceShareRows(weighted.Z, variables, weighted, finalLabels, k);
  warnOnShares(variance_shares, logger);

  const stabilityAtK = choice.selection.find((r) => r.k === k)?.stability ?? null;
  return {
    results: {
      method: spec.method,
      k_selection: choice.selection,
      k,
      k_rule: choice.rule,
      k_choice: { k, rule: choice.rule, seeds: agreement.seeds, agreement: round(agreement.agreement, 4), unanimous: agreement.unanimous },
      ...(structure ? { structure } : {}),
      weights: weighted.mode,
      scaling: weighted.scaling,
      variance_shares,
      pca: pcaInfo,
      clusters,
      stability: {
        method: choice.stabilityMethod,
        resamples: stabilityAtK?.draws ?? 0,
        mean_ari: stabilityAtK ? stabilityAtK.mean : null,
        sd: stabilityAtK ? stabilityAtK.sd : null,
      },
      ...(comparison.length ? { comparison } : {}),
      ...(lca ? { lca } : {}),
    },
    labels: finalLabels,
    probability: choice.probability,
    Z,
  };
}

/** The choice of k by the study's method, with its per-k rows and partition. */
interface MethodChoice {
  selection: KSelectionRow[];
  k: number;
  rule: string;
  agreement: SeedAgreement;
  /** Cluster of each kept row at k. */
  labels: Int32Array;
  /** Posterior probability of each kept row's class (LCA), else null. */
  probability: Float64Array | null;
  stabilityMethod: string;
  /** k-means: the sweep with the study's seed. */
  sweep?: SweepRow[];
  /** LCA: the models by number of classes. */
  models?: Map<number, LcaModel>;
}

/** The k-means sweep, per-k stability and the choice of k over seeds; warns when the chosen k's best start did not repeat. */
function chooseKmeans(p: ClusterStudyInput, Z: Matrix, distinct: CompressedDenseRows, options: SweepOptions, kFirst: number): MethodChoice {
  const { spec, seed, logger } = p;
  const sweep = sweepK(distinct, options, (s, ms) => {
    logger.info(
      `  k=${s.k}: inertia ${s.inertia.toFixed(1)}, silhouette ${s.silhouette.toFixed(3)}, CH ${s.calinski_harabasz.toFixed(1)}, DB ${s.davies_bouldin.toFixed(3)}, ${s.starts.used} starts${s.starts.repeated ? "" : " (best not repeated)"} (${Math.round(ms)} ms)`,
    );
  });
  const stability = stabilityPerK(distinct, sweep, spec.stability_resamples, spec.max_iter, seed);
  const means = spec.stability_resamples > 0 ? new Map([...stability].map(([kk, s]) => [kk, s?.mean ?? NaN])) : null;
  const t = performance.now();
  const seeded = spec.k.fixed ? null : chooseKOverSeeds(distinct, sweep, means, spec.k.seeds, options);
  if (seeded && spec.k.seeds > 1)
    logger.info(
      `  k over ${spec.k.seeds} seeds: ${seeded.agreement.seeds.map((s) => s.k).join(", ")} (${Math.round(performance.now() - t)} ms)`,
    );
  const agreement = seeded ? seeded.agreement : fixedAgreement(spec.k.fixed ?? kFirst, seed);
  const k = spec.k.fixed ?? agreement.k;
  const chosen = sweep.find((s) => s.k === k);
  if (!chosen) throw new Error(`invalid k: ${k} is not in the sweep`);
  if (!chosen.starts.repeated)
    logger.warn({ code: "segments.starts_not_repeated", message: startsNotRepeated(k, chosen.starts.used), k, starts: chosen.starts.used });
  return {
    selection: sweep.map((s) => ({
      k: s.k,
      inertia: s.inertia,
      silhouette: s.silhouette,
      calinski_harabasz: s.calinski_harabasz,
      davies_bouldin: s.davies_bouldin,
      stability: stability.get(s.k) ?? null,
      starts: s.starts,
      ...(seeded?.spread.has(s.k) ? { spread: seeded.spread.get(s.k) } : {}),
    })),
    k,
    rule: seeded ? `${seeded.main.rule}${seedsText(agreement)}` : "fixed in the study file (segments.k.fixed)",
    agreement,
    labels: chosen.labels,
    probability: null,
    stabilityMethod: `k-means (${STABILITY_STARTS} starts) on subsamples of 80% of the rows, adjusted Rand index against the full-data clustering`,
    sweep,
  };
}

/** Latent class models over K, their stability, and the choice of K by the criterion over seeds. */
function chooseLca(p: ClusterStudyInput, I: LcaIndicators, settings: LcaSettings, kMax: number): MethodChoice {
  const { spec, seed, logger } = p;
  const t = performance.now();
  const models = fitLcaRange(I, kMax, [spec.k.min, ...(spec.k.fixed ? [spec.k.fixed] : [])], settings, seed);
  logger.info(`  latent classes K = 1..${Math.max(...models.keys())} (${Math.round(performance.now() - t)} ms)`);
  warnNotConverged(models, logger);
  const fitted = [...models.values()].filter((m) => m.k >= spec.k.min);
  const fits = new Map(lcaFitRows(models, spec.lca.starts).map((f) => [f.k, f]));
  const selection: KSelectionRow[] = fitted.map((m) => {
    const f = fits.get(m.k);
    if (!f) throw new Error(`invalid K: ${m.k} has no fit row`);
    return {
      k: m.k,
      log_likelihood: f.log_likelihood,
      bic: f.bic,
      aic: f.aic,
      sabic: f.sabic,
      entropy: f.entropy,
      n_parameters: f.n_parameters,
      converged: f.converged,
      iterations: f.iterations,
      stability: lcaStability(I, m, spec.stability_resamples, spec.lca.stability_starts, settings, seed),
      starts: { used: spec.lca.starts, repeated: m.startsAtBest >= 2, best_count: m.startsAtBest },
    };
  });
  const agreement = spec.k.fixed
    ? fixedAgreement(spec.k.fixed, seed)
    : lcaSeedAgreement(I, models, spec.k.min, kMax, spec.k.seeds, settings, seed);
  const k = spec.k.fixed ?? agreement.k;
  const modal = modalAssignment(modelAt(models, k), I);
  return {
    selection,
    k,
    rule: spec.k.fixed
      ? "fixed in the study file (segments.k.fixed)"
      : `lowest ${settings.criterion.toUpperCase()} over K = ${spec.k.min}..${Math.max(...fitted.map((m) => m.k))}${seedsText(agreement)}`,
    agreement,
    labels: modal.labels,
    probability: modal.probability,
    stabilityMethod: `latent class refits (${spec.lca.stability_starts} starts) on subsamples of 80% of the rows, adjusted Rand index of the modal classes against the full model's`,
    models,
  };
}

function modelAt(models: ReadonlyMap<number, LcaModel>, k: number): LcaModel {
  const m = models.get(k);
  if (!m) throw new Error(`invalid K: no latent class model with ${k} classes was fitted`);
  return m;
}

function describe(p: ClusterStudyInput, labels: Int32Array, k: number): Cluster[] {
  return describeClusters({
    X: p.X,
    names: p.names,
    encoder: p.encoder,
    labels,
    k,
    input: p.input,
    keep: p.keep,
    describe: p.describe,
    dist: p.dist,
    distName: p.spec.distribution,
    minCell: p.minCell,
  });
}

function lcaResults(
  models: ReadonlyMap<number, LcaModel>,
  ind: LcaIndicators,
  settings: LcaSettings,
  spec: SegmentsSpec,
  k: number,
  classes?: Cluster[],
): NonNullable<SegmentsResults["lca"]> {
  const criterion = settings.criterion;
  const chosen = chooseLcaK(models, criterion, spec.k.min);
  return {
    k,
    criterion,
    rule:
      spec.method === "lca" && spec.k.fixed
        ? "fixed in the study file (segments.k.fixed)"
        : `lowest ${criterion.toUpperCase()} over K = ${spec.k.min}..${Math.max(...models.keys())} (K = ${chosen}); K = 1 is the model of independent indicators`,
    indicators: [...ind.categorical.map((c) => c.column), ...ind.numeric],
    settings: { starts: settings.starts, max_iter: settings.maxIter, tol: round(settings.tol, 9) },
    fits: lcaFitRows(models, settings.starts),
    ...(classes ? { classes } : {}),
  };
}

function warnNotConverged(models: ReadonlyMap<number, LcaModel>, logger: Logger): void {
  const ks = [...models.values()].filter((m) => !m.converged).map((m) => m.k);
  if (ks.length) logger.warn({ code: "segments.lca_not_converged", message: lcaNotConverged(ks), ks });
}

function fixedAgreement(k: number, seed: number): SeedAgreement {
  return { seeds: [{ seed, k }], k, agreement: 1, unanimous: true };
}

function seedsText(a: SeedAgreement): string {
  if (a.seeds.length < 2) return "";
  const picks = a.seeds.map((s) => s.k).join(", ");
  return a.unanimous
    ? `; every one of ${a.seeds.length} seeds picks k = ${a.k}`
    : `; ${a.seeds.length} seeds pick ${picks}: k = ${a.k} is the most frequent (ties to the smaller)`;
}
