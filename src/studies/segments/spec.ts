import { z } from "zod";
import * as msg from "../../util/messages.js";
import { studyVariant } from "../study-file/base.js";
import { featuresSchema } from "../../features/spec.js";

const identifier = z.string().min(1);

const methodName = z.enum(["kmeans", "kprototypes", "lca"]);

export const segmentsSchema = z.strictObject({
  /** Row id column, kept in features.parquet and the cluster assignments. */
  id: identifier.optional(),
  features: featuresSchema,
  /** Standardize numeric features to zero mean and unit variance (default true). */
  standardize: z.boolean().default(true),
  pca: z
    .union([
      z.literal(false),
      z.strictObject({ components: z.number().int().min(1).optional(), variance: z.number().gt(0).lte(1).optional() }),
    ])
    .default(false),
  /**
   * How much each variable counts in the distances k-means partitions: "variables" (default) gives every variable
   * (a numeric column, or all one-hot columns of a categorical one) the same share of the variance; "levels"
   * keeps the encoded columns as they are (standardized numerics, 0/1 one-hot columns: the usual notebook
   * scaling, where a variable's weight grows with its number of levels); a mapping gives relative weights per
   * variable or per block (`numeric`, `categorical`), on top of equal variables: weight 2 = twice the share.
   */
  weights: z.union([z.enum(["variables", "levels"]), z.record(identifier, z.number().min(0))]).default("variables"),
  method: methodName.default("kmeans"),
  /** Also run the other methods (true: all of them; or a list) and compare them on the same criteria (default true). */
  compare_methods: z.union([z.boolean(), z.array(methodName)]).default(true),
  k: z
    .strictObject({
      min: z.number().int().min(2).default(2),
      max: z.number().int().min(2).default(10),
      /** Fixed k, overriding the automatic choice. */
      fixed: z.number().int().min(2).optional(),
      /** Seeds the whole choice of k is repeated with (the study's seed and the next ones); 1 turns it off. */
      seeds: z.number().int().min(1).default(5),
    })
    .prefault({}),
  /** k-means++ starts in the first batch (per k). */
  n_init: z.number().int().min(1).default(10),
  /** Starts double (20, 40, …) until the best inertia is reached twice, up to this many (at least n_init). */
  max_init: z.number().int().min(1).default(40),
  max_iter: z.number().int().min(1).default(300),
  /** Silhouette is exact up to this many rows and computed on a seeded sample above it (default 10000). */
  silhouette_sample: z.number().int().min(100).default(10000),
  /** Subsamples (80% of the rows) per k for cluster stability (default 20; 0 turns it off). */
  stability_resamples: z.number().int().min(0).default(20),
  /**
   * Structure against chance: the same k-means on reference data without structure, `draws` times per k
   * (`reference`: "permuted" shuffles each variable independently, "uniform" is the gap statistic's box). The
   * reference clusterings use `n_init` starts and a silhouette on a `silhouette_sample`-row sample, on the data
   * as on every draw. false turns it off.
   */
  structure: z
    .union([
      z.literal(false),
      z.strictObject({
        reference: z.enum(["permuted", "uniform"]).default("permuted"),
        draws: z.number().int().min(2).default(20),
        n_init: z.number().int().min(1).default(3),
        silhouette_sample: z.number().int().min(100).default(2000),
      }),
    ])
    .prefault({}),
  /** Latent class analysis (method: lca, or compared with the other methods). */
  lca: z
    .strictObject({
      /** Random starts per number of classes. */
      starts: z.number().int().min(1).default(10),
      max_iter: z.number().int().min(1).default(1000),
      /** EM stops when the log-likelihood changes by at most tol × rows in one iteration. */
      tol: z.number().gt(0).default(1e-6),
      /** Criterion that chooses the number of classes. */
      criterion: z.enum(["bic", "aic", "sabic"]).default("bic"),
      /** Random starts of each refit on a subsample, for stability. */
      stability_starts: z.number().int().min(1).default(3),
    })
    .prefault({}),
  /** Columns described in each cluster's profile by their most common values. */
  describe: z.array(identifier).default([]),
  /** Numeric column summarized as a distribution per cluster (e.g. age). */
  distribution: identifier.optional(),
  /** Area column and boundaries for the per-area cluster shares map. */
  areas: z
    .strictObject({
      column: identifier,
      /** Source name of a GeoJSON source with the boundaries. */
      boundaries: identifier.optional(),
      /** Property of each boundary feature that holds the area name. */
      name_property: z.string().default("name"),
      /** Map of spellings in the data to names in the boundaries (and demographics). */
      aliases: z.record(z.string(), z.string()).default({}),
      /** Area demographics joined by the same names; each share becomes a numeric column usable as a feature. */
      demographics: z
        .strictObject({
          /** Table (source or prepare step) with one row per area. */
          table: identifier,
          /** Its column holding the area name. */
          key: identifier,
          /** New column name → SQL expression over that table, e.g. pct_black: "Blk_AfAm / Population". */
          columns: z.record(identifier, z.string().min(1)),
        })
        .optional(),
    })
    .refine((a) => a.boundaries !== undefined || a.demographics !== undefined, { error: msg.areasWithoutUse() })
    .optional(),
});
export type SegmentsSpec = z.infer<typeof segmentsSchema>;

/** A segments study file. */
export const segmentsStudySchema = studyVariant("segments", segmentsSchema);
export type SegmentsStudySpec = z.infer<typeof segmentsStudySchema>;
