/**
 * Builders of the risk study's queries: the target, the validation time column, the date range, and the scoring
 * table. Each returns SQL text and runs nothing.
 */
import { quoteIdent, quoteString } from "../../data/Db.js";
import { createTableAsSql } from "../../data/sql/tables.js";

/** Target text accepted as 1 (after lower-casing and trimming). */
const ONE = "'1','true','yes','y','1.0'";
/** Target text accepted as 0 or 1. */
const BINARY = "'0','1','true','false','yes','no','y','n','1.0','0.0'";

/**
 * Up to `limit` of the most frequent target values (`v`, as text, with their count `n`) that read as neither 0
 * nor 1. Portable.
 * @param table analysis table
 * @param target target column
 * @param limit how many values (default 3)
 */
export function targetNotBinarySql(table: string, target: string, limit = 3): string {
  const q = quoteIdent(target);
  return `SELECT CAST(${q} AS VARCHAR) AS v, count(*)::INTEGER AS n FROM ${quoteIdent(table)}
     WHERE ${q} IS NOT NULL AND lower(trim(CAST(${q} AS VARCHAR))) NOT IN (${BINARY})
     GROUP BY 1 ORDER BY 2 DESC LIMIT ${Math.trunc(limit)}`;
}

/** The target of each row as 1.0, 0.0 or NULL (missing), in `_row` order. Portable. */
export function targetValuesSql(table: string, target: string): string {
  const q = quoteIdent(target);
  return `SELECT CAST(CASE WHEN ${q} IS NULL THEN NULL WHEN lower(trim(CAST(${q} AS VARCHAR))) IN (${ONE}) THEN 1.0 ELSE 0.0 END AS DOUBLE PRECISION) FROM ${quoteIdent(table)} ORDER BY _row`;
}

/** A timestamp column of each row as milliseconds since 1970 (DOUBLE), in `_row` order. DuckDB. */
export function epochMsSql(table: string, column: string): string {
  return `SELECT epoch_ms(CAST(${quoteIdent(column)} AS TIMESTAMP))::DOUBLE FROM ${quoteIdent(table)} ORDER BY _row`;
}

/** Smallest (`lo`) and largest (`hi`) value of a column, as text. Portable. */
export function columnRangeSql(table: string, column: string): string {
  const q = quoteIdent(column);
  return `SELECT CAST(min(${q}) AS VARCHAR) AS lo, CAST(max(${q}) AS VARCHAR) AS hi FROM ${quoteIdent(table)}`;
}

/** Name an input column named `rowid` (any case) is given while rows are numbered, so DuckDB's own rowid shows. */
export const ROWID_STANDIN = "_openbeat_rowid_column";

/**
 * `CREATE OR REPLACE TABLE target AS SELECT rowid AS _row, * FROM source`: rows to score, numbered from 0 in file
 * order, with the columns in `casts` cast to the type the model was trained on. When the input has a column named
 * `rowid` (which would hide DuckDB's row number), rename it to {@link ROWID_STANDIN} first and pass its name as
 * `rowidColumn`: it is given back its name here. DuckDB.
 * @param target table to create
 * @param source the loaded input
 * @param options `casts`: column name to DuckDB type; `rowidColumn`: the input's own column that was named like
 *   rowid, if any; `exclude`: input columns to leave out (an input `_row`, which the row number replaces)
 */
export function scoringTableSql(
  target: string,
  source: string,
  options: { casts?: Record<string, string>; rowidColumn?: string; exclude?: string[] } = {},
): string {
  const replace = Object.entries(options.casts ?? {}).map(([c, t]) => `CAST(${quoteIdent(c)} AS ${t}) AS ${quoteIdent(c)}`);
  const exclude = [...(options.exclude ?? []), ...(options.rowidColumn ? [ROWID_STANDIN] : [])];
  let star = `*${exclude.length ? ` EXCLUDE (${exclude.map(quoteIdent).join(", ")})` : ""}`;
  if (replace.length) star += ` REPLACE (${replace.join(", ")})`;
  if (options.rowidColumn) star += `, ${quoteIdent(ROWID_STANDIN)} AS ${quoteIdent(options.rowidColumn)}`;
  return createTableAsSql(target, `SELECT (rowid)::INTEGER AS _row, ${star} FROM ${quoteIdent(source)} ORDER BY rowid`);
}

/**
 * For each column in `casts`: how many non-null values do not convert to its type (`bad_i`) and one of them as text
 * (`example_i`). DuckDB.
 * @param table the loaded input
 * @param casts column name to DuckDB type
 */
export function castCheckSql(table: string, casts: Record<string, string>): string {
  const parts = Object.entries(casts).flatMap(([c, t], i) => {
    const q = quoteIdent(c);
    const bad = `${q} IS NOT NULL AND TRY_CAST(${q} AS ${t}) IS NULL`;
    return [
      `count(*) FILTER (WHERE ${bad})::INTEGER AS bad_${i}`,
      `CAST(any_value(${q}) FILTER (WHERE ${bad}) AS VARCHAR) AS example_${i}`,
    ];
  });
  return `SELECT ${parts.join(", ")} FROM ${quoteIdent(table)}`;
}

/** `ALTER TABLE table RENAME COLUMN from TO to`. Portable. */
export function renameColumnSql(table: string, from: string, to: string): string {
  return `ALTER TABLE ${quoteIdent(table)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`;
}

/** `CREATE OR REPLACE TABLE target AS SELECT * FROM read_parquet(path)`. DuckDB. */
export function loadParquetSql(target: string, path: string): string {
  return createTableAsSql(target, `SELECT * FROM read_parquet(${quoteString(path)})`);
}

/** A column of each row as text, in `_row` order. Portable. */
export function columnTextSql(table: string, column: string): string {
  return `SELECT CAST(${quoteIdent(column)} AS VARCHAR) FROM ${quoteIdent(table)} ORDER BY _row`;
}

/**
 * Ids held by more than one row: `ids` (how many distinct ids repeat), `rows` (rows holding them) and up to three
 * of them as text (`examples`, most repeated first). Null ids do not count. DuckDB.
 * @param table analysis table
 * @param id id column
 */
export function duplicateIdsSql(table: string, id: string): string {
  const q = quoteIdent(id);
  return `SELECT count(*)::INTEGER AS ids, COALESCE(sum(n), 0)::INTEGER AS rows,
       list(v ORDER BY n DESC, v)[1:3] AS examples
     FROM (SELECT CAST(${q} AS VARCHAR) AS v, count(*) AS n FROM ${quoteIdent(table)} WHERE ${q} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)`;
}
