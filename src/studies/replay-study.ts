import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { QueryError, quoteIdent, quoteString, type Db } from "../data/Db.js";
import { loadSources, sourceFormat } from "../data/load-sources.js";
import { isFileSet } from "../data/sources/expand-source-paths.js";
import { fixHeaderNames, sniffCsv } from "../data/sources/load-csv.js";
import { lockDownDuckDb } from "../data/sandbox.js";
import type { SourceSpec } from "../data/sources/source-spec.js";
import type { InputInfo } from "../results/types.js";
import { isUserError, UserError } from "../util/errors.js";
import { Logger } from "../util/logger.js";
import * as msg from "../util/messages.js";
import { ANALYSIS, analysisTableName, prepareAnalysisTable } from "./analysis-table.js";
import { runPrepare } from "./prepare.js";
import type { StudySpec } from "./registry.js";

/** New files that take the place of a study's sources: source name to the files, as given on the command line. */
export type SourceReplacements = Map<string, string[]>;

/** Options for {@link replayStudy}. */
export interface ReplayOptions {
  /** The study file's path as recorded (the manifest's `study_file`) or given; its own source paths are relative to it. */
  studyFile: string;
  /** Folder the study's own source paths are relative to instead (`--data DIR`), for sources that are not replaced. */
  dataDir?: string;
  /** Receives the loaders' warnings and one line per source and step. */
  logger: Logger;
  /** Longest a prepare step may run, in milliseconds (0 or absent: no limit). */
  timeoutMs?: number;
  /**
   * Columns of the analysis table that the caller reads (features, id, date): a column a new export lacks may be
   * read as empty only when these do not depend on it.
   */
  keep?: string[];
  /** Each source's column types as loaded in the run (the manifest's `source_columns`), forced on new CSV files. */
  sourceTypes?: Record<string, Record<string, string>>;
  /** Accept the study's own source paths outside its folder and `dataDir`. */
  allowOutsidePaths?: boolean;
  /** The study file's text, so that a failing prepare step names the line of its SQL that failed. */
  studyText?: string;
}

/** What {@link replayStudy} made. */
export interface ReplayResult {
  /** The analysis table, sorted and numbered `_row` as in a run ({@link ANALYSIS}). */
  table: string;
  rows: number;
  /** Each source as loaded: the new files of the replaced ones, the study's own files of the rest. */
  inputs: InputInfo[];
}

/**
 * A source's loading rules (format, delimiter, types, timestamp format, encoding, all_text) applied to new files:
 * the study's `path` (or portal dataset) is replaced by `files`, made absolute against the working folder.
 */
export function replacedSource(spec: SourceSpec, files: string[]): SourceSpec {
  const { socrata, arcgis, url, ...rules } = spec;
  const portal = socrata !== undefined || arcgis !== undefined || url !== undefined;
  const full = files.map((f) => resolve(f));
  return {
    ...rules,
    // A portal source was fetched as CSV or GeoJSON by its connector: the new file's own extension tells which.
    ...(portal ? { format: undefined } : {}),
    // A source that read several files keeps its `_source_file` column (a list of one file still makes one).
    path: full.length === 1 && !(spec.path !== undefined && isFileSet(spec.path)) ? full[0] : full,
  };
}

/**
 * A replaced source that reads one CSV file, with the types its columns had in the run (`recorded`, from the
 * manifest's `source_columns`) forced for the columns the new file has, so that DuckDB's guess on the new rows (a
 * month of codes `01`…`09` looks like numbers) does not change what the prepare SQL sees; the study's own `types`
 * win. Other sources, and sources read as text (`all_text`), are returned as they are.
 * @param db the database (only the file's header is read)
 * @param spec the replaced source (see {@link replacedSource})
 * @param recorded column name to DuckDB type, as loaded in the run
 */
export async function withRecordedTypes(db: Db, spec: SourceSpec, recorded: Record<string, string> | undefined): Promise<SourceSpec> {
  if (!recorded || spec.all_text || typeof spec.path !== "string" || sourceFormat(spec.path, spec.format) !== "csv") return spec;
  const dialect = await sniffCsv(db, spec.path, { delimiter: spec.delimiter, encoding: spec.encoding }).catch(() => null);
  // A file the sniffer cannot read is left to the loader, which words the error.
  if (!dialect) return spec;
  const present = new Set(fixHeaderNames(dialect.header).names);
  const types = Object.fromEntries(Object.entries(recorded).filter(([c, t]) => present.has(c) && CSV_TYPE.test(t)));
  return Object.keys(types).length ? { ...spec, types: { ...types, ...spec.types } } : spec;
}

/** DuckDB types read_csv can force: plain scalar type names (no nested or geometry types). */
const CSV_TYPE =
  /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|DATE|TIME|TIMESTAMP|TIMESTAMP WITH TIME ZONE)$/;

/** Column names DuckDB reports as not found in a binder error (`Referenced column "X" not found`, `does not have a column named "X"`). */
export function missingColumnOf(message: string): string | null {
  const m =
    /Referenced column "([^"]+)" not found/.exec(message) ??
    /does not have a column named "([^"]+)"/.exec(message) ??
    /Column "([^"]+)" referenced that exists in the SELECT clause/.exec(message);
  return m ? m[1] : null;
}

/**
 * Replays a study's data steps on new exports: each replaced source is loaded from its new files with the study's
 * loading rules, the others from the study's own paths, then the prepare SQL runs on the locked engine (as in a
 * run) and the analysis table is materialised as {@link ANALYSIS}, sorted by every column. A new export that lacks
 * a column the prepare SQL reads is a one-line error naming the file and the column (`score.export_column`).
 * @param db an empty DuckDB database (it is locked for the prepare SQL and stays locked)
 * @param spec the study
 * @param replacements new files by source name
 * @param options see {@link ReplayOptions}
 */
export async function replayStudy(
  db: Db,
  spec: StudySpec,
  replacements: SourceReplacements,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const { studyFile, logger } = options;
  const names = Object.keys(spec.sources);
  for (const name of replacements.keys()) {
    if (!Object.hasOwn(spec.sources, name)) throw new UserError("score.source_unknown", msg.scoreSourceUnknown(studyFile, name, names));
  }
  for (const [name, files] of replacements) {
    for (const f of files) {
      const s = await stat(f).catch(() => null);
      if (!s?.isFile())
        throw new UserError("score.input_missing", msg.scoreExportNotFound(f, name, s ? "is not a regular file" : "not found"));
    }
  }
  const replaced: Record<string, SourceSpec> = {};
  const own: Record<string, SourceSpec> = {};
  for (const [name, source] of Object.entries(spec.sources)) {
    const files = replacements.get(name);
    if (files) replaced[name] = await withRecordedTypes(db, replacedSource(source, files), options.sourceTypes?.[name]);
    else if (source.path === undefined) throw new UserError("score.source_needed", msg.scoreSourceNeeded(studyFile, name));
    else own[name] = source;
  }
  // The files named on the command line are the user's own: they may lie anywhere. The study's own paths keep the
  // rule of a run (inside the study file's folder or --data).
  const inputs = [
    ...(await loadSources(db, { sources: replaced }, { studyFile, logger, allowOutsidePaths: true })),
    ...(await loadSources(
      db,
      { sources: own },
      { studyFile, dataDir: options.dataDir, logger, allowOutsidePaths: options.allowOutsidePaths },
    )),
  ];
  // The database keeps the spill folder it was opened with (Db.open's own): the load above may have used it.
  await lockDownDuckDb(db, { allowedDirectories: [] });
  const table = analysisTableName(spec, studyFile);
  const filled = await runStepsFilling(db, spec, replacements, options);
  if (filled.length) {
    // A column the new export lacks was read as empty: allowed only when the columns scoring reads do not depend
    // on it (the target usually), which a second pass with the column set to a value shows.
    const keep = (options.keep ?? []).filter(Boolean);
    await db.exec(`CREATE TABLE ${quoteIdent(PROBE)} AS SELECT ${keep.map(quoteIdent).join(", ") || "1"} FROM ${quoteIdent(table)}`);
    const values = probeValues(spec.prepare.map((p) => p.sql));
    for (const f of filled) {
      for (const value of values) {
        await setFilled(db, [f], quoteString(value));
        // A value the SQL cannot use (a failed cast) says nothing about dependence: the next one is tried.
        const ran = await runSteps(db, spec, options).then(
          () => true,
          (e: unknown) => {
            if (isUserError(e) && e.code === "prepare.sql") return false;
            throw e;
          },
        );
        if (ran && (await differs(db, PROBE, table, keep)))
          throw new UserError(
            "score.export_column",
            msg.scoreExportColumn([{ source: f.source, files: f.files }], f.column, studyFile, f.step),
          );
      }
      await setFilled(db, [f], "NULL");
    }
    await runSteps(db, spec, options);
    await db.exec(`DROP TABLE ${quoteIdent(PROBE)}`);
    for (const f of filled) logger.info(msg.scoreColumnFilled(f.files, f.source, f.column));
  }
  for (const step of spec.prepare) {
    const [{ n }] = await db.query(`SELECT count(*)::INTEGER AS n FROM ${quoteIdent(step.name)}`);
    logger.info(`  prepared ${step.name}: ${Number(n).toLocaleString("en-US")} rows`);
  }
  const rows = await prepareAnalysisTable(db, table, studyFile);
  return { table: ANALYSIS, rows, inputs };
}

/**
 * The replaced sources whose loaded table has no column `column` (DuckDB compares names without case), each with
 * its new files, for messages.
 */
export async function sourcesLacking(
  db: Db,
  replacements: SourceReplacements,
  column: string,
): Promise<{ source: string; files: string[] }[]> {
  const out: { source: string; files: string[] }[] = [];
  for (const [source, files] of replacements) {
    const have = (await db.columns(source)).map((c) => c.name.toLowerCase());
    if (!have.includes(column.toLowerCase())) out.push({ source, files });
  }
  return out;
}

/** Scratch table of the columns scoring reads, from the pass with the filled columns empty. */
const PROBE = "_openbeat_score_probe";

/** A column a new export lacks, added to its source table as empty text. */
interface FilledColumn {
  source: string;
  files: string[];
  column: string;
  /** The first step that read it. */
  step: string;
}

/** Drops the tables of an earlier pass over the prepare steps. */
async function dropStepTables(db: Db, spec: StudySpec): Promise<void> {
  for (const step of spec.prepare) await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(step.name)}`);
}

/** Runs every prepare step, dropping the tables of an earlier pass first. */
async function runSteps(db: Db, spec: StudySpec, options: ReplayOptions): Promise<void> {
  await dropStepTables(db, spec);
  for (const step of spec.prepare) await runStep(db, spec, step, options);
}

async function runStep(db: Db, spec: StudySpec, step: StudySpec["prepare"][number], options: ReplayOptions): Promise<void> {
  // Steps may run more than once (see runStepsFilling): their row counts are printed once, by replayStudy.
  await runPrepare(db, { ...spec, prepare: [step] }, options.studyFile, step.name, new Logger({ silent: true }), undefined, {
    timeoutMs: options.timeoutMs,
    text: options.studyText,
    firstStep: spec.prepare.indexOf(step),
  });
}

/**
 * Runs the prepare steps; when a step reads a column that a replaced source's new files lack, the column is added to
 * that source as empty text (NULL) and the steps run again. Returns the columns added.
 */
async function runStepsFilling(db: Db, spec: StudySpec, replacements: SourceReplacements, options: ReplayOptions): Promise<FilledColumn[]> {
  const filled: FilledColumn[] = [];
  for (;;) {
    try {
      await dropStepTables(db, spec);
      for (const step of spec.prepare) {
        try {
          await runStep(db, spec, step, options);
        } catch (e) {
          const column =
            isUserError(e) && e.code === "prepare.sql" && e.cause instanceof QueryError ? missingColumnOf(e.cause.message) : null;
          const lacking = column ? await sourcesLacking(db, replacements, column) : [];
          if (!column || !lacking.length) throw e;
          // Tried once already, or more than a few: the step needs it for more than an unused column.
          if (filled.some((f) => f.column.toLowerCase() === column.toLowerCase()) || filled.length >= MAX_FILLED)
            throw new UserError("score.export_column", msg.scoreExportColumn(lacking, column, options.studyFile, step.name), { cause: e });
          throw new MissingColumn(column, lacking, step.name, e);
        }
      }
      return filled;
    } catch (e) {
      if (!(e instanceof MissingColumn)) throw e;
      for (const l of e.lacking) {
        await db.exec(`ALTER TABLE ${quoteIdent(l.source)} ADD COLUMN ${quoteIdent(e.column)} VARCHAR`);
        filled.push({ source: l.source, files: l.files, column: e.column, step: e.step });
      }
    }
  }
}

/** Columns a new export may lack before replaying gives up (each costs a pass over the prepare SQL). */
const MAX_FILLED = 8;

/** A prepare step read a column that replaced sources lack. */
class MissingColumn extends Error {
  constructor(
    readonly column: string,
    readonly lacking: { source: string; files: string[] }[],
    readonly step: string,
    cause: unknown,
  ) {
    super(`missing column ${column}`, { cause });
  }
}

/**
 * Values a filled column is set to, one pass each, to see whether the columns scoring reads depend on it: a few
 * generic ones and every literal of the prepare SQL (a feature made by `col = 'Y'` or `col IN ('A', 'B')` changes
 * only for those values), at most {@link MAX_PROBES}.
 * @param sqls the prepare steps' SQL
 */
export function probeValues(sqls: string[]): string[] {
  const values = new Set(["1", "0", "true", "false", "Y", "N"]);
  for (const sql of sqls) {
    for (const m of sql.matchAll(/'((?:[^']|'')*)'/g)) values.add(m[1].replaceAll("''", "'"));
    for (const m of sql.matchAll(/(?<![\w."])(-?\d+(?:\.\d+)?)(?![\w."])/g)) values.add(m[1]);
  }
  return [...values].slice(0, MAX_PROBES);
}

/** Most passes per filled column (each runs the prepare SQL once). */
const MAX_PROBES = 40;

/** Sets every filled column to `value` (an SQL literal). */
async function setFilled(db: Db, filled: FilledColumn[], value: string): Promise<void> {
  for (const f of filled) await db.exec(`UPDATE ${quoteIdent(f.source)} SET ${quoteIdent(f.column)} = ${value}`);
}

/** True when the columns `keep` of tables `a` and `b` differ as multisets of rows (or the tables differ in rows). */
async function differs(db: Db, a: string, b: string, keep: string[]): Promise<boolean> {
  const cols = keep.map(quoteIdent).join(", ") || "1";
  const [r] = await db.query(
    `SELECT (SELECT count(*) FROM (SELECT ${cols} FROM ${quoteIdent(a)} EXCEPT ALL SELECT ${cols} FROM ${quoteIdent(b)}))::INTEGER
          + (SELECT count(*) FROM (SELECT ${cols} FROM ${quoteIdent(b)} EXCEPT ALL SELECT ${cols} FROM ${quoteIdent(a)}))::INTEGER AS n`,
  );
  return Number(r.n) > 0;
}
