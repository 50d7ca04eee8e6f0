import { rename, rm } from "node:fs/promises";
import { basename } from "node:path";
import type { SourceSpec } from "../sources/source-spec.js";
import type { Logger, TextSink } from "../../util/logger.js";
import { schemaChanged } from "../../util/messages.js";
import { sha256File } from "../file-hash.js";
import { fetchArcgis } from "./arcgis.js";
import {
  type PortalMeta,
  type SchemaChanges,
  cachePaths,
  diffColumns,
  fileExists,
  hasSchemaChanges,
  queryKey,
  readMeta,
  writeMeta,
} from "./cache.js";
import { type PortalContext, type PortalFetchResult, lineProgress } from "./context.js";
import type { RetryOptions } from "./fetch-with-retry.js";
import { fetchSocrata } from "./socrata.js";
import { fetchUrl, urlFormat } from "./url.js";

/** Options for {@link fetchSource}. */
export interface FetchSourceOptions {
  /** Cache folder (see `defaultCacheDir`). */
  cacheDir: string;
  /** Fetch again even when a cached copy answers the same query (default false). */
  refresh?: boolean;
  /** Receives retry lines and the `portal.schema_change` warning. */
  logger?: Logger;
  /** Where progress lines go (default process.stderr); false for none. */
  progress?: TextSink | false;
  /** Retry tuning (attempts, delays; tests inject `sleep`). */
  retry?: RetryOptions;
}

/** What {@link fetchSource} returns. */
export interface FetchSourceResult {
  /** Absolute path of the cached CSV or GeoJSON. */
  path: string;
  meta: PortalMeta;
  /** True when nothing was fetched because the cache already answered this query. */
  fromCache: boolean;
  /** Column changes against the previous fetch (empty when there was none, or nothing changed). */
  schemaChanges: SchemaChanges;
}

/** True when the source is a portal dataset (socrata, arcgis or url) rather than a local file. */
export function isPortalSource(spec: SourceSpec): boolean {
  return Boolean(spec.socrata || spec.arcgis || spec.url);
}

function portalKind(spec: SourceSpec): "socrata" | "arcgis" | "url" {
  if (spec.socrata) return "socrata";
  if (spec.arcgis) return "arcgis";
  if (spec.url) return "url";
  throw new Error("not a portal source");
}

function outputFormat(name: string, spec: SourceSpec): "csv" | "geojson" {
  if (spec.socrata) return "csv";
  if (spec.arcgis) return spec.arcgis.format === "geojson" ? "geojson" : "csv";
  if (!spec.url) throw new Error("not a portal source");
  return urlFormat(spec.url, spec.format, name);
}

/**
 * Fetches a portal source into the cache folder as `<name>.csv` or `<name>.geojson` with a sidecar
 * `<name>.meta.json` ({@link PortalMeta}), unless a cached copy of the same query exists and `refresh` is off.
 * The data file is written under a temporary name and renamed, so a failed fetch leaves the old copy intact.
 * Compares columns with the previous sidecar and warns `portal.schema_change` when they differ.
 * @param name source name from the study file
 * @param spec the source (must be socrata, arcgis or url)
 */
export async function fetchSource(name: string, spec: SourceSpec, options: FetchSourceOptions): Promise<FetchSourceResult> {
  const kind = portalKind(spec);
  const format = outputFormat(name, spec);
  const paths = cachePaths(options.cacheDir, name, format);
  const key = queryKey({ kind, socrata: spec.socrata, arcgis: spec.arcgis, url: spec.url, format });
  const previous = await readMeta(paths.meta);
  if (!options.refresh && previous?.query_key === key && (await fileExists(paths.data))) {
    return { path: paths.data, meta: previous, fromCache: true, schemaChanges: { added: [], removed: [], retyped: [] } };
  }

  const tmp = `${paths.data}.part-${process.pid}`;
  const stream = options.progress === false ? undefined : (options.progress ?? process.stderr);
  const bar = stream ? lineProgress(stream, name) : undefined;
  const ctx: PortalContext = { name, file: tmp, retry: options.retry ?? {}, logger: options.logger, progress: bar?.update };
  let result: PortalFetchResult;
  try {
    if (kind === "socrata" && spec.socrata) result = await fetchSocrata(spec.socrata, ctx);
    else if (kind === "arcgis" && spec.arcgis) result = await fetchArcgis(spec.arcgis, ctx);
    else if (spec.url) result = await fetchUrl(spec.url, format, ctx);
    else throw new Error("not a portal source");
    await rename(tmp, paths.data);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    bar?.done();
  }
  if (result.expected_rows !== undefined && result.expected_rows !== result.rows) {
    options.logger?.warn({
      code: "portal.row_count_mismatch",
      message: `source "${name}": the portal announced ${result.expected_rows} rows but ${result.rows} were fetched (the data may have changed while fetching)`,
      source: name,
      expected: result.expected_rows,
      fetched: result.rows,
    });
  }

  const meta: PortalMeta = {
    source: name,
    kind,
    file: basename(paths.data),
    format,
    urls: result.urls,
    rows: result.rows,
    ...(result.expected_rows !== undefined ? { expected_rows: result.expected_rows } : {}),
    fetched_at: new Date().toISOString(),
    sha256: await sha256File(paths.data),
    columns: result.columns,
    ...(result.time_zone ? { time_zone: result.time_zone } : {}),
    retries: result.retries,
    query_key: key,
  };
  await writeMeta(paths.meta, meta);
  const schemaChanges = previous ? diffColumns(previous.columns, meta.columns) : { added: [], removed: [], retyped: [] };
  if (hasSchemaChanges(schemaChanges)) {
    options.logger?.warn({ code: "portal.schema_change", message: schemaChanged(name, schemaChanges), source: name, ...schemaChanges });
  }
  return { path: paths.data, meta, fromCache: false, schemaChanges };
}
