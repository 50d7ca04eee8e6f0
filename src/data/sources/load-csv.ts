import { open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { driverMessage, type Database } from "../Db.js";
import { copyCsvWithoutRowsSql, csvRejectsSql, loadCsvSql, repeatedHeaderSql, sniffCsvSql, type CsvOptions } from "../sql/csv.js";
import { countRowsSql, dropTableSql } from "../sql/tables.js";
import { UserError } from "../../util/errors.js";
import type { Warning } from "../../util/logger.js";
import * as msg from "../../util/messages.js";
import { csvEncoding } from "./csv-encoding.js";

export { csvEncoding } from "./csv-encoding.js";
export { loadCsvSql, normalizeHeaderName, repeatedHeaderSql } from "../sql/csv.js";
export type { CsvOptions } from "../sql/csv.js";

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
  const [row] = await db.query(sniffCsvSql(path, options));
  const clean = (v: unknown) => (typeof v === "string" && v !== "(empty)" ? v : "");
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
  // A strict read first: most files have no malformed row, and recording rejects costs a third more time (7 s of
  // 21 s on a 10M-row file). Any error sends the file to the read that keeps malformed rows out, as before; on the
  // files that read either way, both give the same table (checked on every CSV of the test fixtures and the data).
  const clean = await db.exec(loadCsvSql(table, path, { ...base, strict: true })).then(
    () => true,
    () => false,
  );
  if (clean) {
    rows = Number((await db.query(countRowsSql(table)))[0].n);
    rejected = { n: 0, first: null, reason: null, unicode: null };
  } else {
    try {
      await db.exec(loadCsvSql(table, path, { ...base, rejects }));
      rows = Number((await db.query(countRowsSql(table)))[0].n);
      const [r] = await db.query(csvRejectsSql(rejects.table));
      rejected = {
        n: Number(r.n),
        first: r.first == null ? null : Number(r.first),
        reason: typeof r.reason === "string" ? r.reason : null,
        unicode: r.unicode == null ? null : Number(r.unicode),
      };
    } catch (e) {
      return await fail(e);
    } finally {
      await db.exec(dropTableSql([rejects.table, rejects.scan]));
    }
  }
  if (rejected.unicode !== null) {
    // Skipping the rows with accented names would bias the data; the whole file is in another encoding.
    await db.exec(dropTableSql(table));
    throw new UserError("csv.encoding", msg.csvNotUtf8(where, rejected.unicode));
  }
  if (rejected.n > 0) {
    const total = rows + rejected.n;
    if (rejected.n * 2 > total) {
      await db.exec(dropTableSql(table));
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
      await db.exec(dropTableSql(table));
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
  if (predicate === null) return 0;
  const temp = join(tmpdir(), `openbeat-${randomUUID()}.csv`);
  try {
    await db.exec(copyCsvWithoutRowsSql(path, temp, predicate, options));
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
