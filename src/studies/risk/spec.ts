import { z } from "zod";
import { studyVariant } from "../study-file/base.js";
import { featuresSchema } from "../../features/spec.js";

const identifier = z.string().min(1);
/** An ISO date (YYYY-MM-DD) or timestamp (YYYY-MM-DDTHH:MM[:SS]). */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$/, "expected an ISO date such as 2021-09-01");

export const validationSchema = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("stratified_kfold"), folds: z.number().int().min(2).max(50).default(5) }),
  z.strictObject({ method: z.literal("holdout"), test_size: z.number().gt(0).lt(1).default(0.25) }),
  z.strictObject({
    method: z.literal("temporal"),
    /** Timestamp column; rows before the cut train, rows on or after it test. */
    column: identifier,
    /** ISO date where the test period starts; default: the date that leaves `test_size` of rows for testing. */
    test_from: z.string().optional(),
    test_size: z.number().gt(0).lt(1).default(0.25),
  }),
]);
export type ValidationSpec = z.infer<typeof validationSchema>;

export const resampleSchema = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("smote"), k_neighbors: z.number().int().min(1).default(5) }),
  z.strictObject({ method: z.literal("random_over") }),
  z.strictObject({ method: z.literal("random_under") }),
  z.strictObject({ method: z.literal("class_weight") }),
  z.strictObject({ method: z.literal("none") }),
]);
export type ResampleSpec = z.infer<typeof resampleSchema>;

/** How the decision threshold on the calibrated probability is chosen. */
export const thresholdRuleSchema = z.discriminatedUnion("method", [
  /** A probability fixed by the study. */
  z.strictObject({ method: z.literal("fixed"), value: z.number().gt(0).lt(1) }),
  /** Flag this share of records, highest calibrated risk first (a capacity rule). */
  z.strictObject({ method: z.literal("top_share"), share: z.number().gt(0).lt(1) }),
  /**
   * Minimise expected cost: a missed positive costs `cost_ratio` false alarms, so flag when the calibrated risk is
   * at least 1 / (1 + cost_ratio). "balanced" takes the ratio of negatives to positives, which flags records above
   * the base rate (and equals 0.5 on scores trained on balanced resampled data).
   */
  z.strictObject({
    method: z.literal("cost"),
    cost_ratio: z.union([z.number().positive(), z.literal("balanced")]).default("balanced"),
  }),
]);
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;

export const calibrationSchema = z.strictObject({
  /**
   * How raw model scores become probabilities: "auto" (prior-shift correction when the resampler changed the class
   * balance, else none), "prior_shift", "platt" or "isotonic" (fitted on inner cross-validated scores of the
   * training rows only), or "none".
   */
  method: z.enum(["auto", "prior_shift", "platt", "isotonic", "none"]).default("auto"),
  /** Inner folds of the training rows that Platt and isotonic recalibration are fitted on (default 3). */
  inner_folds: z.number().int().min(2).max(10).default(3),
  /** Equal-frequency bins of the reliability curve and the expected calibration error (default 10). */
  bins: z.number().int().min(2).max(50).default(10),
});
export type CalibrationSpec = z.infer<typeof calibrationSchema>;

export const factorsSchema = z.strictObject({
  /** Inference model: Firth's bias-reduced logistic regression (default) or unpenalized maximum likelihood. */
  method: z.enum(["firth", "mle"]).default("firth"),
  /** 95% intervals: profile likelihood (default) or Wald. */
  intervals: z.enum(["profile", "wald"]).default("profile"),
  /** Reference level per categorical column (default: its most frequent level): { COLUMN: level }. */
  reference: z.record(z.string(), z.string()).default({}),
});
export type FactorsSpec = z.infer<typeof factorsSchema>;

export const labelSchema = z.strictObject({
  /** Rows dated before this are left out: the label source starts here, so earlier rows are 0 by construction. */
  censor_before: isoDate.optional(),
  /** Rows dated after this (a date: after its end) are left out: the label source ends here. */
  censor_after: isoDate.optional(),
  /** Positive rate over time: warn when it drifts. */
  drift: z
    .strictObject({
      /** Period of the rate-over-time table (default quarter). */
      period: z.enum(["year", "quarter", "month"]).default("quarter"),
      /** Warn when the highest period rate is at least this many times the lowest (default 2)... */
      ratio: z.number().gt(1).default(2),
      /** ...and the chi-squared test of equal rates has a p-value below this (default 0.01). */
      alpha: z.number().gt(0).lt(1).default(0.01),
      /** Periods with fewer rows are listed but not compared (default 100). */
      min_rows: z.number().int().min(1).default(100),
    })
    .prefault({}),
  /** Label-construction checks: rows matching `where` (SQL over the analysis table) are counted by class. */
  checks: z.array(z.strictObject({ name: z.string().min(1), where: z.string().min(1) })).default([]),
});
export type LabelSpec = z.infer<typeof labelSchema>;

export const riskSchema = z.strictObject({
  /** Binary target column (0/1, true/false, or yes/no text). */
  target: identifier,
  /** Row id column, kept in features.parquet and scores. */
  id: identifier.optional(),
  /** Timestamp column used for the date range in the report, label censoring, the drift check and temporal validation. */
  date: identifier.optional(),
  features: featuresSchema,
  /** Rows whose value of a column is listed are left out of the study and counted: { COLUMN: [values] }. */
  exclude_rows: z.record(identifier, z.array(z.string())).optional(),
  resample: resampleSchema.prefault({ method: "smote" }),
  model: z
    .strictObject({
      type: z.literal("logistic").default("logistic"),
      /** Inverse L2 strength as in scikit-learn (default 1). */
      C: z.number().positive().default(1),
      max_iter: z.number().int().min(1).default(1000),
      /** L-BFGS stops when the largest gradient entry is at most this (scikit-learn's default 1e-4). */
      tol: z.number().positive().default(1e-4),
    })
    .prefault({}),
  validation: validationSchema.prefault({ method: "stratified_kfold" }),
  calibration: calibrationSchema.prefault({}),
  /** Run the same folds without resampling and with class weights too, and compare (default true). */
  compare_resampling: z.boolean().default(true),
  /**
   * Decision threshold on the calibrated probability: a rule, or a number (the same as { method: fixed, value }).
   * Default: { method: cost, cost_ratio: balanced }.
   */
  threshold: z.union([z.number().gt(0).lt(1), thresholdRuleSchema]).default({ method: "cost", cost_ratio: "balanced" }),
  factors: factorsSchema.prefault({}),
  findings: z
    .strictObject({
      /** Columns to break the positive rate down by (default: the categorical features). */
      by: z.array(identifier).optional(),
      /** Categories with fewer rows are left out of findings (default 30). */
      min_count: z.number().int().min(1).default(30),
      /** Multiplicity adjustment of the group-vs-rest tests: Benjamini-Hochberg q-values (default) or Bonferroni. */
      adjust: z.enum(["bh", "bonferroni"]).default("bh"),
      /** Adjusted p-values below this count as evidence (default 0.05). */
      alpha: z.number().gt(0).lt(1).default(0.05),
    })
    .prefault({}),
  leakage: z
    .strictObject({
      /**
       * A category is flagged when the upper bound of its Wilson 95% interval reaches this rate (the data allow it to
       * nearly fix the label; default 0.8)...
       */
      rate: z.number().gt(0).lte(1).default(0.8),
      /** ...and the odds of its lower bound are at least this many times the base odds, whatever its size (default 10). */
      odds_ratio: z.number().gt(1).default(10),
      /** Categories with fewer rows are not checked (default 1: every category). */
      min_count: z.number().int().min(1).default(1),
      /** A numeric feature whose single-feature ROC AUC (or 1 − AUC) is above this is flagged (default 0.95). */
      auc: z.number().gt(0.5).lt(1).default(0.95),
    })
    .prefault({}),
  label: labelSchema.prefault({}),
});
export type RiskSpec = z.infer<typeof riskSchema>;

/** A risk study file. */
export const riskStudySchema = studyVariant("risk", riskSchema);
export type RiskStudySpec = z.infer<typeof riskStudySchema>;
