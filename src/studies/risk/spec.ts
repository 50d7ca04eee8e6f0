import { z } from "zod";
import { studyVariant } from "../study-file/base.js";
import { featuresSchema } from "../../features/spec.js";

const identifier = z.string().min(1);

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

export const riskSchema = z.strictObject({
  /** Binary target column (0/1, true/false, or yes/no text). */
  target: identifier,
  /** Row id column, kept in features.parquet and scores. */
  id: identifier.optional(),
  /** Timestamp column used for the date range in the report and for temporal validation. */
  date: identifier.optional(),
  features: featuresSchema,
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
  /** Decision threshold on the predicted probability (default 0.5). */
  threshold: z.number().gt(0).lt(1).default(0.5),
  findings: z
    .strictObject({
      /** Columns to break the positive rate down by (default: the categorical features). */
      by: z.array(identifier).optional(),
      /** Categories with fewer rows are left out of findings (default 30). */
      min_count: z.number().int().min(1).default(30),
    })
    .prefault({}),
  leakage: z
    .strictObject({
      /** A category whose positive rate is at least this is flagged as possible leakage (default 0.8). */
      rate: z.number().gt(0).lte(1).default(0.8),
      /** ...when it has at least this many rows (default 10). */
      min_count: z.number().int().min(1).default(10),
    })
    .prefault({}),
});
export type RiskSpec = z.infer<typeof riskSchema>;

/** A risk study file. */
export const riskStudySchema = studyVariant("risk", riskSchema);
export type RiskStudySpec = z.infer<typeof riskStudySchema>;
