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
