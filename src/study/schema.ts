import { z } from "zod";

/**
 * The study file, as YAML. Every object is strict: an unknown key is an error that names the closest known key.
 * Column and table names are as they appear in the prepared tables (case-sensitive, as DuckDB keeps them).
 */

const identifier = z.string().min(1);

/** Socrata (SODA 2) dataset: `https://{domain}/resource/{dataset}.json`, paged with $limit/$offset. */
export const socrataSchema = z.strictObject({
  /** Portal host, e.g. data.baltimorecity.gov. */
  domain: z.string().min(1),
  /** Dataset id (four-by-four), e.g. wsfq-mvij. */
  dataset: z.string().regex(/^[a-z0-9]{4}-[a-z0-9]{4}$/, "a Socrata dataset id looks like wsfq-mvij"),
  /** SoQL $where filter. */
  where: z.string().optional(),
  /** SoQL $select list. */
  select: z.string().optional(),
  /** SoQL $order (default :id, which makes paging stable). */
  order: z.string().optional(),
  /** Rows per request (default 10000). */
  page_size: z.number().int().min(1).max(50000).optional(),
});
export type SocrataSpec = z.infer<typeof socrataSchema>;

/** ArcGIS FeatureServer or MapServer layer, paged with resultOffset/resultRecordCount. */
export const arcgisSchema = z.strictObject({
  /** Layer URL, ending in /FeatureServer/N or /MapServer/N. */
  url: z.string().regex(/^https?:\/\//, "an ArcGIS layer URL starts with https://"),
  where: z.string().default("1=1"),
  out_fields: z.string().default("*"),
  /** json: a CSV of attributes (and point x/y); geojson: a GeoJSON file. */
  format: z.enum(["json", "geojson"]).default("json"),
  /** Rows per request (default and maximum: the layer's maxRecordCount). */
  page_size: z.number().int().min(1).optional(),
  /** IANA time zone that date fields (epoch milliseconds) are written in (default UTC). */
  time_zone: z.string().default("UTC"),
});
export type ArcgisSpec = z.infer<typeof arcgisSchema>;

/**
 * A data source: exactly one of a local file (`path`: csv, geojson, shapefile) or a portal dataset
 * (`socrata`, `arcgis`, or a plain `url` download), fetched into the cache folder and then read like a file.
 */
export const sourceSchema = z
  .strictObject({
    /** Path relative to the study file, or to `--data DIR` when given. */
    path: z.string().min(1).optional(),
    socrata: socrataSchema.optional(),
    arcgis: arcgisSchema.optional(),
    /** A file to download (https://…); give `format` when the URL has no .csv/.geojson extension. */
    url: z
      .string()
      .regex(/^https?:\/\//, "a source url starts with https://")
      .optional(),
    /** File format; inferred from the extension when absent. */
    format: z.enum(["csv", "geojson", "shapefile"]).optional(),
    /** CSV: field delimiter (default ","). */
    delimiter: z.string().length(1).optional(),
    /** CSV: read every column as text (default false: DuckDB infers types). */
    all_text: z.boolean().optional(),
    /** CSV: columns whose type is forced, e.g. { INCIDENT_NUMBER: VARCHAR }. */
    types: z.record(z.string(), z.string()).optional(),
    /** CSV: timestamp format for auto-detected timestamp columns, e.g. "%m/%d/%Y %H:%M". */
    timestamp_format: z.string().optional(),
    /** Shapefile: character encoding of the .dbf (default from the .cpg, else latin1). */
    encoding: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    const given = (["path", "socrata", "arcgis", "url"] as const).filter((k) => s[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: given.length
          ? `give only one of path, socrata, arcgis, url (found ${given.join(" and ")})`
          : "give one of path, socrata, arcgis or url",
      });
    }
    if (s.format === "shapefile" && (s.socrata || s.arcgis || s.url)) {
      ctx.addIssue({ code: "custom", path: ["format"], message: "shapefile is only for local files; portal sources are csv or geojson" });
    }
  });
export type SourceSpec = z.infer<typeof sourceSchema>;
/** A source that is a local file (what portal sources become once fetched). */
export type FileSourceSpec = SourceSpec & { path: string };

/** One named SQL step; its result becomes a table of that name. */
export const prepareStepSchema = z.strictObject({
  name: identifier,
  sql: z.string().min(1),
  /** Engine `sql` is written for: "any" (portable, the default), "duckdb" or "postgres". */
  dialect: z.enum(["any", "duckdb", "postgres"]).default("any"),
  /** The same step written for PostgreSQL, used with `--db postgres://…` instead of `sql`. */
  postgres: z.string().min(1).optional(),
});
export type PrepareStep = z.infer<typeof prepareStepSchema>;

const datePart = z.enum(["hour", "weekday", "month", "year", "day_of_year"]);

/** How columns of the analysis table become the numeric design matrix. */
export const featuresSchema = z
  .strictObject({
    /** One-hot encoded columns. */
    categorical: z.array(identifier).default([]),
    /** Numeric columns (standardized where the study scales). */
    numeric: z.array(identifier).default([]),
    /** Timestamp columns and the parts to take from each (parts are treated as categories). */
    dates: z.array(z.strictObject({ column: identifier, parts: z.array(datePart).min(1) })).default([]),
    /** Categories seen fewer times than this go to an "other" bucket (default 1: keep all). */
    min_frequency: z.number().int().min(1).default(1),
    /**
     * Missing categorical values: "category" keeps them as their own level "(missing)", "drop" removes the rows
     * (counted in results). Missing numeric values: "drop" removes the row, "mean" / "median" imputes.
     */
    missing: z
      .strictObject({
        categorical: z.enum(["category", "drop"]).default("category"),
        numeric: z.enum(["drop", "mean", "median"]).default("drop"),
      })
      .prefault({}),
    /** Exclude these category values (rows are kept, the value becomes "other"): { column: [values] }. */
    exclude_values: z.record(z.string(), z.array(z.string())).optional(),
  })
  .prefault({});
export type FeaturesSpec = z.infer<typeof featuresSchema>;

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

export const studySchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  kind: z.enum(["risk", "segments"]),
  seed: z.number().int().default(42),
  /** Folder for fetched portal data, relative to the study file (default .openbeat-cache). */
  cache_dir: z.string().min(1).optional(),
  sources: z.record(identifier, sourceSchema).refine((s) => Object.keys(s).length > 0, "at least one source is required"),
  prepare: z.array(prepareStepSchema).default([]),
  /** Analysis table: default the last prepare step (or the only source). */
  table: identifier.optional(),
  risk: riskSchema.optional(),
  segments: segmentsSchema.optional(),
  report: z
    .strictObject({
      /** Counts below this are suppressed in published tables and charts (default 10). */
      min_cell: z.number().int().min(0).default(10),
    })
    .prefault({}),
});
export type StudySpec = z.infer<typeof studySchema>;
