export type { Matrix } from "./matrix.js";
export { zeros, fromRows, toRows, takeRows, take } from "./matrix.js";
export type { SparseMatrix } from "./sparse.js";
export { isSparse, sparseFromDense, sparseToDense, sparseTakeRows, sparseVstack } from "./sparse.js";
export type { LogisticModel, LogisticRegressionOptions, CoefficientStandardErrors } from "./logistic-regression.js";
export { fitLogisticRegression, predictProba, coefficientStandardErrors, sigmoid, log1pExp } from "./logistic-regression.js";
export { minimizeLbfgs } from "./lbfgs.js";
export { compressRows } from "./compress-rows.js";
export type { CompressedDenseRows } from "./compress-dense-rows.js";
export { compressDenseRows } from "./compress-dense-rows.js";
export { smote } from "./smote.js";
export { randomOverSample, randomUnderSample, balancedSampleWeights } from "./resample.js";
export { RandomState } from "./numpy-random.js";
export { stratifiedKFold, stratifiedHoldout, temporalSplit } from "./model-selection.js";
export { wilsonInterval, mean, sd } from "./stats.js";
export type { KMeansOptions, KMeansResult } from "./kmeans.js";
export { kmeans, predictKmeans } from "./kmeans.js";
export { kPrototypes } from "./kprototypes.js";
export type { PcaOptions, PcaModel } from "./pca.js";
export { pca, transformPca } from "./pca.js";
export {
  confusionMatrix,
  balancedAccuracy,
  precision,
  recall,
  f1,
  specificity,
  geometricMean,
  classificationReportImbalanced,
} from "./metrics/classification.js";
export { rocAuc, averagePrecision, rocCurve, precisionRecallCurve } from "./metrics/ranking.js";
export { silhouetteScore, silhouetteSamples, calinskiHarabaszScore, daviesBouldinScore, adjustedRandIndex } from "./metrics/clustering.js";
export type { LcaData, LcaParameters, LcaOptions, LcaModel, LcaPrediction } from "./lca.js";
export { fitLca, predictLca } from "./lca.js";
export type {
  ClusteringRun,
  ClusterRunner,
  ClusterCriterion,
  NullComparisonOptions,
  NullComparisonRow,
  NullComparison,
  StructureVerdictLabel,
  StructureVerdictOptions,
  StructureVerdict,
} from "./cluster-null.js";
export {
  kmeansRunner,
  silhouetteCriterion,
  permutedReference,
  uniformReference,
  compareWithNull,
  structureVerdict,
  expandRows,
} from "./cluster-null.js";
export type {
  StabilityOptions,
  StabilityResult,
  SeedAgreement,
  KmeansUntilRepeatOptions,
  KmeansUntilRepeatResult,
} from "./cluster-stability.js";
export { clusterStability, stabilityByK, weightedAdjustedRandIndex, seedAgreement, kmeansUntilRepeat } from "./cluster-stability.js";
export type { VarianceShare } from "./variance-shares.js";
export { weightedColumnVariances, varianceShares, equalVariableWeights, applyColumnWeights } from "./variance-shares.js";
export type { ColumnBlocks } from "./column-blocks.js";
export { resolveBlocks, blocksFromSizes } from "./column-blocks.js";
export type { CalibrationLine, ReliabilityBin } from "./metrics/calibration.js";
export { brierScore, calibrationLine, reliabilityCurve, expectedCalibrationError } from "./metrics/calibration.js";
export type { PlattModel, IsotonicModel } from "./calibrate.js";
export { correctPriorShift, fitPlatt, applyPlatt, fitIsotonic, applyIsotonic } from "./calibrate.js";
export type {
  InferenceMethod,
  LogisticInferenceOptions,
  LogisticInferenceFit,
  ParameterIntervals,
  ProfileIntervalOptions,
  LikelihoodRatioTest,
} from "./logistic-inference.js";
export {
  fitLogisticMle,
  fitLogisticFirth,
  waldIntervals,
  profileIntervals,
  likelihoodRatioTest,
  predictInferenceProba,
  eventsPerVariable,
} from "./logistic-inference.js";
export type { AliasTerm, AliasedColumn, AliasedColumnsOptions, VarianceInflationOptions } from "./collinearity.js";
export { aliasedColumns, varianceInflationFactors } from "./collinearity.js";
export type { FisherExactResult } from "./multiple-testing.js";
export { benjaminiHochberg, bonferroni, fisherExactTwoSided, binomialTestTwoSided } from "./multiple-testing.js";
export type { ScoreStatistic, BootstrapOptions, BootstrapInterval } from "./bootstrap.js";
export { bootstrapInterval } from "./bootstrap.js";
