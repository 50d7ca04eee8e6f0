import { z } from "zod";

/** The sources of a study: files and portal datasets, as the data layer reads them. */

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
    /**
     * Path relative to the study file, or to `--data DIR` when given. A glob (`crimes/Police_*.csv`, `**` for any
     * depth) or a list of paths and globs reads several files into one table, unioned by column name, with a
     * `_source_file` column (see docs/study-file.md, "Several files in one source").
     */
    path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    socrata: socrataSchema.optional(),
    arcgis: arcgisSchema.optional(),
    /** A file to download (https://…); give `format` when the URL has no .csv/.geojson extension. */
    url: z
      .string()
      .regex(/^https?:\/\//, "a source url starts with https://")
      .optional(),
    /**
     * File format; inferred from the extension when absent (.csv .tsv .txt, .geojson .json, .shp, .parquet .pq,
     * .ndjson .jsonl).
     */
    format: z.enum(["csv", "geojson", "shapefile", "parquet", "ndjson"]).optional(),
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
    if ((s.format === "parquet" || s.format === "ndjson") && (s.socrata || s.arcgis || s.url)) {
      ctx.addIssue({ code: "custom", path: ["format"], message: `${s.format} is only for local files; portal sources are csv or geojson` });
    }
    if (s.format === "shapefile" && (s.socrata || s.arcgis || s.url)) {
      ctx.addIssue({ code: "custom", path: ["format"], message: "shapefile is only for local files; portal sources are csv or geojson" });
    }
  });
export type SourceSpec = z.infer<typeof sourceSchema>;
/** A source that is a local file (what portal sources become once fetched). */
export type FileSourceSpec = SourceSpec & { path: string | string[] };
