/**
 * Builders of the statements that read CSV files with DuckDB (`read_csv`, `sniff_csv`, the rejects tables). Each
 * returns SQL text and runs nothing; all are DuckDB's dialect.
 */
import { UserError } from "../../util/errors.js";
import * as msg from "../../util/messages.js";
import { quoteIdent, quoteString } from "../Db.js";
import { csvEncoding } from "../sources/csv-encoding.js";

/** How a CSV file is read. Every field is optional; DuckDB detects what is not given. */
export interface CsvOptions {
  /** Field delimiter, one character (default: detected). */
  delimiter?: string;
  /** Read every column as VARCHAR (default false). */
  allText?: boolean;
  /** Forced column types by column name, e.g. `{ INCIDENT_NUMBER: "VARCHAR" }`. */
  types?: Record<string, string>;
  /** strftime-style format for timestamp columns, e.g. `%m/%d/%Y %H:%M`. */
  timestampFormat?: string;
  /** Character encoding: utf-8 (default), latin-1 or utf-16. */
  encoding?: string;
  /** Column names replacing the header's (same count as the header). */
  names?: string[];
  /** Keep malformed rows out of the table and record them in these temporary tables (DuckDB `store_rejects`). */
  rejects?: { table: string; scan: string };
  /**
   * Fail on any row that does not fit instead of adjusting the reading to it: the header is line 1 (the sniffer
   * may otherwise skip leading lines to find a consistent table).
   */
  strict?: boolean;
}

const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])?$/;

/**
 * Builds (does not run) `CREATE OR REPLACE TABLE table AS SELECT * FROM read_csv(…)`.
 * Types are sniffed over the whole file (`sample_size = -1`), the first line is always the header, and DuckDB
 * handles a UTF-8 BOM and CRLF line ends itself. With `rejects`, malformed rows (wrong field count, failed casts)
 * are skipped and recorded instead of failing the load.
 * @param table table name (quoted here)
 * @param path file path as DuckDB should open it
 * @param options see {@link CsvOptions}
 */
export function loadCsvSql(table: string, path: string, options: CsvOptions = {}): string {
  const args = [quoteString(path), "header = true", "sample_size = -1"];
  if (options.delimiter !== undefined) args.push(`delim = ${quoteString(options.delimiter)}`);
  if (options.encoding !== undefined) args.push(`encoding = ${quoteString(csvEncoding(options.encoding))}`);
  if (options.allText) args.push("all_varchar = true");
  if (options.names?.length) args.push(`names = [${options.names.map(quoteString).join(", ")}]`);
  const types = Object.entries(options.types ?? {});
  if (types.length) {
    for (const [column, type] of types) {
      if (!TYPE_PATTERN.test(type)) throw new UserError("csv.type", msg.csvInvalidType(column, type));
    }
    args.push(`types = {${types.map(([c, t]) => `${quoteString(c)}: ${quoteString(t)}`).join(", ")}}`);
  }
  if (options.timestampFormat !== undefined) args.push(`timestampformat = ${quoteString(options.timestampFormat)}`);
  if (options.strict) args.push("skip = 0");
  if (options.rejects) {
    args.push(
      "store_rejects = true",
      `rejects_table = ${quoteString(options.rejects.table)}`,
      `rejects_scan = ${quoteString(options.rejects.scan)}`,
    );
  }
  return `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${args.join(", ")})`;
}

/**
 * `SELECT … FROM sniff_csv(…)`: the delimiter (`d`), quote (`q`), escape (`e`) and line end (`n`) DuckDB detects.
 * @param path file
 * @param options the user's delimiter and encoding, when given
 */
export function sniffCsvSql(path: string, options: Pick<CsvOptions, "delimiter" | "encoding"> = {}): string {
  const args = [quoteString(path), "header = true", "ignore_errors = true"];
  if (options.delimiter !== undefined) args.push(`delim = ${quoteString(options.delimiter)}`);
  if (options.encoding !== undefined) args.push(`encoding = ${quoteString(csvEncoding(options.encoding))}`);
  return `SELECT "Delimiter" AS d, "Quote" AS q, "Escape" AS e, "NewLineDelimiter" AS n FROM sniff_csv(${args.join(", ")})`;
}

/**
 * Summary of a rejects table written by {@link loadCsvSql}: distinct rejected lines (`n`), the first (`first`), its
 * reason (`reason`) and the first line rejected for invalid unicode (`unicode`, or NULL).
 * @param rejectsTable the `rejects.table` given to {@link loadCsvSql}
 */
export function csvRejectsSql(rejectsTable: string): string {
  return `SELECT count(DISTINCT line)::INTEGER AS n, min(line)::INTEGER AS first, arg_min(error_message, line) AS reason,
              (min(line) FILTER (WHERE error_message ILIKE '%invalid unicode%'))::INTEGER AS unicode FROM ${quoteIdent(rejectsTable)}`;
}

/** Lower-case letters and digits only: how a header name looks when repeated as `IncidentNumber` or `incident_number`. */
export function normalizeHeaderName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Characters whose lower case holds an ASCII letter (U+0130 → "i̇", U+212A → "k"): lower-casing and keeping
 * [a-z0-9] turns them into that letter, so they spell it rather than sit between the name's letters.
 */
const FOLDS_TO: Record<string, string> = { i: "\u0130", k: "\u212a" };

/**
 * A regular expression (RE2, full match) that a cell matches exactly when its letters and digits, lower-cased as
 * {@link normalizeHeaderName} does, spell `name`.
 * @param name a header name as {@link normalizeHeaderName} gives it (lower-case letters and digits)
 */
export function headerNamePattern(name: string): string {
  const other = `[^A-Za-z0-9${Object.values(FOLDS_TO).join("")}]*`;
  const spell = (ch: string) => (/[a-z]/.test(ch) ? `[${ch}${ch.toUpperCase()}${FOLDS_TO[ch] ?? ""}]` : ch);
  return other + name.split("").map(spell).join(other) + other;
}

/**
 * Builds a query counting rows that repeat the header inside the data (exports concatenated from pieces).
 * A row counts when at least two of its cells (one, for a one-column table) equal their column's name up to case
 * and punctuation, and those cells are at least half of its non-empty cells.
 * @param table loaded table
 * @param columns the table's columns; only VARCHAR ones can hold header text
 * @param select `count` for the number of such rows, `predicate` for the bare WHERE condition
 */
export function repeatedHeaderSql(
  table: string,
  columns: { name: string; type: string }[],
  select: "count" | "predicate" = "count",
): string | null {
  const text = columns.filter((c) => c.type === "VARCHAR" && normalizeHeaderName(c.name) !== "");
  if (!text.length) return null;
  // One anchored regular expression per cell (linear time): the name's letters and digits in order, any case,
  // with anything else around and between them. A subsequence LIKE first was no filter on long text cells
  // (offence descriptions hold "uordesc" in order), and the replace behind it cost 22 s on 10M rows.
  const matches = text
    .map(
      (c) =>
        `coalesce(regexp_full_match(${quoteIdent(c.name)}, ${quoteString(headerNamePattern(normalizeHeaderName(c.name)))}), false)::INTEGER`,
    )
    .join(" + ");
  const nonNull = columns.map((c) => `(${quoteIdent(c.name)} IS NOT NULL)::INTEGER`).join(" + ");
  const need = Math.min(2, columns.length);
  const predicate = `((${matches}) >= ${need} AND 2 * (${matches}) >= (${nonNull}))`;
  return select === "predicate" ? predicate : `SELECT count(*)::INTEGER AS n FROM ${quoteIdent(table)} WHERE ${predicate}`;
}

/**
 * `COPY (SELECT * FROM read_csv(path, all text) WHERE NOT predicate) TO temp`: the file as text without the rows
 * matching `predicate` (repeated header lines), written as a comma-separated CSV with a header.
 * @param path source file
 * @param temp CSV file to write
 * @param predicate a condition from {@link repeatedHeaderSql} (`predicate`)
 * @param options delimiter (default ","), encoding and replacement names the file was loaded with
 */
export function copyCsvWithoutRowsSql(
  path: string,
  temp: string,
  predicate: string,
  options: Pick<CsvOptions, "delimiter" | "encoding" | "names"> = {},
): string {
  const args = [
    quoteString(path),
    "header = true",
    "all_varchar = true",
    "ignore_errors = true",
    `delim = ${quoteString(options.delimiter ?? ",")}`,
  ];
  if (options.encoding !== undefined) args.push(`encoding = ${quoteString(csvEncoding(options.encoding))}`);
  if (options.names?.length) args.push(`names = [${options.names.map(quoteString).join(", ")}]`);
  return `COPY (SELECT * FROM read_csv(${args.join(", ")}) WHERE NOT ${predicate}) TO ${quoteString(temp)} (HEADER, DELIMITER ',')`;
}

/**
 * `CREATE OR REPLACE TABLE table AS SELECT * FROM read_csv(path, header, columns = {…})`: a CSV whose columns and
 * types are known (one that openbeat wrote itself).
 * @param table table to create
 * @param path CSV file with a header line
 * @param columns names and DuckDB types, in file order
 */
export function loadCsvWithColumnsSql(table: string, path: string, columns: { name: string; type: string }[]): string {
  const types = columns.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(", ");
  return `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${quoteString(path)}, header = true, columns = {${types}})`;
}
