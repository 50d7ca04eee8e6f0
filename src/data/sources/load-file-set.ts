import { createHash } from "node:crypto";
import { quoteIdent, quoteString, type Database } from "../Db.js";
import { sha256File } from "../file-hash.js";
import { countRowsSql, dropTableSql } from "../sql/tables.js";
import { UserError } from "../../util/errors.js";
import type { Warning } from "../../util/logger.js";
import * as msg from "../../util/messages.js";
import { loadCsv, readCsvHeader, fixHeaderNames } from "./load-csv.js";
import type { CsvOptions } from "../sql/csv.js";
import { loadNative } from "./load-parquet.js";
import { expandSourcePath, globRoot, isGlob, type SourceFile } from "./expand-source-paths.js";

/** Formats a file set may hold (GeoJSON and shapefiles carry geometry for maps and stay one file per source). */
export type FileSetFormat = "csv" | "parquet" | "ndjson";

/** The column that names each row's file in a table loaded from several files. */
export const SOURCE_FILE_COLUMN = "_source_file";

/** One file of a set as it was loaded, with how its columns differ from the file before it. */
export interface LoadedFile {
  /** Path relative to the base folder (as in results). */
  path: string;
  sha256: string;
  rows: number;
  /** Columns this file has that the file before it lacks (none for the first file). */
  added: string[];
  /** Columns the file before it has that this file lacks; they are NULL for this file's rows. */
  missing: string[];
  /** Columns spelled differently (case, spaces, underscores) from the table's name, read into that column. */
  renamed: { from: string; to: string }[];
}

/** What {@link loadFileSet} loaded. */
export interface FileSetLoadResult {
  rows: number;
  files: LoadedFile[];
  /** The table's columns, in order (the last is `_source_file`). */
  columns: string[];
  /** sha256 over the files' sha256 and paths (one `sha256  path` line per file, as sha256sum writes them). */
  sha256: string;
  /** Warnings from the files (CSV repairs, per file) and one `source.column_drift` when columns drift. */
  warnings: Warning[];
}

/** Options for {@link loadFileSet}. */
export interface FileSetOptions {
  format: FileSetFormat;
  /** Prefix of error messages, e.g. `study.yaml: source "crimes" (Police_*.csv)`. */
  where: string;
  /** CSV reading options, applied to each file (`types` only to the files that have the column). */
  csv?: Omit<CsvOptions, "names" | "rejects">;
}

/**
 * The key two spellings of one column share: lower case, runs of spaces and underscores as one space, trimmed, so
 * `Date  Occurred`, `DATE OCCURRED` and `date_occurred` are the same column.
 * @param name column name
 */
export function columnKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[\s_]+/g, " ")
    .trim();
}

/**
 * How the columns of consecutive files drift, and the one name each column gets in the union: the spelling of the
 * first file that has it.
 * @param columns each file's column names, in file order
 */
export function columnDrift(columns: string[][]): {
  names: Map<string, string>;
  files: Pick<LoadedFile, "added" | "missing" | "renamed">[];
} {
  const names = new Map<string, string>();
  const files: Pick<LoadedFile, "added" | "missing" | "renamed">[] = [];
  let previous: Map<string, string> | null = null;
  for (const cols of columns) {
    const here = new Map(cols.map((c) => [columnKey(c), c]));
    const renamed: { from: string; to: string }[] = [];
    for (const [key, c] of here) {
      const name = names.get(key);
      if (name === undefined) names.set(key, c);
      else if (name !== c) renamed.push({ from: c, to: name });
    }
    const added = previous ? [...here].filter(([k]) => !previous?.has(k)).map(([, c]) => c) : [];
    const missing = previous ? [...previous].filter(([k]) => !here.has(k)).map(([k]) => names.get(k) ?? k) : [];
    files.push({ added, missing, renamed });
    previous = here;
  }
  return { names, files };
}

/**
 * Builds (does not run) the statement that unions per-file tables by column name into `table`: each file's columns
 * renamed to the union's spelling, columns a file lacks NULL, and `_source_file` holding the file's path.
 * @param table table to create
 * @param parts per-file tables with their file path and columns
 * @param names column key -> name in the union (from {@link columnDrift})
 */
export function unionFilesSql(
  table: string,
  parts: { table: string; path: string; columns: string[] }[],
  names: Map<string, string>,
): string {
  const selects = parts.map((p) => {
    const cols = p.columns.map((c) => {
      const to = names.get(columnKey(c)) ?? c;
      return to === c ? quoteIdent(c) : `${quoteIdent(c)} AS ${quoteIdent(to)}`;
    });
    return `SELECT ${[...cols, `${quoteString(p.path)} AS ${quoteIdent(SOURCE_FILE_COLUMN)}`].join(", ")} FROM ${quoteIdent(p.table)}`;
  });
  const file = quoteIdent(SOURCE_FILE_COLUMN);
  // UNION BY NAME orders columns by first appearance; _source_file goes last, after the files' own columns.
  return `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * EXCLUDE (${file}), ${file} FROM (${selects.join("\nUNION ALL BY NAME\n")})`;
}

let partCounter = 0;

/**
 * Loads several files into one table, unioned by column name. Each file is read on its own with the reader of its
 * format (CSV files with every repair of `loadCsv`, so a bad header or a malformed row is reported per file), then
 * the tables are unioned: a column missing from a file is NULL there, spellings that differ only in case, spaces or
 * underscores are read into one column, and `_source_file` names each row's file. DuckDB's `UNION ALL BY NAME`
 * gives a column of different types in different files their common type (e.g. BIGINT and VARCHAR: VARCHAR).
 * @param db DuckDB database
 * @param table table to create (replaced if it exists)
 * @param files the files, in the order they are read (sorted by the caller)
 * @param options see {@link FileSetOptions}
 */
export async function loadFileSet(db: Database, table: string, files: SourceFile[], options: FileSetOptions): Promise<FileSetLoadResult> {
  const warnings: Warning[] = [];
  const parts: { table: string; path: string; columns: string[]; rows: number; sha256: Promise<string> }[] = [];
  try {
    for (const file of files) {
      const part = `_openbeat_part_${String(++partCounter)}`;
      const where = `${options.where}: ${file.path}`;
      const sha256 = sha256File(file.full);
      sha256.catch(() => undefined);
      let rows: number;
      if (options.format === "csv") {
        const csv = options.csv ?? {};
        let types = csv.types;
        if (types) {
          // A forced type applies to the files that have the column; yearly files often lack some.
          const header = fixHeaderNames(
            (await readCsvHeader(file.full, { delimiter: csv.delimiter, encoding: csv.encoding })).fields,
          ).names;
          const have = new Set(header.map((h) => h.toLowerCase()));
          types = Object.fromEntries(Object.entries(types).filter(([c]) => have.has(c.toLowerCase())));
        }
        const r = await loadCsv(db, part, file.full, { ...csv, types, where });
        for (const w of r.warnings) warnings.push({ ...w, file: file.path, message: w.message.replaceAll(file.full, file.path) });
        rows = r.rows;
      } else rows = (await loadNative(db, part, file.full, options.format, { where })).rows;
      parts.push({ table: part, path: file.path, columns: (await db.columns(part)).map((c) => c.name), rows, sha256 });
    }
    const drift = columnDrift(parts.map((p) => p.columns));
    try {
      await db.exec(unionFilesSql(table, parts, drift.names));
    } catch (e) {
      throw new UserError("source.load", msg.sourceFilesUnion(options.where, e instanceof Error ? e.message.split("\n")[0] : String(e)), {
        cause: e,
      });
    }
    const loaded: LoadedFile[] = [];
    for (let i = 0; i < parts.length; ++i)
      loaded.push({ path: parts[i].path, sha256: await parts[i].sha256, rows: parts[i].rows, ...drift.files[i] });
    const hash = createHash("sha256");
    for (const f of loaded) hash.update(`${f.sha256}  ${f.path}\n`);
    const drifting = loaded.filter((f) => f.added.length || f.missing.length || f.renamed.length);
    if (drifting.length) {
      warnings.push({
        code: "source.column_drift",
        message: msg.sourceColumnDrift(options.where, loaded),
        files: drifting.map((f) => ({ path: f.path, added: f.added, missing: f.missing, renamed: f.renamed })),
      });
    }
    return {
      rows: Number((await db.query(countRowsSql(table)))[0].n),
      files: loaded,
      columns: (await db.columns(table)).map((c) => c.name),
      sha256: hash.digest("hex"),
      warnings,
    };
  } finally {
    if (parts.length) await db.exec(dropTableSql(parts.map((p) => p.table)));
  }
}

/** How {@link loadSourceFileSet} resolves and checks one file (load-sources' `resolveSourcePath` for the source). */
export type ResolveFile = (path: string) => Promise<string>;

/**
 * Expands a source's list of paths and globs into files, checks each like a single source path (inside the study
 * file's folder or `--data`, an existing readable file), and loads them with {@link loadFileSet}. A glob's literal
 * leading folder is checked before it is listed, so a glob cannot list folders outside the allowed ones.
 * @param db DuckDB database
 * @param name source name (the table to create)
 * @param patterns the source's `path`: one glob, or a list of paths and globs
 * @param options `base` folder of relative paths, `format`, `where` for messages, `csv` options, `resolveFile`
 *   and `checkRoot` (throws for a folder outside the allowed ones)
 */
export async function loadSourceFileSet(
  db: Database,
  name: string,
  patterns: string | string[],
  options: FileSetOptions & {
    base: string;
    resolveFile: ResolveFile;
    checkRoot: (pattern: string, root: string) => void;
    studyFile: string;
  },
): Promise<FileSetLoadResult> {
  const files: SourceFile[] = [];
  const seen = new Set<string>();
  for (const pattern of typeof patterns === "string" ? [patterns] : patterns) {
    if (isGlob(pattern)) options.checkRoot(pattern, globRoot(options.base, pattern));
    const matched = await expandSourcePath(options.base, pattern);
    if (matched.length === 0) throw new UserError("source.missing", msg.sourceGlobEmpty(options.studyFile, name, pattern));
    for (const f of matched) {
      const full = await options.resolveFile(f.path);
      if (seen.has(full)) continue;
      seen.add(full);
      files.push({ path: f.path, full });
    }
  }
  return loadFileSet(db, name, files, options);
}
