import { open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { driverMessage, quoteIdent, quoteString, type Database } from "../Db.js";
import { UserError } from "../../util/errors.js";
import type { Warning } from "../../util/logger.js";
import * as msg from "../../util/messages.js";

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
}

/** The CSV dialect as detected (or given), for `inspect` and for messages. */
export interface CsvDialect {
  delimiter: string;
  /** Quote character, "" when the file uses none. */
  quote: string;
  /** Escape character, "" when none. */
  escape: string;
  /** Line ending: "\n", "\r\n" or "\r". */
  newline: string;
  /** Starts with a UTF-8 byte-order mark. */
  bom: boolean;
  encoding: string;
  /** Header fields exactly as in the file (BOM removed). */
  header: string[];
}

/** What {@link loadCsv} loaded. */
export interface CsvLoadResult {
  rows: number;
  dialect: CsvDialect;
  /** Warnings about the file (rejected rows, repeated headers, renamed columns); the caller decides where they go. */
  warnings: Warning[];
}

const ENCODINGS: Record<string, string> = {
  "utf-8": "utf-8",
  utf8: "utf-8",
  "latin-1": "latin-1",
  latin1: "latin-1",
  "iso-8859-1": "latin-1",
  "utf-16": "utf-16",
  utf16: "utf-16",
};

/**
 * DuckDB's name for an encoding, or a UserError naming the supported ones.
 * @param where file (and source) for the message
 */
export function csvEncoding(encoding: string | undefined, where = "csv"): string {
  if (encoding === undefined) return "utf-8";
  const e = ENCODINGS[encoding.toLowerCase()];
  if (!e) throw new UserError("source.encoding", msg.unsupportedEncoding(where, encoding, ["utf-8", "latin-1", "utf-16"]));
  return e;
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
      if (!TYPE_PATTERN.test(type)) {
        throw new UserError(
          "csv.type",
          `invalid type for column "${column}": ${JSON.stringify(type)} (expected a DuckDB type such as VARCHAR, BIGINT, DOUBLE, DATE, TIMESTAMP)`,
        );
      }
    }
    args.push(`types = {${types.map(([c, t]) => `${quoteString(c)}: ${quoteString(t)}`).join(", ")}}`);
  }
  if (options.timestampFormat !== undefined) args.push(`timestampformat = ${quoteString(options.timestampFormat)}`);
  if (options.rejects) {
    args.push(
      "store_rejects = true",
      `rejects_table = ${quoteString(options.rejects.table)}`,
      `rejects_scan = ${quoteString(options.rejects.scan)}`,
    );
  }
  return `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${args.join(", ")})`;
}

/** Lower-case letters and digits only: how a header name looks when repeated as `IncidentNumber` or `incident_number`. */
export function normalizeHeaderName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
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
  const matches = text
    .map(
      (c) =>
        `(regexp_replace(lower(${quoteIdent(c.name)}), '[^a-z0-9]', '', 'g') IS NOT DISTINCT FROM ${quoteString(normalizeHeaderName(c.name))})::INTEGER`,
    )
    .join(" + ");
  const nonNull = columns.map((c) => `(${quoteIdent(c.name)} IS NOT NULL)::INTEGER`).join(" + ");
  const need = Math.min(2, columns.length);
  const predicate = `((${matches}) >= ${need} AND 2 * (${matches}) >= (${nonNull}))`;
  return select === "predicate" ? predicate : `SELECT count(*)::INTEGER AS n FROM ${quoteIdent(table)} WHERE ${predicate}`;
}

/**
 * Parses the first record of a CSV file (handles quotes, doubled quotes and a BOM).
 * @param path file
 * @param options delimiter (default ","), quote (default `"`), encoding (default utf-8)
 */
export async function readCsvHeader(
  path: string,
  options: { delimiter?: string; quote?: string; encoding?: string } = {},
): Promise<{ fields: string[]; bom: boolean; newline: string }> {
  const delimiter = options.delimiter ?? ",";
  const quote = options.quote ?? '"';
  const handle = await open(path, "r");
  let bytes: Buffer;
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    bytes = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const encoding = csvEncoding(options.encoding);
  let text = new TextDecoder(encoding === "latin-1" ? "latin1" : encoding, { ignoreBOM: false }).decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  let newline = "\n";
  for (; i < text.length; ++i) {
    const ch = text[i];
    if (quoted) {
      if (ch === quote && text[i + 1] === quote) {
        field += ch;
        ++i;
      } else if (ch === quote) quoted = false;
      else field += ch;
    } else if (quote !== "" && ch === quote && field === "") quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      newline = ch === "\r" ? (text[i + 1] === "\n" ? "\r\n" : "\r") : "\n";
      break;
    } else field += ch;
  }
  if (field !== "" || fields.length || i > 0) fields.push(field);
  return { fields, bom, newline };
}

/**
 * Column names for a header: empty names become `column_N` (N counted from 1) and repeated names (DuckDB compares
 * names case-insensitively) get `_2`, `_3`, …
 * @param header header fields as in the file
 */
export function fixHeaderNames(header: string[]): { names: string[]; empty: string[]; duplicates: string[] } {
  const taken = new Set<string>();
  const names: string[] = [];
  const empty: string[] = [];
  const duplicates: string[] = [];
  const unique = (base: string) => {
    if (!taken.has(base.toLowerCase())) return base;
    for (let k = 2; ; ++k) if (!taken.has(`${base}_${k}`.toLowerCase())) return `${base}_${k}`;
  };
  const reserved = new Set(header.filter((h) => h.trim() !== "").map((h) => h.toLowerCase()));
  header.forEach((h, i) => {
    let name: string;
    if (h.trim() === "") {
      name = `column_${i + 1}`;
      while (reserved.has(name.toLowerCase()) || taken.has(name.toLowerCase())) name += "_";
      empty.push(name);
    } else {
      name = unique(h);
      if (name !== h) duplicates.push(`${h} -> ${name}`);
    }
    taken.add(name.toLowerCase());
    names.push(name);
  });
  return { names, empty, duplicates };
}

/**
 * Detects the dialect of a CSV file with DuckDB's sniffer plus a look at the raw header.
 * @param db DuckDB database
 * @param path file
 * @param options user's delimiter and encoding, when given
 */
export async function sniffCsv(db: Database, path: string, options: CsvOptions = {}): Promise<CsvDialect> {
  const args = [quoteString(path), "header = true", "ignore_errors = true"];
  if (options.delimiter !== undefined) args.push(`delim = ${quoteString(options.delimiter)}`);
  if (options.encoding !== undefined) args.push(`encoding = ${quoteString(csvEncoding(options.encoding))}`);
  const [row] = await db.query(
    `SELECT "Delimiter" AS d, "Quote" AS q, "Escape" AS e, "NewLineDelimiter" AS n FROM sniff_csv(${args.join(", ")})`,
  );
  const clean = (v: unknown) => (v === "(empty)" || v == null ? "" : String(v));
  const delimiter = options.delimiter ?? clean(row.d);
  const quote = clean(row.q);
  const { fields, bom, newline } = await readCsvHeader(path, { delimiter, quote: quote || '"', encoding: options.encoding });
  return { delimiter, quote, escape: clean(row.e), newline, bom, encoding: csvEncoding(options.encoding), header: fields };
}

let rejectCounter = 0;

/**
 * Loads a CSV file into a table, robust to the usual export problems: a BOM and CRLF, empty or duplicate header
 * names (renamed, with a warning), repeated header lines inside the data (dropped, with a warning) and a few
 * malformed rows (skipped, with a `csv.rejected_rows` warning). Values are kept as they are (no trimming).
 * Throws a UserError for an empty file, a file DuckDB cannot read, or one where most rows are malformed.
 * @param db DuckDB database
 * @param table table to create (replaced if it exists)
 * @param path file
 * @param options see {@link CsvOptions}; `where` prefixes error messages (default: the path)
 */
export async function loadCsv(
  db: Database,
  table: string,
  path: string,
  options: CsvOptions & { where?: string } = {},
): Promise<CsvLoadResult> {
  const where = options.where ?? path;
  if ((await stat(path)).size === 0) throw new UserError("source.empty", msg.sourceEmpty(where));
  const fail = async (e: unknown): Promise<never> => {
    if (e instanceof UserError) throw e;
    const message = driverMessage(e);
    const full = e instanceof Error ? `${e.message}\n${(e.cause as Error | undefined)?.message ?? ""}` : String(e);
    if (/maximum line size/i.test(full)) {
      const long = await longestLine(path);
      if (long.bytes > MAX_LINE_BYTES)
        throw new UserError("csv.line_too_long", msg.csvLineTooLong(where, long.line, long.bytes, MAX_LINE_BYTES), { cause: e });
      // No physical line is that long: a quote opened and never closed made the reader join lines into one field.
      const quote = await unbalancedQuoteLine(path);
      if (quote !== null) throw new UserError("csv.unbalanced_quote", msg.csvUnclosedQuote(where, quote), { cause: e });
    }
    if (/invalid unicode/i.test(message))
      throw new UserError("csv.encoding", msg.csvNotUtf8(where, Number(/line[: ]+(\d+)/i.exec(message)?.[1] ?? 0) || 1), { cause: e });
    throw new UserError("source.load", msg.sourceLoadFailed(where, message), { cause: e });
  };
  const warnings: Warning[] = [];
  const dialect = await sniffCsv(db, path, options).catch(fail);
  const fixed = fixHeaderNames(dialect.header);
  if (fixed.empty.length) {
    warnings.push({ code: "csv.empty_header", message: msg.csvEmptyHeader(path, fixed.empty), file: path, columns: fixed.empty });
  }
  if (fixed.duplicates.length) {
    warnings.push({
      code: "csv.duplicate_header",
      message: msg.csvDuplicateHeader(path, fixed.duplicates),
      file: path,
      columns: fixed.duplicates,
    });
  }
  const renamed = fixed.empty.length > 0 || fixed.duplicates.length > 0;
  const n = ++rejectCounter;
  const rejects = { table: `_openbeat_rejects_${n}`, scan: `_openbeat_reject_scans_${n}` };
  const base: CsvOptions = {
    delimiter: dialect.delimiter,
    encoding: options.encoding,
    allText: options.allText,
    types: options.types,
    timestampFormat: options.timestampFormat,
    names: renamed ? fixed.names : options.names,
  };
  let rows: number;
  let rejected: { n: number; first: number | null; reason: string | null; unicode: number | null };
  try {
    await db.exec(loadCsvSql(table, path, { ...base, rejects }));
    rows = Number((await db.query(`SELECT count(*)::INTEGER AS n FROM ${quoteIdent(table)}`))[0].n);
    const [r] = await db.query(
      `SELECT count(DISTINCT line)::INTEGER AS n, min(line)::INTEGER AS first, arg_min(error_message, line) AS reason,
              (min(line) FILTER (WHERE error_message ILIKE '%invalid unicode%'))::INTEGER AS unicode FROM ${quoteIdent(rejects.table)}`,
    );
    rejected = {
      n: Number(r.n),
      first: r.first == null ? null : Number(r.first),
      reason: r.reason == null ? null : String(r.reason),
      unicode: r.unicode == null ? null : Number(r.unicode),
    };
  } catch (e) {
    return await fail(e);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(rejects.table)}; DROP TABLE IF EXISTS ${quoteIdent(rejects.scan)}`);
  }
  if (rejected.unicode !== null) {
    // Skipping the rows with accented names would bias the data; the whole file is in another encoding.
    await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
    throw new UserError("csv.encoding", msg.csvNotUtf8(where, rejected.unicode));
  }
  if (rejected.n > 0) {
    const total = rows + rejected.n;
    if (rejected.n * 2 > total) {
      await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      const quoteLine = dialect.quote === "" ? await unbalancedQuoteLine(path) : null;
      if (quoteLine !== null) throw new UserError("csv.unbalanced_quote", msg.csvUnbalancedQuote(where, quoteLine, rejected.n, total));
      throw new UserError(
        "csv.rejected_rows",
        msg.csvMostlyRejected(where, rejected.n, total, rejected.first ?? 0, rejected.reason ?? "malformed"),
      );
    }
    warnings.push({
      code: "csv.rejected_rows",
      message: msg.csvRejectedRows(path, rejected.n, rejected.first ?? 0, rejected.reason ?? "malformed"),
      file: path,
      rows: rejected.n,
      first_line: rejected.first,
    });
  }
  const loaded = (await db.columns(table)).map((c) => c.name);
  for (const column of Object.keys(options.types ?? {})) {
    if (!loaded.includes(column)) {
      await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      throw new UserError("csv.type_column", msg.columnNotFound(where, column, table, loaded));
    }
  }
  const headerRows = await dropRepeatedHeaders(db, table, path, base).catch(fail);
  if (headerRows > 0) {
    rows -= headerRows;
    warnings.push({ code: "csv.repeated_header", message: msg.csvRepeatedHeader(path, headerRows), file: path, rows: headerRows });
  }
  if (rows === 0) warnings.push({ code: "csv.header_only", message: msg.csvHeaderOnly(path), file: path, rows: 0 });
  return { rows, dialect, warnings };
}

/**
 * Removes header lines repeated inside the data. They can force a column to VARCHAR, so the file is re-read as
 * text without them, written to a temporary CSV and loaded again with the same options: types are then sniffed
 * from the real rows only. Returns the number of rows dropped.
 */
async function dropRepeatedHeaders(db: Database, table: string, path: string, options: CsvOptions): Promise<number> {
  const columns = await db.columns(table);
  const count = repeatedHeaderSql(table, columns, "count");
  if (!count) return 0;
  const found = Number((await db.query(count))[0].n);
  if (found === 0) return 0;
  const textColumns = columns.map((c) => ({ name: c.name, type: "VARCHAR" }));
  const predicate = repeatedHeaderSql(table, textColumns, "predicate");
  const args = [
    quoteString(path),
    "header = true",
    "all_varchar = true",
    "ignore_errors = true",
    `delim = ${quoteString(options.delimiter ?? ",")}`,
  ];
  if (options.encoding !== undefined) args.push(`encoding = ${quoteString(csvEncoding(options.encoding))}`);
  if (options.names?.length) args.push(`names = [${options.names.map(quoteString).join(", ")}]`);
  const temp = join(tmpdir(), `openbeat-${randomUUID()}.csv`);
  try {
    await db.exec(
      `COPY (SELECT * FROM read_csv(${args.join(", ")}) WHERE NOT ${predicate}) TO ${quoteString(temp)} (HEADER, DELIMITER ',')`,
    );
    await db.exec(loadCsvSql(table, temp, { ...options, delimiter: ",", encoding: undefined, names: undefined }));
  } finally {
    await rm(temp, { force: true });
  }
  return found;
}

/**
 * First line (1-based) with an odd number of double quotes, or null. Only meaningful when the sniffer found no
 * quote character: a single unclosed quote is what makes it give up on quoting.
 */
async function unbalancedQuoteLine(path: string): Promise<number | null> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(1 << 20);
    let line = 1;
    let quotes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return quotes % 2 ? line : null;
      for (let i = 0; i < bytesRead; ++i) {
        const b = buffer[i];
        if (b === 0x22) ++quotes;
        else if (b === 0x0a) {
          if (quotes % 2) return line;
          ++line;
          quotes = 0;
        }
      }
    }
  } finally {
    await handle.close();
  }
}

/** DuckDB's default max_line_size: longer lines cannot be read. */
const MAX_LINE_BYTES = 2_000_000;

/** The longest line of a file (1-based number and length in bytes). */
async function longestLine(path: string): Promise<{ line: number; bytes: number }> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(1 << 20);
    let line = 1;
    let length = 0;
    let best = { line: 1, bytes: 0 };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      for (let i = 0; i < bytesRead; ++i) {
        if (buffer[i] === 0x0a) {
          if (length > best.bytes) best = { line, bytes: length };
          ++line;
          length = 0;
        } else ++length;
      }
      if (bytesRead === 0) return length > best.bytes ? { line, bytes: length } : best;
    }
  } finally {
    await handle.close();
  }
}
