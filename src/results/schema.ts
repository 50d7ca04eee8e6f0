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
        sha256: z.string(),
        rows: z.number().int().describe("rows loaded from this file"),
        added: z.array(z.string()).describe("columns this file has that the file before it lacks"),
        missing: z.array(z.string()).describe("columns the file before it has that this file lacks (NULL for its rows)"),
        renamed: z
          .array(z.strictObject({ from: z.string(), to: z.string() }))
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
  inputs: z.array(inputInfoSchema),
  date_range: z
    .strictObject({ column: z.string(), min: z.string().nullable(), max: z.string().nullable() })
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
    .array(z.strictObject({ column: z.string(), label: z.string(), kind: dimensionKind }))
    .describe("dimensions to filter and group by; kind says how to order and label values"),
  target: z.string().optional().describe("binary target column (risk) whose rate follows the filters"),
  time: z.string().optional().describe("timestamp column for time views"),
  numeric: z
    .array(z.strictObject({ column: z.string(), label: z.string() }))
    .optional()
    .describe("numeric columns the dashboard draws as histograms and filters by range (bins are chosen by the server from the data)"),
  points: z.strictObject({ lat: z.string(), lon: z.string() }).optional().describe("point coordinates for an incident map"),
  areas: z
    .strictObject({ file: z.string(), name_property: z.string(), column: z.string() })
    .optional()
    .describe("area map: GeoJSON file in the results folder, its name property, and the table column it joins"),
});

const commonShape = {
  name: z.string(),
  description: z.string().optional(),
  synthetic: z.boolean().optional().describe("true when the run used generated data (the demo)"),
  seed: z.number().int(),
  warnings: z.array(warningSchema),
  data: dataInfoSchema,
  dashboard: dashboardInfoSchema,
};

const nullableNumber = z.number().nullable();
const nullableInterval = z.tuple([nullableNumber, nullableNumber]).describe("[lower, upper] bounds; null where a bound does not exist");

export const meanSdSchema = z.strictObject({
  mean: z.number(),
  sd: z.number(),
  folds: z.array(z.number()).describe("value in each validation split"),
  ci95: interval.optional().describe("single split (holdout, temporal): percentile bootstrap 95% interval over resamples of the test set"),
});

/** A metric at the decision threshold: null when a hidden confusion-matrix cell would follow from it. */
const thresholdMetric = meanSdSchema
  .nullable()
  .describe("at the decision threshold; null when disclosure control hid a confusion-matrix cell that it would reveal");

export const classReportSchema = z.strictObject({
  pre: suppressibleNumber,
  rec: suppressibleNumber,
  spe: suppressibleNumber,
  f1: suppressibleNumber,
  geo: suppressibleNumber,
  iba: suppressibleNumber,
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
          mean_predicted: z.number(),
          observed: z.number(),
        }),
      )
      .describe("reliability curve over equal-frequency bins (deciles by default), empty bins left out"),
    raw: z
      .strictObject({
        brier: z.number(),
        mean_predicted: z.number(),
        intercept: nullableNumber,
        slope: nullableNumber,
        ece: z.number(),
      })
      .describe("the same figures for the raw model scores, before calibration"),
  })
  .describe("calibration of the out-of-fold (or test-set) calibrated scores");

export const factorSchema = z.strictObject({
  feature: z.string().describe("design column, COLUMN=value for one-hot columns"),
  column: z.string(),
  value: z.string().nullable(),
  reference: z.string().nullable().describe("the reference level of the factor's column (null for numeric features)"),
  coefficient: nullableNumber.describe("log odds ratio against the reference level (numeric: per sd); null when aliased"),
  std_error: nullableNumber,
  odds_ratio: nullableNumber,
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
  column: z.string(),
  kind: z.enum(["categorical", "numeric"]),
  reference: z.string().nullable().describe("reference level of the block (categorical)"),
  reference_count: z.number().int().nullable(),
  reference_rule: z.enum(["most_frequent", "study_file"]).nullable(),
  scale: nullableNumber.describe("numeric: the sd one unit of the coefficient stands for"),
  df: z.number().int(),
  statistic: nullableNumber.describe("likelihood-ratio statistic of all the block's coefficients"),
  p_value: nullableNumber,
  rank: z.number().int().describe("1 = smallest p-value"),
});

export const inferenceSchema = z
  .strictObject({
    method: z.enum(["firth", "mle"]),
    intervals: z.enum(["profile", "wald"]),
    intercept: z.strictObject({
      coefficient: z.number().describe("log odds at every reference level, numeric features at their mean"),
      ci95: nullableInterval,
      odds: z.number(),
      risk: z.number(),
    }),
    converged: z.boolean(),
    iterations: z.number().int(),
    log_likelihood: z.number(),
    penalized_log_likelihood: z.number(),
    distinct_rows: z.number().int().describe("weighted distinct rows the model was fitted on"),
    rows: z.number().int(),
    events: z.number().int(),
    non_events: z.number().int(),
    parameters: z.number().int().describe("estimated coefficients, intercept and aliased columns excluded"),
    epv: nullableNumber.describe("events per variable: min(events, non-events) / parameters"),
    aliased: z
      .array(z.strictObject({ feature: z.string(), combination: z.string() }))
      .describe("columns that are exact combinations of others"),
    high_vif: z.array(z.strictObject({ feature: z.string(), vif: z.number() })).describe("coefficients with VIF above 10"),
    variables: z.array(variableSchema).describe("one block per feature column, ranked by its likelihood-ratio test"),
  })
  .describe("the inference model behind `factors`: reference-coded, unresampled rows, Firth-penalized or plain maximum likelihood");

export const findingSchema = z.strictObject({
  by: z.string(),
  value: z.string(),
  count: suppressibleInt,
  positives: suppressibleInt,
  rate: suppressibleNumber,
  ci95: interval.nullable().describe("Wilson 95% interval of the rate"),
  lift: suppressibleNumber.describe("rate / base rate"),
  p_value: suppressibleNumber.describe("Fisher's exact two-sided test of the group against all other rows"),
  q_value: suppressibleNumber.describe("p-value adjusted over every finding (Benjamini-Hochberg, or Bonferroni: see multiple_testing)"),
  statement: z.string(),
  suppressed: suppressedList,
});

const calibratorSchema = z
  .discriminatedUnion("method", [
    z.strictObject({ method: z.literal("none") }),
    z.strictObject({ method: z.literal("prior_shift"), original_rate: z.number(), resampled_rate: z.number() }),
    z.strictObject({ method: z.literal("platt"), a: z.number(), b: z.number() }),
    z.strictObject({ method: z.literal("isotonic"), x: z.array(z.number()), y: z.array(z.number()) }),
  ])
  .describe("the map from raw score to calibrated risk that model.json applies");

const comparisonRowSchema = z.strictObject({
  resample: z.string(),
  calibration: z.string(),
  chosen: z.boolean().describe("the study's own setting"),
  roc_auc: z.strictObject({ mean: z.number(), sd: z.number() }),
  pr_auc: z.strictObject({ mean: z.number(), sd: z.number() }),
  balanced_accuracy: z
    .strictObject({ mean: z.number(), sd: z.number() })
    .nullable()
    .describe("null on the chosen row when metrics.balanced_accuracy is suppressed"),
  brier: z.number(),
  mean_predicted: z.number(),
  calibration_intercept: nullableNumber,
  calibration_slope: nullableNumber,
  ece: z.number(),
  raw_brier: z.number(),
  raw_mean_predicted: z.number(),
  raw_calibration_slope: nullableNumber,
});

const periodRateSchema = z.strictObject({
  period: z.string(),
  rows: suppressibleInt,
  positives: suppressibleInt,
  rate: suppressibleNumber,
  compared: z.boolean().describe("false: too few rows to compare"),
  suppressed: suppressedList,
});

export const labelInfoSchema = z
  .strictObject({
    censor_before: z.string().nullable(),
    censor_after: z.string().nullable(),
    censored_before: suppressibleInt,
    censored_after: suppressibleInt,
    undated: suppressibleInt.describe("rows without a date: kept, their label window unknown"),
    drift: z
      .strictObject({
        period: z.string(),
        periods: z.array(periodRateSchema),
        first: periodRateSchema.nullable(),
        last: periodRateSchema.nullable(),
        highest: periodRateSchema.nullable(),
        lowest: periodRateSchema.nullable(),
        ratio: nullableNumber,
        statistic: nullableNumber,
        df: z.number().int(),
        p_value: nullableNumber.describe("chi-squared test of equal rates across compared periods"),
        drifts: z.boolean(),
      })
      .nullable()
      .describe("positive rate by period of risk.date; null without a date"),
    checks: z.array(
      z.strictObject({
        name: z.string(),
        where: z.string(),
        rows: suppressibleInt,
        positives: suppressibleInt,
        negatives: suppressibleInt,
        suppressed: suppressedList,
      }),
    ),
    suppressed: suppressedList,
  })
  .describe("how the label was constructed and checked");

export const riskResultsSchema = z.strictObject({
  study: z.literal("risk"),
  ...commonShape,
  target: z.string(),
  eligibility: z
    .strictObject({
      table: z.string().describe("the analysis table"),
      steps: z.array(z.strictObject({ name: z.string(), sql: z.string() })).describe("the prepare SQL that selects and labels the rows"),
    })
    .describe("which records are in the study"),
  label: labelInfoSchema,
  validation: z.strictObject({
    method: z.string(),
    folds: z.number().int(),
    resample: z.string(),
    calibration: z.string().describe("calibration method fitted inside the training rows"),
    inner_folds: z.number().int().optional().describe("platt / isotonic: inner folds of the training rows"),
    test_rows: z.number().int().optional(),
    train_rows: z.number().int().optional(),
    undated: z.number().int().optional().describe("temporal: rows without a date, in neither set"),
    cut: z.string().optional().describe("temporal validation: first timestamp of the test period"),
  }),
  threshold: z.number().describe("decision threshold on the calibrated risk (model.json's)"),
  threshold_rule: z.strictObject({
    method: z.enum(["fixed", "top_share", "cost"]),
    value: z.number().optional(),
    share: z.number().optional(),
    cost_ratio: z.number().optional().describe("a missed positive's cost in false alarms"),
    balanced: z.boolean().optional().describe("cost ratio = negatives / positives"),
    folds: z.array(z.number()).describe("the threshold each validation split used"),
    reason: z.string(),
  }),
  model: z
    .strictObject({
      type: z.string(),
      C: z.number(),
      converged: z.boolean().optional(),
      role: z.literal("scoring").describe("the model model.json and openbeat score apply"),
      resample: z.string(),
      resampled_rate: z.number().describe("positive rate the scoring model was trained at"),
      intercept: z.number().describe("raw intercept of the scoring model (before calibration)"),
      calibration: calibratorSchema,
      coefficients: z
        .array(z.strictObject({ feature: z.string(), coefficient: z.number() }))
        .describe("every coefficient of the scoring model"),
    })
    .describe("the scoring model: L2 logistic regression on the (resampled) rows, then the calibration map"),
  metrics: z.strictObject({
    balanced_accuracy: thresholdMetric,
    precision: thresholdMetric,
    recall: thresholdMetric,
    f1: thresholdMetric,
    roc_auc: meanSdSchema,
    pr_auc: meanSdSchema,
    confusion_matrix: z
      .tuple([z.tuple([suppressibleNumber, suppressibleNumber]), z.tuple([suppressibleNumber, suppressibleNumber])])
      .describe("[[tn, fp], [fn, tp]]; a cell is null when suppressed"),
    classification_report: z.strictObject({ "0": classReportSchema, "1": classReportSchema, avg: classReportSchema }),
    calibration: calibrationSchema,
    brier_ci95: interval.optional().describe("single split: bootstrap 95% interval of the Brier score"),
    suppressed: suppressedList,
  }),
  resampling_comparison: z
    .array(comparisonRowSchema)
    .describe("the same splits with the chosen resampler, with none and with class weights"),
  curves: z
    .strictObject({
      roc: z.strictObject({ fpr: z.array(z.number()), tpr: z.array(z.number()) }),
      pr: z.strictObject({ recall: z.array(z.number()), precision: z.array(z.number()) }),
      top_share: z
        .array(z.strictObject({ share: z.number(), threshold: z.number(), recall: z.number(), precision: z.number() }))
        .describe("flag the top `share` of rows by score: catch `recall` of positives at `precision`"),
    })
    .describe(
      "out-of-fold curves for charts, thinned to at most a few hundred points; only points whose counts are 0 or at least min_cell apart are kept",
    ),
  inference: inferenceSchema,
  factors: z
    .array(factorSchema)
    .describe("inference-model coefficients, ordered by evidence: variables by LR test, levels by the bound nearest 1"),
  findings: z.array(findingSchema),
  multiple_testing: z
    .strictObject({
      test: z.literal("fisher_exact"),
      adjust: z.enum(["bh", "bonferroni"]),
      tested: z.number().int().describe("findings tested (every group with at least findings.min_count rows)"),
      alpha: z.number(),
      significant: z.number().int().describe("findings with q_value below alpha"),
      significant_above: z.number().int().describe("of those, above the base rate"),
    })
    .describe("how the findings' p-values were adjusted"),
  base_rate: z.number(),
});

const spreadSchema = z
  .strictObject({ min: z.number(), max: z.number(), sd: z.number() })
  .describe("smallest, largest and sample standard deviation over the seeds of k_choice");

export const stabilitySchema = z
  .strictObject({
    method: z.enum(["subsample", "bootstrap"]),
    fraction: z.number().describe("share of the rows in each resample (1 for the bootstrap)"),
    draws: z.number().int(),
    mean: z.number().describe("mean adjusted Rand index of the resample partitions against the full-data partition, over all rows"),
    sd: z.number().nullable().describe("sample standard deviation of the adjusted Rand indices (null with one draw)"),
  })
  .describe("stability of this k under resampling: 1 = the same partition every time, 0 = chance agreement");

export const kSelectionRowSchema = z.strictObject({
  k: z.number().int(),
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
    .optional(),
  spread: z
    .record(z.string(), spreadSchema)
    .optional()
    .describe("each criterion's spread over the seeds of k_choice (absent with one seed)"),
});

export const profileRowSchema = z.strictObject({
  feature: z.string(),
  cluster_mean: suppressibleNumber.describe(
    "share of the cluster with this level (lca: class-conditional response probability), or the mean; null when suppressed",
  ),
  overall_mean: suppressibleNumber,
  lift: suppressibleNumber,
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
  id: z.number().int(),
  label: z.string(),
  size: suppressibleInt,
  share: suppressibleNumber,
  profile: z.array(profileRowSchema),
  top_values: z.record(
    z.string(),
    z.array(z.strictObject({ value: z.string(), count: suppressibleInt, share: suppressibleNumber, suppressed: suppressedList })),
  ),
  distribution: z
    .strictObject({
      column: z.string(),
      mean: z.number(),
      quartiles: z.tuple([z.number(), z.number(), z.number()]),
      histogram: z.array(z.strictObject({ bin: z.string(), count: suppressibleInt, suppressed: suppressedList })),
    })
    .optional(),
  class_share: z.number().optional().describe("lca: the model's class share (size and share count rows by their modal class)"),
  mean_probability: z.number().optional().describe("lca: mean posterior probability of the class over the rows assigned to it"),
  suppressed: suppressedList,
});

export const pcaPointSchema = z.strictObject({ pc1: z.number(), pc2: z.number(), cluster: z.number().int() });

export const pcaDensitySchema = z
  .strictObject({
    bins: z.number().int().describe("cells per axis"),
    pc1: interval.describe("range of the first component the grid covers"),
    pc2: interval.describe("range of the second component the grid covers"),
    cells: z
      .array(
        z.strictObject({
          cluster: z.number().int(),
          i: z.number().int().describe("cell along pc1, 0 = lowest"),
          j: z.number().int().describe("cell along pc2, 0 = lowest"),
          count: suppressibleInt,
          suppressed: suppressedList,
        }),
      )
      .describe("non-empty cells only; a cell below min_cell is null"),
  })
  .describe("rows on the first two principal components counted on a coarse grid per cluster (the public form of pca_sample)");

export const nullRowSchema = z.strictObject({
  k: z.number().int(),
  observed: z.number().describe("silhouette of the data under the reference clustering settings"),
  null_mean: z.number().describe("mean silhouette over the reference draws"),
  null_sd: z.number(),
  null_quantiles: z.tuple([z.number(), z.number(), z.number()]).describe("5%, 50% and 95% quantiles of the reference silhouettes"),
  excess: z.number().describe("observed − null_mean"),
  z: z.number().nullable().describe("excess / null_sd (null when the reference does not vary)"),
  gap: z.number().describe("gap statistic: mean log W of the references − log W of the data"),
  gap_sd: z.number().describe("s_k = sd of log W over the references · √(1 + 1/draws)"),
});

export const structureSchema = z
  .strictObject({
    null: z.strictObject({
      method: z.enum(["permuted", "uniform"]).describe("permuted: each variable shuffled independently; uniform: the gap statistic's box"),
      draws: z.number().int(),
      clustering: z.string().describe("the clustering run on the data and on every draw"),
      n_init: z.number().int(),
      silhouette_sample: z.number().int(),
      per_k: z.array(nullRowSchema),
      gap_k: z.number().int().describe("the gap statistic's choice (Tibshirani et al. 2001); 1 = no k beats the reference"),
    }),
    verdict: z.enum(["no structure beyond chance", "weak", "clear"]),
    k: z.number().int().describe("the k the verdict rests on"),
    excess: z.number(),
    z: z.number().nullable(),
    rule: z.string(),
    summary: z.string().describe("the verdict in plain words"),
  })
  .describe("cluster structure tested against reference data without structure");

export const varianceShareSchema = z.strictObject({
  variable: z.string(),
  columns: z.number().int().describe("design columns of the variable"),
  area_level: z.boolean().describe("a value of the area (demographics joined by area), the same for every row of an area"),
  weight: z.number().describe("relative weight from segments.weights (1 = an equal share)"),
  multiplier: z.number().describe("factor applied to the variable's encoded columns before clustering"),
  share: z.number().describe("share of the total variance the clustering sees"),
  separation: z.number().nullable().describe("share of the between-cluster sum of squares of the final partition"),
});

export const lcaFitSchema = z.strictObject({
  k: z.number().int(),
  log_likelihood: z.number(),
  bic: z.number(),
  aic: z.number(),
  sabic: z.number(),
  entropy: z.number().nullable().describe("null for one class"),
  n_parameters: z.number().int(),
  converged: z.boolean(),
  iterations: z.number().int(),
  starts: z.number().int(),
  best_count: z.number().int().describe("starts within 100 × tol of the best log-likelihood"),
});

export const segmentsResultsSchema = z.strictObject({
  study: z.literal("segments"),
  ...commonShape,
  method: z.string(),
  k_selection: z.array(kSelectionRowSchema),
  k: z.number().int(),
  k_rule: z.string(),
  k_choice: z
    .strictObject({
      k: z.number().int(),
      rule: z.string(),
      seeds: z.array(z.strictObject({ seed: z.number().int(), k: z.number().int() })).describe("the k each seed's whole choice picks"),
      agreement: z.number().describe("share of the seeds that pick k"),
      unanimous: z.boolean(),
    })
    .describe("the choice of k and its agreement across seeds"),
  structure: structureSchema.optional().describe("absent when segments.structure is false or the data are too small"),
  weights: z.enum(["variables", "levels", "custom"]).describe("segments.weights: how variables were weighted"),
  scaling: z.string().describe("the weighting in words"),
  variance_shares: z.array(varianceShareSchema),
  pca: z.strictObject({ components: z.number().int(), explained_variance_ratio: z.array(z.number()) }).nullable(),
  clusters: z.array(clusterSchema),
  stability: z.strictObject({
    method: z.string(),
    resamples: z.number().int(),
    mean_ari: z.number().nullable().describe("null when resamples is 0"),
    sd: z.number().nullable().optional(),
  }),
  comparison: z
    .array(
      z.strictObject({
        method: z.string(),
        k: z.number().int(),
        silhouette: z.number(),
        calinski_harabasz: z.number(),
        davies_bouldin: z.number(),
        agreement: z.number().optional().describe("adjusted Rand index with the partition of the study's method"),
      }),
    )
    .optional(),
  lca: z
    .strictObject({
      k: z.number().int().describe("number of classes the criterion chooses"),
      criterion: z.enum(["bic", "aic", "sabic"]),
      rule: z.string(),
      indicators: z.array(z.string()),
      settings: z.strictObject({
        starts: z.number().int(),
        max_iter: z.number().int(),
        tol: z.number().describe("absolute, = lca.tol × rows"),
      }),
      fits: z.array(lcaFitSchema).describe("one per number of classes, from 1 (independent indicators)"),
      classes: z.array(clusterSchema).optional().describe("the classes at k when LCA is compared (with method: lca they are `clusters`)"),
    })
    .optional(),
  areas: z
    .strictObject({
      column: z.string(),
      matched: z.number().int(),
      unmatched: z.array(z.strictObject({ name: z.string(), rows: suppressibleInt, suppressed: suppressedList })),
      file: z.string(),
    })
    .optional(),
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
