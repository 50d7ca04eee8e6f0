import { z } from "zod";
import { studyVariant } from "../study-file/base.js";
import { featuresSchema } from "../../features/spec.js";

const identifier = z.string().min(1);

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
  method: z.enum(["kmeans", "kprototypes"]).default("kmeans"),
  /** Also run the other method and compare them on the same criteria (default true). */
  compare_methods: z.boolean().default(true),
  k: z
    .strictObject({
      min: z.number().int().min(2).default(2),
      max: z.number().int().min(2).default(10),
      /** Fixed k, overriding the automatic choice. */
      fixed: z.number().int().min(2).optional(),
    })
    .prefault({}),
  n_init: z.number().int().min(1).default(10),
  max_iter: z.number().int().min(1).default(300),
  /** Silhouette is exact up to this many rows and computed on a seeded sample above it (default 10000). */
  silhouette_sample: z.number().int().min(100).default(10000),
  /** Bootstrap resamples for cluster stability (default 20; 0 turns it off). */
  stability_resamples: z.number().int().min(0).default(20),
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
    .optional(),
});
export type SegmentsSpec = z.infer<typeof segmentsSchema>;

/** A segments study file. */
export const segmentsStudySchema = studyVariant("segments", segmentsSchema);
export type SegmentsStudySpec = z.infer<typeof segmentsStudySchema>;
