import { Db, type Database } from "./Db.js";
import { sourceFormat, type SourceFormat } from "./load-sources.js";
import { loadCsv, type CsvDialect } from "./sources/load-csv.js";
import { loadGeojson } from "./sources/load-geojson.js";
import { loadShapefile } from "./sources/load-shapefile.js";
import { loadNative } from "./sources/load-parquet.js";
import { columnStatsSql, hasRange, topValuesSql } from "./sql/column-summary.js";
import { dropTableSql } from "./sql/tables.js";
import { UserError, assertUnreachable } from "../util/errors.js";
import type { Warning } from "../util/logger.js";
import * as msg from "../util/messages.js";

/** Summary of one column. */
export interface ColumnSummary {
  name: string;
  /** DuckDB type as loaded. */
  type: string;
  nulls: number;
  distinct: number;
  /** The five most frequent non-null values (as text), most frequent first; ties by value. */
  top: { value: string; count: number }[];
  /** Smallest and largest value, for numbers, dates and times only (dates as text). */
  min?: number | string | null;
  max?: number | string | null;
}

/** What `openbeat inspect FILE` reports. */
export interface InspectResult {
  path: string;
  format: SourceFormat;
  rows: number;
  columns: ColumnSummary[];
  /** CSV only: the detected dialect. */
  dialect?: CsvDialect;
  /** Shapefile only: the .prj text (coordinate system), null when absent. */
  prj?: string | null;
  /** What loading would warn about (rejected rows, repeated headers, empty header names). */
  warnings: Warning[];
}

/**
 * Loads a file (csv, geojson or shapefile, by extension unless `format` is given) into a scratch table and
 * summarizes every column, for writing a study file for a new city.
 * @param path file to inspect
 * @param options `db`: a DuckDB database to use (default: a new in-memory one); `format`, `delimiter`, `encoding`
 */
export async function inspectFile(
  path: string,
  options: { db?: Database; format?: SourceFormat; delimiter?: string; encoding?: string } = {},
): Promise<InspectResult> {
  const format = sourceFormat(path, options.format);
  if (!format) throw new UserError("source.format", msg.sourceUnknownFormat("inspect", path, path));
  const db = options.db ?? (await Db.open());
  const table = "_openbeat_inspect";
  try {
    let rows: number;
    const result: Partial<InspectResult> = { warnings: [] };
    switch (format) {
      case "csv": {
        const r = await loadCsv(db, table, path, { delimiter: options.delimiter, encoding: options.encoding });
        rows = r.rows;
        result.dialect = r.dialect;
        result.warnings = r.warnings;
        break;
      }
      case "geojson":
        rows = (await loadGeojson(db, table, path)).rows;
        break;
      case "shapefile": {
        const r = await loadShapefile(db, table, path, { encoding: options.encoding });
        rows = r.rows;
        result.prj = r.prj;
        break;
      }
      case "parquet":
      case "ndjson":
        rows = (await loadNative(db, table, path, format)).rows;
        break;
      default:
        assertUnreachable(format);
    }
    const columns = await summarizeColumns(db, table);
    return { path, format, rows, columns, ...result, warnings: result.warnings ?? [] };
  } finally {
    await db.exec(dropTableSql(table));
    if (!options.db) await db.close();
  }
}

/**
 * Per-column nulls, distinct count, top five values and (for ordered types) min and max of a table.
 * @param db database
 * @param table table or view
 */
export async function summarizeColumns(db: Database, table: string): Promise<ColumnSummary[]> {
  const cols = await db.columns(table);
  if (!cols.length) return [];
  const [stats] = await db.query(columnStatsSql(table, cols));
  const out: ColumnSummary[] = [];
  for (let j = 0; j < cols.length; ++j) {
    const c = cols[j];
    const top =
      c.name === "_geometry"
        ? []
        : (await db.query(topValuesSql(table, c.name))).map((r) => ({ value: r.v as string, count: Number(r.n) }));
    const summary: ColumnSummary = { name: c.name, type: c.type, nulls: Number(stats[`n${j}`]), distinct: Number(stats[`d${j}`]), top };
    if (hasRange(c.type)) {
      summary.min = (stats[`lo${j}`] as number | string | null) ?? null;
      summary.max = (stats[`hi${j}`] as number | string | null) ?? null;
    }
    out.push(summary);
  }
  return out;
}

const int = (n: number) => n.toLocaleString("en-US");

function shown(value: string | number | null | undefined, width: number): string {
  if (value === null || value === undefined) return "";
  let s = typeof value === "number" ? (Number.isInteger(value) ? String(value) : String(+value.toPrecision(6))) : value;
  if (typeof value === "string" && (s !== s.trim() || s === "")) s = JSON.stringify(s);
  s = s.replace(/[\r\n\t]/g, " ");
  return s.length > width ? s.slice(0, width - 1) + "…" : s;
}

function table(header: string[], rows: string[][], right: boolean[]): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (right[j] ? c.padStart(widths[j]) : c.padEnd(widths[j])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

/**
 * Renders an {@link InspectResult} as aligned plain text for a terminal: a header line with the format, rows and
 * dialect, any warnings, a table of columns (type, nulls, distinct, min, max) and the top values of each column.
 * Values with leading or trailing spaces are shown quoted so padding is visible.
 * @param result from {@link inspectFile}
 */
export function formatInspect(result: InspectResult): string {
  const lines: string[] = [result.path];
  const facts = [result.format, `${int(result.rows)} rows`, `${result.columns.length} columns`];
  const d = result.dialect;
  if (d) {
    const nl = d.newline === "\r\n" ? "CRLF" : d.newline === "\r" ? "CR" : "LF";
    facts.push(
      `delimiter ${JSON.stringify(d.delimiter)}`,
      d.quote ? `quote ${JSON.stringify(d.quote)}` : "no quoting",
      `${nl} line ends`,
      d.bom ? `${d.encoding} with BOM` : d.encoding,
    );
  }
  lines.push(facts.join(" · "));
  if (result.prj !== undefined) lines.push(`coordinate system (.prj): ${result.prj ? shown(result.prj, 100) : "none (no .prj file)"}`);
  if (result.warnings.length) {
    lines.push("", "warnings:");
    for (const w of result.warnings) lines.push(`  - ${w.message}`);
  }
  lines.push("");
  const body = result.columns.map((c, j) => [
    String(j + 1),
    shown(c.name, 40),
    c.type,
    int(c.nulls),
    int(c.distinct),
    shown(c.min, 26),
    shown(c.max, 26),
  ]);
  lines.push(...table(["#", "column", "type", "nulls", "distinct", "min", "max"], body, [true, false, false, true, true, false, false]));
  lines.push("", "top values (count):");
  const width = Math.min(40, Math.max(...result.columns.map((c) => shown(c.name, 40).length)));
  for (const c of result.columns) {
    const values = c.top.length
      ? c.top.map((t) => `${shown(t.value, 32)} (${int(t.count)})`).join(" · ")
      : c.name === "_geometry"
        ? "(geometry)"
        : "(all empty)";
    lines.push(`  ${shown(c.name, 40).padEnd(width)}  ${values}`);
  }
  return lines.join("\n") + "\n";
}
