import { z } from "zod";

/**
 * The results contract: what a run writes (`results.json`, `manifest.json`) and what the report, the dashboard and
 * other tools read. Typed once, here, as zod schemas; the TypeScript types are inferred from them and the shipped
 * JSON Schema (schema/results.schema.json) is generated from them. Keys are snake_case; extend freely, never rename.
 * Objects are strict so that a key the code writes but this file does not describe fails the contract tests.
 */

const interval = z.tuple([z.number(), z.number()]).describe("[lower, upper] bounds");

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
});

export const dataInfoSchema = z.strictObject({
  rows: z.number().int().describe("rows of the analysis table that entered the model"),
  features: z.number().int().describe("columns of the design matrix"),
  table_rows: z.number().int().describe("rows of the analysis table before any row was dropped"),
  dropped: z.record(z.string(), z.number().int()).describe('rows dropped, by reason, e.g. { "missing PREMISE_TYPE": 12 }'),
  missing: z.record(z.string(), z.number().int()).describe("missing values per used column before the missing-value policy"),
  positives: z.number().int().optional().describe("risk: rows with the target = 1"),
  inputs: z.array(inputInfoSchema),
  date_range: z
    .strictObject({ column: z.string(), min: z.string().nullable(), max: z.string().nullable() })
    .optional()
    .describe("risk: range of the study's date column"),
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

export const meanSdSchema = z.strictObject({
  mean: z.number(),
  sd: z.number(),
  folds: z.array(z.number()).describe("value in each validation split"),
});

export const classReportSchema = z.strictObject({
  pre: z.number(),
  rec: z.number(),
  spe: z.number(),
  f1: z.number(),
  geo: z.number(),
  iba: z.number(),
  sup: z.number().int(),
});

export const factorSchema = z.strictObject({
  feature: z.string().describe("design column, COLUMN=value for one-hot columns"),
  column: z.string(),
  value: z.string().nullable(),
  coefficient: z.number(),
  std_error: z.number(),
  odds_ratio: z.number(),
  ci95: interval,
  count: z.number().int().describe("rows with this level"),
});

export const findingSchema = z.strictObject({
  by: z.string(),
  value: z.string(),
  count: z.number().int(),
  positives: z.number().int(),
  rate: z.number(),
  ci95: interval.describe("Wilson 95% interval of the rate"),
  lift: z.number().describe("rate / base rate"),
  statement: z.string(),
});

export const riskResultsSchema = z.strictObject({
  study: z.literal("risk"),
  ...commonShape,
  target: z.string(),
  validation: z.strictObject({
    method: z.string(),
    folds: z.number().int(),
    resample: z.string(),
    test_rows: z.number().int().optional(),
    train_rows: z.number().int().optional(),
    cut: z.string().optional().describe("temporal validation: first timestamp of the test period"),
  }),
  threshold: z.number(),
  model: z
    .strictObject({ type: z.string(), C: z.number(), converged: z.boolean().optional() })
    .describe("the final model's settings and whether L-BFGS converged"),
  metrics: z.strictObject({
    balanced_accuracy: meanSdSchema,
    precision: meanSdSchema,
    recall: meanSdSchema,
    f1: meanSdSchema,
    roc_auc: meanSdSchema,
    pr_auc: meanSdSchema,
    confusion_matrix: z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]).describe("[[tn, fp], [fn, tp]]"),
    classification_report: z.strictObject({ "0": classReportSchema, "1": classReportSchema, avg: classReportSchema }),
  }),
  curves: z
    .strictObject({
      roc: z.strictObject({ fpr: z.array(z.number()), tpr: z.array(z.number()) }),
      pr: z.strictObject({ recall: z.array(z.number()), precision: z.array(z.number()) }),
      top_share: z
        .array(z.strictObject({ share: z.number(), threshold: z.number(), recall: z.number(), precision: z.number() }))
        .describe("flag the top `share` of rows by score: catch `recall` of positives at `precision`"),
    })
    .describe("out-of-fold curves for charts, thinned to at most a few hundred points"),
  factors: z.array(factorSchema),
  findings: z.array(findingSchema),
  base_rate: z.number(),
});

export const kSelectionRowSchema = z.strictObject({
  k: z.number().int(),
  inertia: z.number(),
  silhouette: z.number(),
  calinski_harabasz: z.number(),
  davies_bouldin: z.number(),
});

export const profileRowSchema = z.strictObject({
  feature: z.string(),
  cluster_mean: z.number(),
  overall_mean: z.number(),
  lift: z.number(),
});

export const clusterSchema = z.strictObject({
  id: z.number().int(),
  label: z.string(),
  size: z.number().int(),
  share: z.number(),
  profile: z.array(profileRowSchema),
  top_values: z.record(z.string(), z.array(z.strictObject({ value: z.string(), count: z.number().int(), share: z.number() }))),
  distribution: z
    .strictObject({
      column: z.string(),
      mean: z.number(),
      quartiles: z.tuple([z.number(), z.number(), z.number()]),
      histogram: z.array(z.strictObject({ bin: z.string(), count: z.number().int() })),
    })
    .optional(),
});

export const pcaPointSchema = z.strictObject({ pc1: z.number(), pc2: z.number(), cluster: z.number().int() });

export const segmentsResultsSchema = z.strictObject({
  study: z.literal("segments"),
  ...commonShape,
  method: z.string(),
  k_selection: z.array(kSelectionRowSchema),
  k: z.number().int(),
  k_rule: z.string(),
  pca: z.strictObject({ components: z.number().int(), explained_variance_ratio: z.array(z.number()) }).nullable(),
  clusters: z.array(clusterSchema),
  stability: z.strictObject({
    method: z.string(),
    resamples: z.number().int(),
    mean_ari: z.number().nullable().describe("null when resamples is 0"),
  }),
  comparison: z
    .array(
      z.strictObject({
        method: z.string(),
        k: z.number().int(),
        silhouette: z.number(),
        calinski_harabasz: z.number(),
        davies_bouldin: z.number(),
      }),
    )
    .optional(),
  areas: z
    .strictObject({
      column: z.string(),
      matched: z.number().int(),
      unmatched: z.array(z.strictObject({ name: z.string(), rows: z.number().int() })),
      file: z.string(),
    })
    .optional(),
  pca_sample: z.array(pcaPointSchema).optional().describe("up to 2,000 rows on the first two principal components"),
});

/** results.json of any study kind. */
export const resultsSchema = z.discriminatedUnion("study", [riskResultsSchema, segmentsResultsSchema]);

/** manifest.json: how a results folder was made (inputs, study file, versions, seed, timings). */
export const manifestSchema = z.strictObject({
  openbeat: z.string().describe("openbeat version that wrote the folder"),
  study_file: z.string().describe("study file path as given"),
  study_text: z.string().describe("the study file's exact text"),
  inputs: z.array(inputInfoSchema),
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
  versions: z.record(z.string(), z.string()).describe("versions of openbeat, Node.js and the engines used"),
  started_at: z.string().describe("ISO time the run started"),
  timings: z.record(z.string(), z.number()).describe("seconds per phase"),
});
