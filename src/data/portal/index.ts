import { isAbsolute, resolve } from "node:path";
import type { FileSourceSpec, SourceSpec } from "../sources/source-spec.js";
import type { Logger, TextSink } from "../../util/logger.js";
import { defaultCacheDir } from "./cache.js";
import { type FetchSourceOptions, type FetchSourceResult, fetchSource, isPortalSource } from "./fetch-source.js";

export { fetchSource, isPortalSource, type FetchSourceOptions, type FetchSourceResult } from "./fetch-source.js";
export { fetchSocrata, socrataCountUrl, socrataPageUrl, socrataResourceUrl } from "./socrata.js";
export {
  fetchArcgis,
  fetchArcgisLayerInfo,
  arcgisQueryUrl,
  formatEpochMs,
  checkTimeZone,
  type ArcgisField,
  type ArcgisLayerInfo,
} from "./arcgis.js";
export { fetchUrl, urlFormat } from "./url.js";
export {
  fetchWithRetry,
  RetryableError,
  stripSecrets,
  parseRetryAfter,
  backoffDelay,
  type RetryOptions,
  type RetryEvent,
  type RetryResult,
  type ParseContext,
} from "./fetch-with-retry.js";
export {
  defaultCacheDir,
  cachePaths,
  readMeta,
  writeMeta,
  diffColumns,
  hasSchemaChanges,
  parseCsv,
  csvLine,
  csvField,
  inferTextType,
  queryKey,
  type PortalMeta,
  type ColumnMeta,
  type SchemaChanges,
} from "./cache.js";
export type { PortalContext, PortalFetchResult } from "./context.js";

/** Options for {@link resolvePortalSource} and {@link resolvePortalSources}. */
export interface ResolvePortalOptions {
  /** The study file; the default cache folder sits next to it. */
  studyFile: string;
  /** `--cache DIR` (relative to the working directory), else the study's `cache_dir` (relative to the study file). */
  cacheDir?: string;
  /** `--refresh`: fetch again even when cached. */
  refresh?: boolean;
  logger?: Logger;
  /** Progress stream (default process.stderr); false for none. */
  progress?: TextSink | false;
  retry?: FetchSourceOptions["retry"];
}

/** Cache folder for a study: `cacheDir` option, else `cache_dir` from the study file, else `.openbeat-cache` next to it. */
export function studyCacheDir(studyFile: string, studyCacheDirSetting?: string, override?: string): string {
  if (override) return resolve(override);
  if (studyCacheDirSetting)
    return isAbsolute(studyCacheDirSetting) ? studyCacheDirSetting : resolve(defaultCacheDir(studyFile), "..", studyCacheDirSetting);
  return defaultCacheDir(studyFile);
}

/**
 * Turns a portal source into the local-file source that loads its cached copy: fetches it when needed
 * ({@link fetchSource}) and returns `{ path: <absolute cached file>, format: "csv" | "geojson", …the file options
 * of the original (types, timestamp_format, all_text, delimiter) }`. A file source comes back unchanged with
 * `fetched` undefined.
 * @param name source name
 * @param spec the source from the study file
 */
export async function resolvePortalSource(
  name: string,
  spec: SourceSpec,
  options: ResolvePortalOptions & { studyCacheDir?: string },
): Promise<{ spec: FileSourceSpec; fetched?: FetchSourceResult }> {
  if (!isPortalSource(spec)) return { spec: spec as FileSourceSpec };
  const cacheDir = studyCacheDir(options.studyFile, options.studyCacheDir, options.cacheDir);
  const fetched = await fetchSource(name, spec, {
    cacheDir,
    refresh: options.refresh,
    logger: options.logger,
    progress: options.progress,
    retry: options.retry,
  });
  const { socrata: _s, arcgis: _a, url: _u, path: _p, format: _f, ...fileOptions } = spec;
  return { spec: { ...fileOptions, path: fetched.path, format: fetched.meta.format }, fetched };
}

/**
 * {@link resolvePortalSource} over every source of a study, one after the other (portals dislike parallel paging).
 * @returns the study's sources as file sources, and what was fetched (for the manifest: meta has urls, sha256, rows)
 */
export async function resolvePortalSources(
  study: { sources: Record<string, SourceSpec>; cache_dir?: string },
  options: ResolvePortalOptions,
): Promise<{ sources: Record<string, FileSourceSpec>; fetched: Record<string, FetchSourceResult> }> {
  const sources: Record<string, FileSourceSpec> = {};
  const fetched: Record<string, FetchSourceResult> = {};
  for (const [name, spec] of Object.entries(study.sources)) {
    const r = await resolvePortalSource(name, spec, { ...options, studyCacheDir: study.cache_dir });
    sources[name] = r.spec;
    if (r.fetched) fetched[name] = r.fetched;
  }
  return { sources, fetched };
}
