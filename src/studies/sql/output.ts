/**
 * Builders of the queries behind the results folder's parquet files and the tables exported from them. Each
 * returns SQL text and runs nothing; all are DuckDB's dialect.
 */
import { quoteIdent, quoteString } from "../../data/Db.js";

/**
 * The design matrix for features.parquet: `_row`, the id column of `table` when given, then every feature column
 * of `design`, in `_row` order.
 * @param design table of `_row` plus one DOUBLE column per feature
 * @param table the analysis table (with `_row`)
 * @param names feature column names of `design`, in order
 * @param id id column of `table`, if any
 */
export function designSelectSql(design: string, table: string, names: string[], id?: string): string {
  const idSql = id ? `, a.${quoteIdent(id)}` : "";
  const feats = names.map((nm) => `d.${quoteIdent(nm)}`).join(", ");
  return `SELECT d._row${idSql}${feats ? ", " + feats : ""} FROM ${quoteIdent(design)} d JOIN ${quoteIdent(table)} a USING (_row) ORDER BY d._row`;
}

/** DuckDB's default `pivot_limit`: the most columns a PIVOT makes. */
const PIVOT_LIMIT = 100_000;

/**
 * The design matrix for features.parquet from a sparse design in long form, pivoted to the same wide table as
 * {@link designSelectSql} gives for its dense form: `_row`, the id column of `table` when given, then one DOUBLE
 * column per feature, 0 where a row has no entry and NULL where its entry is NaN, in `_row` order. Each (`_row`,
 * `_col`) pair appears at most once in `entries` (a CSR matrix's entries); rows without entries come from `rows`.
 * @param entries table of `_row` (INTEGER), `_col` (INTEGER, the feature's index in `names`) and `_value` (DOUBLE,
 *   NaN kept as NaN)
 * @param rows table of `_row`: every row of the design
 * @param table the analysis table (with `_row`)
 * @param names feature column names, in order (`_col` 0, 1, …)
 * @param id id column of `table`, if any
 * @param range only the rows with `from` ≤ `_row` < `to` (either bound may be left out), for writing in pieces
 */
export function sparseDesignSelectSql(
  entries: string,
  rows: string,
  table: string,
  names: string[],
  id?: string,
  range: { from?: number; to?: number } = {},
): string {
  const idSql = id ? `, a.${quoteIdent(id)}` : "";
  const bounds = [
    ...(range.from !== undefined ? [`_row >= ${checkedRow(range.from)}`] : []),
    ...(range.to !== undefined ? [`_row < ${checkedRow(range.to)}`] : []),
  ];
  const within = bounds.length ? ` WHERE ${bounds.join(" AND ")}` : "";
  const rowsOf = (t: string) => (within ? `(SELECT * FROM ${quoteIdent(t)}${within})` : quoteIdent(t));
  const from = `FROM ${rowsOf(rows)} r JOIN ${quoteIdent(table)} a USING (_row)`;
  if (!names.length) return `SELECT r._row${idSql} ${from} ORDER BY r._row`;
  // PIVOT with its values listed: one pass that collects each row's entries (3x faster on 1M rows × 114 columns
  // than a FILTER aggregate per column, which tests every entry against every column). DuckDB's PIVOT stops at
  // pivot_limit (100,000) columns; wider designs keep the FILTER aggregates.
  const wide = names.length > PIVOT_LIMIT;
  const pivot = wide
    ? `SELECT _row, ${names.map((_, j) => `max(_value) FILTER (WHERE _col = ${j}) AS "${j}"`).join(", ")} FROM ${rowsOf(entries)} GROUP BY _row`
    : `PIVOT ${rowsOf(entries)} ON _col IN (${names.map((_, j) => j).join(", ")}) USING max(_value) GROUP BY _row`;
  const feats = names.map((nm, j) => `nullif(coalesce(w."${j}", 0), 'NaN'::DOUBLE) AS ${quoteIdent(nm)}`).join(", ");
  return `WITH w AS (${pivot}) ` + `SELECT r._row${idSql}, ${feats} ${from} LEFT JOIN w USING (_row) ORDER BY r._row`;
}

/**
 * Orders a sparse design held by slots (see {@link slotDesignSelectSql}) by `_row`, with the id column of `table`
 * beside it as `_id`: `CREATE OR REPLACE TEMP TABLE target AS …`. Only the narrow slot columns are sorted.
 * @param target table to create
 * @param slots table of `_row`, then `_c0`, `_v0`, … `_c{S-1}`, `_v{S-1}`
 * @param table the analysis table (with `_row`)
 * @param id id column of `table`, if any
 */
export function sortedSlotsSql(target: string, slots: string, table: string, id?: string): string {
  const idSql = id ? `, a.${quoteIdent(id)} AS _id` : "";
  return `CREATE OR REPLACE TEMP TABLE ${quoteIdent(target)} AS SELECT s.*${idSql} FROM ${quoteIdent(slots)} s JOIN ${quoteIdent(table)} a USING (_row) ORDER BY s._row`;
}

/**
 * The design matrix for features.parquet from a sparse design held by slots: slot s of a row is its (s+1)-th entry,
 * as its column `_c{s}` (the feature's index in `names`, −1 when the row has fewer entries) and value `_v{s}`.
 * Each feature column takes the value of the slot holding it, checking only the slots it occurs in: the same wide
 * table as {@link sparseDesignSelectSql} (0 where a row has no entry, NULL where its entry is NaN) without a pivot
 * or a sort of the wide rows. The rows come in the order of `sorted` (made by {@link sortedSlotsSql}): DuckDB keeps
 * a table's insertion order in a plain scan.
 * @param sorted table made by {@link sortedSlotsSql}
 * @param names feature column names, in order
 * @param slotsOf for each feature, the slots it occurs in
 * @param id the id column's name, when `sorted` holds it as `_id`
 */
export function slotDesignSelectSql(sorted: string, names: string[], slotsOf: readonly (readonly number[])[], id?: string): string {
  const idSql = id ? `, _id AS ${quoteIdent(id)}` : "";
  const feats = names.map((nm, j) => {
    const found = slotsOf[j].map((s) => `WHEN _c${s} = ${j} THEN _v${s}`).join(" ");
    const value = found ? `CASE ${found} ELSE 0 END` : "0::DOUBLE";
    return `, nullif(${value}, 'NaN'::DOUBLE) AS ${quoteIdent(nm)}`;
  });
  return `SELECT _row${idSql}${feats.join("")} FROM ${quoteIdent(sorted)}`;
}

/** A row number for SQL text: a non-negative integer. */
function checkedRow(row: number): number {
  if (!Number.isSafeInteger(row) || row < 0) throw new Error(`invalid row bound: ${row}`);
  return row;
}

/**
 * The rows for prepared.parquet: every column of the analysis table, then the kind's per-row output columns
 * (matched by `_row`; NULL for rows it has none for), in `_row` order.
 * @param table the analysis table
 * @param rowOutput the kind's per-row output table (with `_row`)
 */
export function preparedSelectSql(table: string, rowOutput: string): string {
  return `SELECT a.*, o.* EXCLUDE (_row) FROM ${quoteIdent(table)} a LEFT JOIN ${quoteIdent(rowOutput)} o USING (_row) ORDER BY a._row`;
}

/**
 * `_row` and one per-row output column of a prepared.parquet (renamed `alias`), for rows that have it, in `_row`
 * order.
 * @param path prepared.parquet
 * @param column e.g. `_score` or `_cluster`
 * @param alias output name, e.g. `score`
 * @param more further per-row columns to select beside it, as `[column, alias]` pairs
 */
export function rowOutputSql(path: string, column: string, alias: string, more: [string, string][] = []): string {
  const q = quoteIdent(column);
  const extra = more.map(([c, a]) => `, ${quoteIdent(c)} AS ${quoteIdent(a)}`).join("");
  return `SELECT _row, ${q} AS ${quoteIdent(alias)}${extra} FROM read_parquet(${quoteString(path)}) WHERE ${q} IS NOT NULL ORDER BY _row`;
}
