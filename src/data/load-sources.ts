import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import type { FeatureCollection } from "geojson";
import type { Database } from "./Db.js";
import { sha256File } from "./file-hash.js";
import { checkSourceInside } from "./source-paths.js";
import { csvEncoding, loadCsv } from "./sources/load-csv.js";
import { loadGeojson } from "./sources/load-geojson.js";
import { loadShapefile } from "./sources/load-shapefile.js";
import { isFileSet } from "./sources/expand-source-paths.js";
import { loadSourceFileSet } from "./sources/load-file-set.js";
import { loadNative } from "./sources/load-parquet.js";
import type { SourceSpec } from "./sources/source-spec.js";
import type { InputInfo } from "../results/types.js";
import { UserError, assertUnreachable } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import * as msg from "../util/messages.js";

/** Source file formats openbeat reads. */
export type SourceFormat = NonNullable<SourceSpec["format"]>;

/** Options for {@link loadSources}. */
export interface LoadSourcesOptions {
  /** The study file's path, used to resolve relative source paths and in messages. */
  studyFile: string;
  /** Resolve source paths relative to this folder instead of the study file's (`--data DIR`). */
  dataDir?: string;
  /** Receives warnings (rejected rows, repeated headers, …) and one progress line per source. */
  logger: Logger;
  /** When given, receives the parsed collection of every GeoJSON source, by source name (for maps). */
  collections?: Map<string, FeatureCollection>;
  /**
   * Local files for portal sources (`socrata`, `arcgis`, `url`), by source name, as written by the fetch step;
   * the path is resolved against the working directory.
   */
  fetched?: Map<string, { path: string; format?: SourceFormat }>;
  /** Accept source paths outside the study file's folder and `--data` (`--allow-outside-paths`). */
  allowOutsidePaths?: boolean;
}

/**
 * Format of a source: `format` when given, else from the extension (.csv .tsv .txt, .geojson .json, .shp, .parquet
 * .pq, .ndjson .jsonl).
 * @param path source path
 * @param format the study file's `format`, if any
 */
export function sourceFormat(path: string, format?: SourceFormat): SourceFormat | null {
  if (format) return format;
  switch (extname(path).toLowerCase()) {
    case ".csv":
    case ".tsv":
    case ".txt":
      return "csv";
    case ".geojson":
    case ".json":
      return "geojson";
    case ".shp":
      return "shapefile";
    case ".parquet":
    case ".pq":
      return "parquet";
    case ".ndjson":
    case ".jsonl":
      return "ndjson";
    default:
      return null;
  }
}

/**
 * Resolves a source path and checks it is an existing, readable file; each failure is a one-line UserError naming
 * the study file, the source and what to do.
 * @param studyFile study file path (for messages and as the base folder)
 * @param name source name
 * @param path source path as written in the study file
 * @param dataDir base folder instead of the study file's
 * @param options `allowOutside`: skip the rule that the file lies inside the study file's folder or `dataDir`
 *   (`--allow-outside-paths`; files openbeat fetched into its cache are always accepted)
 */
export async function resolveSourcePath(
  studyFile: string,
  name: string,
  path: string,
  dataDir?: string,
  options: { allowOutside?: boolean } = {},
): Promise<string> {
  const full = resolve(dataDir ?? dirname(studyFile), path);
  checkSourceInside(studyFile, name, path, full, { dataDir, allowOutside: options.allowOutside });
  let info;
  try {
    info = await stat(full);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") {
      throw new UserError("source.missing", msg.sourceMissing(studyFile, name, path), { cause: e });
    }
    throw new UserError("source.unreadable", msg.sourceUnreadable(studyFile, name, path, (e as Error).message), { cause: e });
  }
  if (info.isDirectory()) throw new UserError("source.not_file", msg.sourceNotFile(studyFile, name, path));
  // A FIFO would block the reader forever and a device may never end: only regular files are read.
  if (!info.isFile()) throw new UserError("os.not_regular", msg.sourceNotRegular(studyFile, name, path, fileKind(info)));
  try {
    await access(full, constants.R_OK);
  } catch (e) {
    throw new UserError(
      "source.unreadable",
      msg.sourceUnreadable(studyFile, name, path, (e as NodeJS.ErrnoException).code ?? "no access"),
      { cause: e },
    );
  }
  return full;
}

/** What a non-regular file is, for messages. */
export function fileKind(info: Stats): string {
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isSocket()) return "a socket";
  return "not a regular file";
}

/** Size, modification time and inode of a file, to tell whether it changed while it was read. */
async function fileVersion(path: string): Promise<{ size: bigint; mtimeNs: bigint; ino: bigint } | null> {
  const s = await stat(path, { bigint: true }).catch(() => null);
  return s && { size: s.size, mtimeNs: s.mtimeNs, ino: s.ino };
}

/** How a file's version changed, in words, or null when it did not. */
function versionChange(before: Awaited<ReturnType<typeof fileVersion>>, after: Awaited<ReturnType<typeof fileVersion>>): string | null {
  if (!before || !after) return after ? null : "it is gone";
  if (before.ino !== after.ino) return "it was replaced by another file";
  if (before.size !== after.size) return `${before.size.toLocaleString("en-US")} bytes, now ${after.size.toLocaleString("en-US")}`;
  if (before.mtimeNs !== after.mtimeNs) return "it was written to";
  return null;
}

/**
 * Loads every source of a study into a table named after the source key, and describes each input for the
 * manifest (path as written, sha256, rows). Inputs are only read, never modified. Warnings go to the logger,
 * tagged with the source name.
 * @param db DuckDB database (sources are read with DuckDB's readers)
 * @param study the parsed study file
 * @param options see {@link LoadSourcesOptions}
 */
export async function loadSources(
  db: Database,
  study: { sources: Record<string, SourceSpec> },
  options: LoadSourcesOptions,
): Promise<InputInfo[]> {
  if (db.dialect !== "duckdb") throw new Error(`loadSources needs a DuckDB database, got ${db.dialect}`);
  const { studyFile, dataDir, logger } = options;
  const inputs: InputInfo[] = [];
  for (const [name, spec] of Object.entries(study.sources)) {
    if (spec.path !== undefined && isFileSet(spec.path)) {
      inputs.push(await loadFileSetSource(db, name, spec, spec.path, options));
      continue;
    }
    let path = typeof spec.path === "string" ? spec.path : undefined;
    let full: string;
    if (path !== undefined) full = await resolveSourcePath(studyFile, name, path, dataDir, { allowOutside: options.allowOutsidePaths });
    else {
      const local = options.fetched?.get(name);
      if (!local) {
        const kind = spec.socrata ? "socrata" : spec.arcgis ? "arcgis" : "url";
        throw new UserError("source.not_fetched", msg.sourceNotFetched(studyFile, name, kind));
      }
      path = local.path;
      full = await resolveSourcePath(studyFile, name, resolve(local.path), undefined, { allowOutside: true });
    }
    const format = sourceFormat(path, spec.format ?? options.fetched?.get(name)?.format);
    if (!format) throw new UserError("source.format", msg.sourceUnknownFormat(studyFile, name, path));
    const where = `${studyFile}: source "${name}" (${path})`;
    const started = performance.now();
    // The manifest's hash must be of the bytes that were loaded: the file is hashed while it is read, and its size,
    // modification time and inode before and after must agree.
    const version = await fileVersion(full);
    const hash = sha256File(full);
    hash.catch(() => undefined);
    let rows: number;
    switch (format) {
      case "csv": {
        if (spec.encoding !== undefined) csvEncoding(spec.encoding, where);
        const result = await loadCsv(db, name, full, {
          where,
          delimiter: spec.delimiter,
          allText: spec.all_text,
          types: spec.types,
          timestampFormat: spec.timestamp_format,
          encoding: spec.encoding,
        });
        for (const w of result.warnings) logger.warn({ ...w, source: name, file: path, message: w.message.replaceAll(full, path) });
        rows = result.rows;
        break;
      }
      case "geojson": {
        const result = await loadGeojson(db, name, full, { where });
        options.collections?.set(name, result.collection);
        rows = result.rows;
        break;
      }
      case "shapefile": {
        rows = (await loadShapefile(db, name, full, { where, encoding: spec.encoding })).rows;
        break;
      }
      case "parquet":
      case "ndjson":
        rows = (await loadNative(db, name, full, format, { where })).rows;
        break;
      default:
        assertUnreachable(format);
    }
    const sha256 = await hash;
    const change = versionChange(version, await fileVersion(full));
    if (change !== null) throw new UserError("source.changed", msg.sourceChanged(where, change));
    inputs.push({ name, path, sha256, rows });
    logger.info(`loaded ${name}: ${rows.toLocaleString("en-US")} rows from ${path} (${Math.round(performance.now() - started)} ms)`);
  }
  return inputs;
}

/** Loads a source whose `path` is a glob or a list (src/data/sources/load-file-set.ts) and describes it for results. */
async function loadFileSetSource(
  db: Database,
  name: string,
  spec: SourceSpec,
  patterns: string | string[],
  options: LoadSourcesOptions,
): Promise<InputInfo> {
  const { studyFile, dataDir, logger } = options;
  const shown = typeof patterns === "string" ? patterns : patterns.join(", ");
  const resolved = sourceFormat(typeof patterns === "string" ? patterns : patterns[0], spec.format);
  if (!resolved) throw new UserError("source.format", msg.sourceUnknownFormat(studyFile, name, shown));
  if (resolved !== "csv" && resolved !== "parquet" && resolved !== "ndjson")
    throw new UserError("source.set_format", msg.sourceSetFormat(studyFile, name, resolved));
  const where = `${studyFile}: source "${name}" (${shown})`;
  const started = performance.now();
  if (spec.encoding !== undefined && resolved === "csv") csvEncoding(spec.encoding, where);
  const result = await loadSourceFileSet(db, name, patterns, {
    format: resolved,
    where,
    studyFile,
    base: dataDir ?? dirname(studyFile),
    csv: {
      delimiter: spec.delimiter,
      allText: spec.all_text,
      types: spec.types,
      timestampFormat: spec.timestamp_format,
      encoding: spec.encoding,
    },
    resolveFile: (path) => resolveSourcePath(studyFile, name, path, dataDir, { allowOutside: options.allowOutsidePaths }),
    checkRoot: (pattern, root) => {
      checkSourceInside(studyFile, name, pattern, root, { dataDir, allowOutside: options.allowOutsidePaths });
    },
  });
  for (const w of result.warnings) logger.warn({ ...w, source: name });
  logger.info(
    `loaded ${name}: ${result.rows.toLocaleString("en-US")} rows from ${String(result.files.length)} files (${shown}) (${String(Math.round(performance.now() - started))} ms)`,
  );
  return {
    name,
    path: shown,
    sha256: result.sha256,
    rows: result.rows,
    files: result.files.map((f) => ({
      path: f.path,
      sha256: f.sha256,
      rows: f.rows,
      added: f.added,
      missing: f.missing,
      renamed: f.renamed,
    })),
  };
}
