import { z } from "zod";

/**
 * The results contract: what a run writes (`results.json`, `manifest.json`) and what the report, the dashboard and
 * other tools read. Typed once, here, as zod schemas; the TypeScript types are inferred from them and the shipped
 * JSON Schema (schema/results.schema.json) is generated from them. Keys are snake_case; extend freely, never rename.
 * Objects are strict so that a key the code writes but this file does not describe fails the contract tests.
 */

const interval = z.tuple([z.number(), z.number()]).describe("[lower, upper] bounds");

/** A count that disclosure control may hide: null when it is below the run's min_cell (docs/disclosure.md). */
const suppressibleInt = z.number().int().nullable();
/** A statistic computed from a count that disclosure control may hide: null with it. */
const suppressibleNumber = z.number().nullable();
/** The fields of a record that disclosure control set to null, by name (dotted paths inside the record). */
const suppressedList = z
  .array(z.string())
  .optional()
  .describe("fields of this record hidden by disclosure control (published as null, shown as <min_cell); absent when none");

/** A warning: stable `code`, a human `message`, and any facts that support it. */
export const warningSchema = z
  .looseObject({
    code: z.string().describe("stable machine-readable code, listed in docs/errors.md"),
    message: z.string().describe("one line for people"),
  })
  .describe("a warning with the facts behind it (extra keys depend on the code)");

/** One loaded source, as the manifest and results.data record it. */
export const inputInfoSchema = z.strictObject({
  name: z.string().describe("source name in the study file"),
  path: z.string().describe("path as given in the study file (relative), never an absolute local path"),
  sha256: z.string().describe("sha256 of the bytes that were loaded"),
  rows: z.number().int().describe("rows loaded"),
  files: z
    .array(
      z.strictObject({
        path: z.string().describe("file path relative to the study file (or --data)"),
        sha256: z.string().describe("sha256 of the file's bytes"),
        rows: z.number().int().describe("rows loaded from this file"),
        added: z.array(z.string()).describe("columns this file has that the file before it lacks"),
        missing: z.array(z.string()).describe("columns the file before it has that this file lacks (NULL for its rows)"),
        renamed: z
          .array(
            z.strictObject({
              from: z.string().describe("the spelling in this file"),
              to: z.string().describe("the column it was read into (the first file's spelling)"),
            }),
          )
          .describe("columns spelled differently (case, spaces, underscores), read into the column `to`"),
      }),
    )
    .optional()
    .describe(
      "a source with a glob or a list of paths: each file, in the order read; `sha256` above is then over the files' sha256 and paths",
    ),
});

export const dataInfoSchema = z.strictObject({
  rows: z.number().int().describe("rows of the analysis table that entered the model"),
  features: z.number().int().describe("columns of the design matrix"),
  table_rows: z.number().int().describe("rows of the analysis table before any row was dropped"),
  dropped: z
    .record(z.string(), suppressibleInt)
    .describe('rows dropped, by reason, e.g. { "missing PREMISE_TYPE": 12 }; null when suppressed'),
  missing: z
    .record(z.string(), suppressibleInt)
    .describe("missing values per used column before the missing-value policy; null when suppressed"),
  positives: z.number().int().optional().describe("risk: rows with the target = 1"),
  inputs: z.array(inputInfoSchema).describe("the loaded sources, in the study file's order"),
  date_range: z
    .strictObject({
      column: z.string().describe("risk.date"),
      min: z.string().nullable().describe("earliest date of the analysed rows (ISO); null when none is dated"),
      max: z.string().nullable().describe("latest date of the analysed rows (ISO); null when none is dated"),
    })
    .optional()
    .describe("risk: range of the study's date column"),
  suppressed: suppressedList,
});

const dimensionKind = z.enum(["category", "year", "month", "weekday", "hour", "cluster"]);

/**
 * What the dashboard may show and filter. `prepared.parquet` holds the analysis table's columns, `_row` (row number),
 * and `_score` (risk) or `_cluster` (segments); only the columns named here may be filtered or grouped by.
 */
export const dashboardInfoSchema = z.strictObject({
  dimensions: z
    .array(
      z.strictObject({
        column: z.string().describe("column of prepared.parquet"),
        label: z.string().describe("name shown in the dashboard"),
        kind: dimensionKind.describe(
          "category, a part of the time column (year, month, weekday, hour; hour only when it has a time of day), or cluster",
        ),
      }),
    )
    .describe("dimensions to filter and group by; kind says how to order and label values"),
  target: z.string().optional().describe("binary target column (risk) whose rate follows the filters"),
  time: z.string().optional().describe("timestamp column for time views"),
  numeric: z
    .array(
      z.strictObject({
        column: z.string().describe("numeric column of prepared.parquet"),
        label: z.string().describe("name shown in the dashboard"),
      }),
    )
    .optional()
    .describe("numeric columns the dashboard draws as histograms and filters by range (bins are chosen by the server from the data)"),
  points: z
    .strictObject({ lat: z.string().describe("latitude column"), lon: z.string().describe("longitude column") })
    .optional()
    .describe("point coordinates for an incident map"),
  areas: z
    .strictObject({
      file: z.string().describe("GeoJSON file in the results folder"),
      name_property: z.string().describe("feature property holding the area name"),
      column: z.string().describe("column of the analysis table holding the area name"),
    })
    .optional()
    .describe("area map: GeoJSON file in the results folder, its name property, and the table column it joins"),
});

const commonShape = {
  name: z.string().describe("the study file's name"),
  description: z.string().optional().describe("the study file's description"),
  synthetic: z.boolean().optional().describe("true when the run used generated data (the demo)"),
  seed: z.number().int().describe("seed every random choice of the run derives from"),
  warnings: z.array(warningSchema).describe("every warning of the run, in the order printed"),
  data: dataInfoSchema.describe("what was analysed: rows, features, dropped and missing values, inputs"),
  dashboard: dashboardInfoSchema.describe("what the dashboard may show and filter"),
};

const nullableNumber = z.number().nullable();
const nullableInterval = z.tuple([nullableNumber, nullableNumber]).describe("[lower, upper] bounds; null where a bound does not exist");

export const meanSdSchema = z.strictObject({
  mean: z.number().describe("mean over the validation splits (the test set's value for a single split)"),
  sd: z.number().describe("standard deviation over the validation splits (0 for a single split)"),
  folds: z.array(z.number()).describe("value in each validation split"),
  ci95: interval.optional().describe("single split (holdout, temporal): percentile bootstrap 95% interval over resamples of the test set"),
});

/** A metric at the decision threshold: null when a hidden confusion-matrix cell would follow from it. */
const thresholdMetric = meanSdSchema
  .nullable()
  .describe("at the decision threshold; null when disclosure control hid a confusion-matrix cell that it would reveal");

export const classReportSchema = z.strictObject({
  pre: suppressibleNumber.describe("precision of the class; null when suppressed"),
  rec: suppressibleNumber.describe("recall (sensitivity) of the class"),
  spe: suppressibleNumber.describe("specificity of the class"),
  f1: suppressibleNumber.describe("F1 score of the class"),
  geo: suppressibleNumber.describe("geometric mean of recall and specificity"),
  iba: suppressibleNumber.describe("index of balanced accuracy (alpha 0.1), as imbalanced-learn computes it"),
  sup: suppressibleInt.describe("rows of the class; null when suppressed"),
});

export const calibrationSchema = z
  .strictObject({
    method: z.string().describe("how raw scores became probabilities: prior_shift, platt, isotonic or none"),
    brier: z.number().describe("mean squared difference between calibrated risk and outcome"),
    mean_predicted: z.number().describe("mean calibrated risk"),
    observed_rate: z.number().describe("observed positive rate of the same rows"),
    intercept: nullableNumber.describe("calibration-in-the-large: logistic intercept with logit(risk) as offset; 0 is ideal"),
    intercept_ci95: nullableInterval.describe("Wald 95% interval of the intercept"),
    slope: nullableNumber.describe("calibration slope: coefficient of logit(risk); 1 is ideal, below 1 means too extreme"),
    slope_ci95: nullableInterval.describe("Wald 95% interval of the slope"),
    ece: z.number().describe("expected calibration error over the curve's bins"),
    curve: z
      .array(
        z.strictObject({
          bin: z.number().int().describe("1 = lowest risk (adjacent bins are merged until each has min_cell positives and negatives)"),
          n: z.number().int().describe("rows in the bin"),
          mean_predicted: z.number().describe("mean calibrated risk of the bin"),
          observed: z.number().describe("observed positive rate of the bin"),
        }),
      )
      .describe("reliability curve over equal-frequency bins (deciles by default), empty bins left out"),
    raw: z
      .strictObject({
        brier: z.number().describe("Brier score of the raw scores"),
        mean_predicted: z.number().describe("mean raw score"),
        intercept: nullableNumber.describe("calibration-in-the-large of the raw scores"),
        slope: nullableNumber.describe("calibration slope of the raw scores"),
        ece: z.number().describe("expected calibration error of the raw scores"),
      })
      .describe("the same figures for the raw model scores, before calibration"),
  })
  .describe("calibration of the out-of-fold (or test-set) calibrated scores");

export const factorSchema = z.strictObject({
  feature: z.string().describe("design column, COLUMN=value for one-hot columns"),
  column: z.string().describe("feature column of the analysis table"),
  value: z.string().nullable().describe("the level (null for numeric features)"),
  reference: z.string().nullable().describe("the reference level of the factor's column (null for numeric features)"),
  coefficient: nullableNumber.describe("log odds ratio against the reference level (numeric: per sd); null when aliased"),
  std_error: nullableNumber.describe("standard error of the coefficient"),
  odds_ratio: nullableNumber.describe("exp(coefficient)"),
  ci95: nullableInterval.describe("95% interval of the odds ratio (profile likelihood unless inference.intervals is wald)"),
  count: suppressibleInt.describe("rows with this level; null when suppressed"),
  positives: suppressibleInt.describe("rows with this level and the target = 1; null when suppressed"),
  rank: z.number().int().nullable().describe("1 = strongest evidence; null when not ranked"),
  status: z
    .enum(["ranked", "below_min_cell", "aliased"])
    .describe("below_min_cell: fewer rows than report.min_cell, neither ranked nor printed"),
  suppressed: suppressedList,
});

export const variableSchema = z.strictObject({
  column: z.string().describe("feature column of the analysis table"),
  kind: z.enum(["categorical", "numeric"]).describe("how the column is encoded"),
  reference: z.string().nullable().describe("reference level of the block (categorical)"),
  reference_count: z.number().int().nullable().describe("rows at the reference level"),
  reference_rule: z
    .enum(["most_frequent", "study_file"])
    .nullable()
    .describe("how the reference level was chosen: the most frequent level or risk.factors.reference"),
  scale: nullableNumber.describe("numeric: the sd one unit of the coefficient stands for"),
  df: z.number().int().describe("degrees of freedom of the block's test (its coefficients)"),
  statistic: nullableNumber.describe("likelihood-ratio statistic of all the block's coefficients"),
  p_value: nullableNumber.describe("p-value of the likelihood-ratio test"),
  rank: z.number().int().describe("1 = smallest p-value"),
});

export const inferenceSchema = z
  .strictObject({
    method: z.enum(["firth", "mle"]).describe("Firth-penalized or plain maximum likelihood (risk.factors.method)"),
    intervals: z.enum(["profile", "wald"]).describe("how the 95% intervals were computed (risk.factors.intervals)"),
    intercept: z
      .strictObject({
        coefficient: z.number().describe("log odds at every reference level, numeric features at their mean"),
        ci95: nullableInterval.describe("95% interval of the intercept"),
        odds: z.number().describe("exp(coefficient): the odds at the reference"),
        risk: z.number().describe("the risk at the reference, odds / (1 + odds)"),
      })
      .describe("the intercept of the inference model"),
    converged: z.boolean().describe("whether the fit met its tolerance"),
    iterations: z.number().int().describe("iterations of the fit"),
    log_likelihood: z.number().describe("log-likelihood at the estimate"),
    penalized_log_likelihood: z.number().describe("log-likelihood plus Firth's penalty (equal to log_likelihood for mle)"),
    distinct_rows: z.number().int().describe("weighted distinct rows the model was fitted on"),
    rows: z.number().int().describe("rows the model was fitted on"),
    events: z.number().int().describe("rows with the target = 1"),
    non_events: z.number().int().describe("rows with the target = 0"),
    parameters: z.number().int().describe("estimated coefficients, intercept and aliased columns excluded"),
    epv: nullableNumber.describe("events per variable: min(events, non-events) / parameters"),
    aliased: z
      .array(
        z.strictObject({
          feature: z.string().describe("the aliased design column"),
          combination: z.string().describe("the columns it is a combination of"),
        }),
      )
      .describe("columns that are exact combinations of others"),
    high_vif: z
      .array(z.strictObject({ feature: z.string().describe("design column"), vif: z.number().describe("variance inflation factor") }))
      .describe("coefficients with VIF above 10"),
    variables: z.array(variableSchema).describe("one block per feature column, ranked by its likelihood-ratio test"),
  })
  .describe("the inference model behind `factors`: reference-coded, unresampled rows, Firth-penalized or plain maximum likelihood");

export const findingSchema = z.strictObject({
  by: z.string().describe("the column grouped by (risk.findings.by)"),
  value: z.string().describe("the group's value of that column"),
  count: suppressibleInt.describe("rows of the group; null when suppressed"),
  positives: suppressibleInt.describe("rows of the group with the target = 1; null when suppressed"),
  rate: suppressibleNumber.describe("positives / count"),
  ci95: interval.nullable().describe("Wilson 95% interval of the rate"),
  lift: suppressibleNumber.describe("rate / base rate"),
  p_value: suppressibleNumber.describe("Fisher's exact two-sided test of the group against all other rows"),
  q_value: suppressibleNumber.describe("p-value adjusted over every finding (Benjamini-Hochberg, or Bonferroni: see multiple_testing)"),
  statement: z.string().describe("the finding in one sentence, as the report prints it"),
  suppressed: suppressedList,
});

const calibratorSchema = z
  .discriminatedUnion("method", [
    z.strictObject({ method: z.literal("none").describe("the raw score is the risk") }),
    z.strictObject({
      method: z.literal("prior_shift").describe("odds rescaled from the resampled class balance to the real one"),
      original_rate: z.number().describe("positive rate of the real rows"),
      resampled_rate: z.number().describe("positive rate the model was trained at"),
    }),
    z.strictObject({
      method: z.literal("platt").describe("risk = sigmoid(a · logit(score) + b)"),
      a: z.number().describe("slope on the logit of the score"),
      b: z.number().describe("intercept"),
    }),
    z.strictObject({
      method: z.literal("isotonic").describe("a step function fitted by isotonic regression"),
      x: z.array(z.number()).describe("raw scores of the steps, increasing"),
      y: z.array(z.number()).describe("calibrated risk at each step"),
    }),
  ])
  .describe("the map from raw score to calibrated risk that model.json applies");

const comparisonRowSchema = z.strictObject({
  resample: z.string().describe("resampling method of this row (smote, none, class_weight, …)"),
  calibration: z.string().describe("calibration method of this row"),
  chosen: z.boolean().describe("the study's own setting"),
  roc_auc: z
    .strictObject({ mean: z.number().describe("mean over the splits"), sd: z.number().describe("sd over the splits") })
    .describe("ROC AUC"),
  pr_auc: z
    .strictObject({ mean: z.number().describe("mean over the splits"), sd: z.number().describe("sd over the splits") })
    .describe("area under the precision-recall curve (average precision)"),
  balanced_accuracy: z
    .strictObject({ mean: z.number().describe("mean over the splits"), sd: z.number().describe("sd over the splits") })
    .nullable()
    .describe("null on the chosen row when metrics.balanced_accuracy is suppressed"),
  brier: z.number().describe("Brier score of the calibrated risk"),
  mean_predicted: z.number().describe("mean calibrated risk"),
  calibration_intercept: nullableNumber.describe("calibration-in-the-large of the calibrated risk"),
  calibration_slope: nullableNumber.describe("calibration slope of the calibrated risk"),
  ece: z.number().describe("expected calibration error of the calibrated risk"),
  raw_brier: z.number().describe("Brier score of the raw scores"),
  raw_mean_predicted: z.number().describe("mean raw score"),
  raw_calibration_slope: nullableNumber.describe("calibration slope of the raw scores"),
});

const periodRateSchema = z.strictObject({
  period: z.string().describe("the period, e.g. 2021-Q3"),
  rows: suppressibleInt.describe("rows dated in the period; null when suppressed"),
  positives: suppressibleInt.describe("of those, rows with the target = 1"),
  rate: suppressibleNumber.describe("positives / rows"),
  compared: z.boolean().describe("false: too few rows to compare"),
  suppressed: suppressedList,
});

export const labelInfoSchema = z
  .strictObject({
    censor_before: z.string().nullable().describe("risk.label.censor_before, or null"),
    censor_after: z.string().nullable().describe("risk.label.censor_after, or null"),
    censored_before: suppressibleInt.describe("rows left out for being dated before censor_before"),
    censored_after: suppressibleInt.describe("rows left out for being dated after censor_after"),
    undated: suppressibleInt.describe("rows without a date: kept, their label window unknown"),
    drift: z
      .strictObject({
        period: z.string().describe("the period of the table: month, quarter or year"),
        periods: z.array(periodRateSchema).describe("positive rate of each period, in time order"),
        first: periodRateSchema.nullable().describe("the first compared period"),
        last: periodRateSchema.nullable().describe("the last compared period"),
        highest: periodRateSchema.nullable().describe("the compared period with the highest rate"),
        lowest: periodRateSchema.nullable().describe("the compared period with the lowest rate"),
        ratio: nullableNumber.describe("highest rate / lowest rate"),
        statistic: nullableNumber.describe("chi-squared statistic"),
        df: z.number().int().describe("degrees of freedom of the test"),
        p_value: nullableNumber.describe("chi-squared test of equal rates across compared periods"),
        drifts: z.boolean().describe("whether the warning was raised: ratio at least risk.label.drift.ratio and p_value below its alpha"),
      })
      .nullable()
      .describe("positive rate by period of risk.date; null without a date"),
    checks: z
      .array(
        z.strictObject({
          name: z.string().describe("the check's name (risk.label.checks)"),
          where: z.string().describe("its SQL condition"),
          rows: suppressibleInt.describe("rows matching it"),
          positives: suppressibleInt.describe("of those, rows with the target = 1"),
          negatives: suppressibleInt.describe("of those, rows with the target = 0"),
          suppressed: suppressedList,
        }),
      )
      .describe("risk.label.checks: rows matching each condition, by class"),
    suppressed: suppressedList,
  })
  .describe("how the label was constructed and checked");

export const riskResultsSchema = z.strictObject({
  study: z.literal("risk").describe("the kind of study"),
  ...commonShape,
  target: z.string().describe("the target column (risk.target)"),
  eligibility: z
    .strictObject({
      table: z.string().describe("the analysis table"),
      steps: z
        .array(z.strictObject({ name: z.string().describe("step name"), sql: z.string().describe("the SQL that ran") }))
        .describe("the prepare SQL that selects and labels the rows"),
    })
    .describe("which records are in the study"),
  label: labelInfoSchema,
  validation: z
    .strictObject({
      method: z.string().describe("stratified_kfold, holdout or temporal"),
      folds: z.number().int().describe("validation splits (1 for holdout and temporal)"),
      resample: z.string().describe("resampling applied inside the training rows"),
      calibration: z.string().describe("calibration method fitted inside the training rows"),
      inner_folds: z.number().int().optional().describe("platt / isotonic: inner folds of the training rows"),
      test_rows: z.number().int().optional().describe("single split: rows in the test set"),
      train_rows: z.number().int().optional().describe("single split: rows in the training set"),
      undated: z.number().int().optional().describe("temporal: rows without a date, in neither set"),
      cut: z.string().optional().describe("temporal validation: first timestamp of the test period"),
    })
    .describe("how the metrics were estimated"),
  threshold: z.number().describe("decision threshold on the calibrated risk (model.json's)"),
  threshold_rule: z
    .strictObject({
      method: z.enum(["fixed", "top_share", "cost"]).describe("risk.threshold's method"),
      value: z.number().optional().describe("fixed: the threshold given"),
      share: z.number().optional().describe("top_share: the share of rows flagged"),
      cost_ratio: z.number().optional().describe("a missed positive's cost in false alarms"),
      balanced: z.boolean().optional().describe("cost ratio = negatives / positives"),
      folds: z.array(z.number()).describe("the threshold each validation split used"),
      reason: z.string().describe("the rule in words"),
    })
    .describe("how the threshold was chosen"),
  model: z
    .strictObject({
      type: z.string().describe("model type (logistic_regression)"),
      C: z.number().describe("inverse L2 regularisation strength (risk.model.C)"),
      converged: z.boolean().optional().describe("whether L-BFGS met its tolerance"),
      role: z.literal("scoring").describe("the model model.json and openbeat score apply"),
      resample: z.string().describe("resampling applied to the rows it was trained on"),
      resampled_rate: z.number().describe("positive rate the scoring model was trained at"),
      intercept: z.number().describe("raw intercept of the scoring model (before calibration)"),
      calibration: calibratorSchema,
      coefficients: z
        .array(
          z.strictObject({
            feature: z.string().describe("design column"),
            coefficient: z.number().describe("its coefficient (log odds per unit of the encoded column)"),
          }),
        )
        .describe("every coefficient of the scoring model"),
    })
    .describe("the scoring model: L2 logistic regression on the (resampled) rows, then the calibration map"),
  metrics: z
    .strictObject({
      balanced_accuracy: thresholdMetric,
      precision: thresholdMetric,
      recall: thresholdMetric,
      f1: thresholdMetric,
      roc_auc: meanSdSchema.describe("area under the ROC curve"),
      pr_auc: meanSdSchema.describe("area under the precision-recall curve (average precision)"),
      confusion_matrix: z
        .tuple([z.tuple([suppressibleNumber, suppressibleNumber]), z.tuple([suppressibleNumber, suppressibleNumber])])
        .describe("[[tn, fp], [fn, tp]]; a cell is null when suppressed"),
      classification_report: z
        .strictObject({
          "0": classReportSchema.describe("class 0 (target = 0)"),
          "1": classReportSchema.describe("class 1 (target = 1)"),
          avg: classReportSchema.describe("support-weighted average of the two classes"),
        })
        .describe("imbalanced-learn's classification_report_imbalanced at the threshold, summed over the splits"),
      calibration: calibrationSchema,
      brier_ci95: interval.optional().describe("single split: bootstrap 95% interval of the Brier score"),
      suppressed: suppressedList,
    })
    .describe("validation metrics: threshold metrics, ranking metrics, confusion matrix and calibration"),
  resampling_comparison: z
    .array(comparisonRowSchema)
    .describe("the same splits with the chosen resampler, with none and with class weights"),
  curves: z
    .strictObject({
      roc: z
        .strictObject({
          fpr: z.array(z.number()).describe("false positive rates"),
          tpr: z.array(z.number()).describe("true positive rates"),
        })
        .describe("ROC curve"),
      pr: z
        .strictObject({
          recall: z.array(z.number()).describe("recall values"),
          precision: z.array(z.number()).describe("precision at each recall"),
        })
        .describe("precision-recall curve"),
      top_share: z
        .array(
          z.strictObject({
            share: z.number().describe("share of rows flagged"),
            threshold: z.number().describe("the calibrated risk that flags that share"),
            recall: z.number().describe("share of positives flagged"),
            precision: z.number().describe("share of flagged rows that are positive"),
          }),
        )
        .describe("flag the top `share` of rows by score: catch `recall` of positives at `precision`"),
    })
    .describe(
      "out-of-fold curves for charts, thinned to at most a few hundred points; only points whose counts are 0 or at least min_cell apart are kept",
    ),
  inference: inferenceSchema,
  factors: z
    .array(factorSchema)
    .describe("inference-model coefficients, ordered by evidence: variables by LR test, levels by the bound nearest 1"),
  findings: z.array(findingSchema).describe("positive rates of groups (risk.findings.by) against the base rate"),
  multiple_testing: z
    .strictObject({
      test: z.literal("fisher_exact").describe("the test of each group against the other rows"),
      adjust: z.enum(["bh", "bonferroni"]).describe("the adjustment over all findings (risk.findings.adjust)"),
      tested: z.number().int().describe("findings tested (every group with at least findings.min_count rows)"),
      alpha: z.number().describe("level the q-values are compared with (risk.findings.alpha)"),
      significant: z.number().int().describe("findings with q_value below alpha"),
      significant_above: z.number().int().describe("of those, above the base rate"),
    })
    .describe("how the findings' p-values were adjusted"),
  base_rate: z.number().describe("positive rate of all analysed rows"),
});

const spreadSchema = z
  .strictObject({
    min: z.number().describe("smallest value"),
    max: z.number().describe("largest value"),
    sd: z.number().describe("sample standard deviation"),
  })
  .describe("smallest, largest and sample standard deviation over the seeds of k_choice");

export const stabilitySchema = z
  .strictObject({
    method: z.enum(["subsample", "bootstrap"]).describe("how the rows are resampled"),
    fraction: z.number().describe("share of the rows in each resample (1 for the bootstrap)"),
    draws: z.number().int().describe("resamples"),
    mean: z.number().describe("mean adjusted Rand index of the resample partitions against the full-data partition, over all rows"),
    sd: z.number().nullable().describe("sample standard deviation of the adjusted Rand indices (null with one draw)"),
  })
  .describe("stability of this k under resampling: 1 = the same partition every time, 0 = chance agreement");

export const kSelectionRowSchema = z.strictObject({
  k: z.number().int().describe("number of clusters"),
  inertia: z.number().optional().describe("k-means: within-cluster sum of squares of the best start"),
  silhouette: z.number().optional().describe("k-means: mean silhouette (sampled above segments.silhouette_sample rows)"),
  calinski_harabasz: z.number().optional().describe("k-means: Calinski-Harabasz index"),
  davies_bouldin: z.number().optional().describe("k-means: Davies-Bouldin index"),
  log_likelihood: z.number().optional().describe("lca: log-likelihood of the best start"),
  bic: z.number().optional().describe("lca: Bayesian information criterion, −2 logL + parameters · log n"),
  aic: z.number().optional().describe("lca: Akaike information criterion, −2 logL + 2 parameters"),
  sabic: z.number().optional().describe("lca: sample-size adjusted BIC (Sclove 1987)"),
  entropy: z.number().nullable().optional().describe("lca: relative entropy of the posterior, 1 = classes perfectly separated"),
  n_parameters: z.number().int().optional().describe("lca: free parameters"),
  converged: z.boolean().optional().describe("lca: whether EM of the best start met the tolerance within max_iter"),
  iterations: z.number().int().optional().describe("lca: EM iterations of the best start"),
  stability: stabilitySchema.nullable().describe("null when segments.stability_resamples is 0"),
  starts: z
    .strictObject({
      used: z.number().int().describe("random starts run"),
      repeated: z.boolean().describe("whether at least two starts reached the best solution (else more starts may still improve it)"),
      best_count: z.number().int().describe("starts that reached the best solution"),
    })
    .optional()
    .describe("random starts of the clustering at this k"),
  spread: z
    .record(z.string(), spreadSchema)
    .optional()
    .describe("each criterion's spread over the seeds of k_choice (absent with one seed)"),
});

export const profileRowSchema = z.strictObject({
  feature: z.string().describe("COLUMN=value for a level, or a numeric column"),
  cluster_mean: suppressibleNumber.describe(
    "share of the cluster with this level (lca: class-conditional response probability), or the mean; null when suppressed",
  ),
  overall_mean: suppressibleNumber.describe("the same over all rows"),
  lift: suppressibleNumber.describe("cluster_mean / overall_mean"),
  count: suppressibleInt.optional().describe("rows of the cluster with this level, or with a value of this numeric column"),
  evidence: z
    .number()
    .nullable()
    .optional()
    .describe(
      "z of the cluster against the other rows (two-proportion z for a level, Welch z for a numeric column); profiles are ranked by |evidence|; null when count is below report.min_cell (not ranked)",
    ),
  quartiles: z.tuple([z.number(), z.number(), z.number()]).optional().describe("numeric: 25th, 50th and 75th percentile in the cluster"),
  overall_quartiles: z.tuple([z.number(), z.number(), z.number()]).optional().describe("numeric: the same over all rows"),
  suppressed: suppressedList,
});

export const clusterSchema = z.strictObject({
  id: z.number().int().describe("cluster number, as _cluster in prepared.parquet"),
  label: z.string().describe("a short name made from its most distinctive profile rows"),
  size: suppressibleInt.describe("rows in the cluster; null when suppressed"),
  share: suppressibleNumber.describe("size / all rows"),
  profile: z.array(profileRowSchema).describe("features of the cluster against all rows, most distinctive first"),
  top_values: z
    .record(
      z.string(),
      z.array(
        z.strictObject({
          value: z.string().describe("a value of the column"),
          count: suppressibleInt.describe("rows of the cluster with it"),
          share: suppressibleNumber.describe("count / cluster size"),
          suppressed: suppressedList,
        }),
      ),
    )
    .describe("most common values per segments.describe column"),
  distribution: z
    .strictObject({
      column: z.string().describe("segments.distribution"),
      mean: z.number().describe("mean in the cluster"),
      quartiles: z.tuple([z.number(), z.number(), z.number()]).describe("25th, 50th and 75th percentile in the cluster"),
      histogram: z
        .array(
          z.strictObject({
            bin: z.string().describe("the bin's range"),
            count: suppressibleInt.describe("rows of the cluster in it"),
            suppressed: suppressedList,
          }),
        )
        .describe("histogram over bins shared by all clusters"),
    })
    .optional()
    .describe("a numeric column (segments.distribution) summarized in the cluster"),
  class_share: z.number().optional().describe("lca: the model's class share (size and share count rows by their modal class)"),
  mean_probability: z.number().optional().describe("lca: mean posterior probability of the class over the rows assigned to it"),
  suppressed: suppressedList,
});

export const pcaPointSchema = z.strictObject({
  pc1: z.number().describe("score on the first principal component"),
  pc2: z.number().describe("score on the second principal component"),
  cluster: z.number().int().describe("the row's cluster"),
});

export const pcaDensitySchema = z
  .strictObject({
    bins: z.number().int().describe("cells per axis"),
    pc1: interval.describe("range of the first component the grid covers"),
    pc2: interval.describe("range of the second component the grid covers"),
    cells: z
      .array(
        z.strictObject({
          cluster: z.number().int().describe("cluster counted in the cell"),
          i: z.number().int().describe("cell along pc1, 0 = lowest"),
          j: z.number().int().describe("cell along pc2, 0 = lowest"),
          count: suppressibleInt.describe("rows of the cluster in the cell; null when suppressed"),
          suppressed: suppressedList,
        }),
      )
      .describe("non-empty cells only; a cell below min_cell is null"),
  })
  .describe("rows on the first two principal components counted on a coarse grid per cluster (the public form of pca_sample)");

export const nullRowSchema = z.strictObject({
  k: z.number().int().describe("number of clusters"),
  observed: z.number().describe("silhouette of the data under the reference clustering settings"),
  null_mean: z.number().describe("mean silhouette over the reference draws"),
  null_sd: z.number().describe("sd of the silhouette over the reference draws"),
  null_quantiles: z.tuple([z.number(), z.number(), z.number()]).describe("5%, 50% and 95% quantiles of the reference silhouettes"),
  excess: z.number().describe("observed − null_mean"),
  z: z.number().nullable().describe("excess / null_sd (null when the reference does not vary)"),
  gap: z.number().describe("gap statistic: mean log W of the references − log W of the data"),
  gap_sd: z.number().describe("s_k = sd of log W over the references · √(1 + 1/draws)"),
});

export const structureSchema = z
  .strictObject({
    null: z
      .strictObject({
        method: z
          .enum(["permuted", "uniform"])
          .describe("permuted: each variable shuffled independently; uniform: the gap statistic's box"),
        draws: z.number().int().describe("reference data sets"),
        clustering: z.string().describe("the clustering run on the data and on every draw"),
        n_init: z.number().int().describe("starts of every reference clustering"),
        silhouette_sample: z.number().int().describe("rows the silhouette is computed on"),
        per_k: z.array(nullRowSchema).describe("the data against the references, per k"),
        gap_k: z.number().int().describe("the gap statistic's choice (Tibshirani et al. 2001); 1 = no k beats the reference"),
      })
      .describe("the reference data and how they were clustered"),
    verdict: z.enum(["no structure beyond chance", "weak", "clear"]).describe("the conclusion"),
    k: z.number().int().describe("the k the verdict rests on"),
    excess: z.number().describe("observed − null_mean at k"),
    z: z.number().nullable().describe("excess / null_sd at k"),
    rule: z.string().describe("the rule behind the verdict"),
    summary: z.string().describe("the verdict in plain words"),
  })
  .describe("cluster structure tested against reference data without structure");

export const varianceShareSchema = z.strictObject({
  variable: z.string().describe("feature column (numeric, or all levels of a category)"),
  columns: z.number().int().describe("design columns of the variable"),
  area_level: z.boolean().describe("a value of the area (demographics joined by area), the same for every row of an area"),
  weight: z.number().describe("relative weight from segments.weights (1 = an equal share)"),
  multiplier: z.number().describe("factor applied to the variable's encoded columns before clustering"),
  share: z.number().describe("share of the total variance the clustering sees"),
  separation: z.number().nullable().describe("share of the between-cluster sum of squares of the final partition"),
});

export const lcaFitSchema = z.strictObject({
  k: z.number().int().describe("number of classes"),
  log_likelihood: z.number().describe("log-likelihood of the best start"),
  bic: z.number().describe("Bayesian information criterion"),
  aic: z.number().describe("Akaike information criterion"),
  sabic: z.number().describe("sample-size adjusted BIC"),
  entropy: z.number().nullable().describe("null for one class"),
  n_parameters: z.number().int().describe("free parameters"),
  converged: z.boolean().describe("whether EM of the best start met the tolerance"),
  iterations: z.number().int().describe("EM iterations of the best start"),
  starts: z.number().int().describe("random starts run"),
  best_count: z.number().int().describe("starts within 100 × tol of the best log-likelihood"),
});

export const segmentsResultsSchema = z.strictObject({
  study: z.literal("segments").describe("the kind of study"),
  ...commonShape,
  method: z.string().describe("the method of the final labels: kmeans, kprototypes or lca (segments.method)"),
  k_selection: z.array(kSelectionRowSchema).describe("the criteria of each k tried"),
  k: z.number().int().describe("the chosen number of clusters"),
  k_rule: z.string().describe("how k was chosen, in words"),
  k_choice: z
    .strictObject({
      k: z.number().int().describe("the chosen k"),
      rule: z.string().describe("the rule that chose it"),
      seeds: z
        .array(z.strictObject({ seed: z.number().int().describe("the seed"), k: z.number().int().describe("the k its choice picks") }))
        .describe("the k each seed's whole choice picks"),
      agreement: z.number().describe("share of the seeds that pick k"),
      unanimous: z.boolean().describe("whether every seed picks k"),
    })
    .describe("the choice of k and its agreement across seeds"),
  structure: structureSchema.optional().describe("absent when segments.structure is false or the data are too small"),
  weights: z.enum(["variables", "levels", "custom"]).describe("segments.weights: how variables were weighted"),
  scaling: z.string().describe("the weighting in words"),
  variance_shares: z.array(varianceShareSchema).describe("each variable's share of the variance the clustering sees"),
  pca: z
    .strictObject({
      components: z.number().int().describe("principal components kept"),
      explained_variance_ratio: z.array(z.number()).describe("share of the variance each component explains"),
    })
    .nullable()
    .describe("the PCA before clustering; null without (segments.pca)"),
  clusters: z.array(clusterSchema).describe("the clusters at k, with their profiles"),
  stability: z
    .strictObject({
      method: z.string().describe("how the rows were resampled"),
      resamples: z.number().int().describe("resamples (segments.stability_resamples)"),
      mean_ari: z.number().nullable().describe("null when resamples is 0"),
      sd: z.number().nullable().optional().describe("sd of the adjusted Rand indices"),
    })
    .describe("stability of the chosen partition under resampling"),
  comparison: z
    .array(
      z.strictObject({
        method: z.string().describe("the clustering method"),
        k: z.number().int().describe("its number of clusters"),
        silhouette: z.number().describe("mean silhouette"),
        calinski_harabasz: z.number().describe("Calinski-Harabasz index"),
        davies_bouldin: z.number().describe("Davies-Bouldin index"),
        agreement: z.number().optional().describe("adjusted Rand index with the partition of the study's method"),
      }),
    )
    .optional()
    .describe("the other clustering methods on the same rows and criteria (segments.compare_methods)"),
  lca: z
    .strictObject({
      k: z.number().int().describe("number of classes the criterion chooses"),
      criterion: z.enum(["bic", "aic", "sabic"]).describe("the criterion that chooses k (segments.lca.criterion)"),
      rule: z.string().describe("the choice in words"),
      indicators: z.array(z.string()).describe("the categorical columns the classes are fitted on"),
      settings: z
        .strictObject({
          starts: z.number().int().describe("random starts per k"),
          max_iter: z.number().int().describe("EM iterations at most"),
          tol: z.number().describe("absolute, = lca.tol × rows"),
        })
        .describe("EM settings"),
      fits: z.array(lcaFitSchema).describe("one per number of classes, from 1 (independent indicators)"),
      classes: z.array(clusterSchema).optional().describe("the classes at k when LCA is compared (with method: lca they are `clusters`)"),
    })
    .optional()
    .describe("latent class analysis (method: lca, or compared)"),
  areas: z
    .strictObject({
      column: z.string().describe("segments.areas.column"),
      matched: z.number().int().describe("area names matched to a boundary"),
      unmatched: z
        .array(
          z.strictObject({
            name: z.string().describe("an area name with no boundary"),
            rows: suppressibleInt.describe("rows with that name"),
            suppressed: suppressedList,
          }),
        )
        .describe("names that match no area"),
      file: z.string().describe("the GeoJSON file in the results folder (areas.geojson)"),
    })
    .optional()
    .describe("the map of cluster shares per area (segments.areas)"),
  pca_sample: z
    .array(pcaPointSchema)
    .optional()
    .describe("up to 2,000 rows on the first two principal components; row-level, so a disclosed results.json has pca_density instead"),
  pca_density: pcaDensitySchema.optional(),
});

/** results.json of any study kind. */
export const resultsSchema = z.discriminatedUnion("study", [riskResultsSchema, segmentsResultsSchema]);

/** manifest.json: how a results folder was made (inputs, study file, versions, seed, timings). */
export const manifestSchema = z.strictObject({
  openbeat: z.string().describe("openbeat version that wrote the folder"),
  study_file: z.string().describe("study file path as given"),
  study_text: z.string().describe("the study file's exact text"),
  inputs: z.array(inputInfoSchema),
  source_columns: z
    .record(z.string(), z.record(z.string(), z.string()))
    .optional()
    .describe(
      "each source's columns as loaded, with their DuckDB types, by source name: `openbeat score --raw` reads a new CSV export of a source with these types, so the prepare SQL sees what it saw in the run; absent in older folders",
    ),
  portals: z.record(z.string(), z.unknown()).optional().describe("fetch metadata of portal sources, by source name"),
  seed: z.number().int(),
  min_cell: z.number().int().describe("disclosure threshold the run applied"),
  disclosure: z
    .strictObject({
      min_cell: z.number().int(),
      dashboard: z.strictObject({ perturb: z.boolean(), max_filters: z.number().int() }),
      points: z.union([z.literal(false), z.strictObject({ grid_m: z.number().int() })]),
      row_level: z.boolean(),
    })
    .optional()
    .describe("the disclosure policy the run applied and `openbeat serve` applies (docs/disclosure.md); absent in older folders"),
  files: z
    .strictObject({
      public: z.array(z.string()).describe("files safe to publish: aggregates passed through the disclosure policy"),
      private: z.array(z.string()).describe("row-level files (prepared and design tables, the model, scores): never publish"),
    })
    .optional()
    .describe("which files of the folder are public and which private (openbeat publish copies the public ones); absent in older folders"),
  versions: z.record(z.string(), z.string()).describe("versions of openbeat, Node.js and the engines used"),
  started_at: z.string().describe("ISO time the run started"),
  timings: z.record(z.string(), z.number()).describe("seconds per phase"),
});
